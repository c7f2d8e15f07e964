"""Console progress of a training run, from rank 0: step/total, loss, learning rate, tokens/s and ETA.

On a terminal a tqdm bar redraws in place; otherwise (a log file, a job scheduler, a test's pipe) one plain line is
printed every `every` steps and at the last one, so logs stay short and greppable.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta


class Progress:
    """`update(step, loss=…, lr=…, tokens=…)` after each optimizer step; `close()` at the end. Inert off rank 0."""

    def __init__(self, *, total: int, start: int, every: int, enabled: bool, stream=None):
        self.total, self.start, self.every, self.enabled = total, start, every, enabled
        self.stream = stream or sys.stdout
        self.started, self.tokens = time.perf_counter(), 0
        self.bar = None
        if enabled and self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=start, file=self.stream, unit="step", dynamic_ncols=True)

    def update(self, step: int, *, loss: float, lr: float, tokens: int) -> None:
        if not self.enabled:
            return
        self.tokens += tokens
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        speed = self.tokens / elapsed
        eta = timedelta(seconds=round(elapsed / (step - self.start) * (self.total - step)))
        if self.bar is not None:
            self.bar.update(step - self.bar.n)
            self.bar.set_postfix_str(f"loss {loss:.4f} lr {lr:.2e} {speed:,.0f} tok/s", refresh=False)
        elif step % self.every == 0 or step == self.total or step == self.start + 1:
            line = f"step {step}/{self.total} loss {loss:.4f} lr {lr:.2e} {speed:,.0f} tok/s eta {eta}"
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
