"""Counters of a generation run and the progress bar that shows them (items/s, tokens/s, failures, spend)."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hermes_data.generate.journal import Reply

if TYPE_CHECKING:
    from hermes_data.generate.runner import ItemResult


class Stats:
    def __init__(self, spent_before: float = 0.0) -> None:
        self.started = time.monotonic()
        self.spent_before = spent_before  # cost of every journaled response, earlier runs included
        self.requests_sent = self.requests_replayed = 0
        self.prompt_tokens = self.completion_tokens = 0  # of the responses this run used (journaled ones too)
        self.new_tokens = 0
        self.cost_used = self.cost_new = 0.0
        self.retries: Counter[str] = Counter()  # completions asked again, by problem code
        self.eliminated: Counter[str] = Counter()  # evolutions discarded, by WizardLM rule
        self.unreached: Counter[str] = Counter()  # requests that failed for good (no reply), by reason
        self.tasks: dict[str, Counter[str]] = defaultdict(Counter)
        self.reasons: dict[str, Counter[str]] = defaultdict(Counter)

    @property
    def spent_total(self) -> float:
        return self.spent_before + self.cost_new

    def add_reply(self, reply: Reply, *, new: bool) -> None:
        self.prompt_tokens += reply.prompt_tokens
        self.completion_tokens += reply.completion_tokens
        self.cost_used += reply.cost
        if new:
            self.requests_sent += 1
            self.new_tokens += reply.prompt_tokens + reply.completion_tokens
            self.cost_new += reply.cost
        else:
            self.requests_replayed += 1

    def count_item(self, task: str, result: ItemResult) -> None:
        self.tasks[task]["requested"] += 1
        self.tasks[task][result.status] += 1
        if result.status == "failed":
            self.reasons[task][result.reason or "unknown"] += 1

    def total(self, status: str) -> int:
        return sum(c[status] for c in self.tasks.values())

    def rate_line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        done = self.total("completed") + self.total("failed")
        return (
            f"{done / elapsed:.1f} items/s · {self.new_tokens / elapsed:,.0f} tok/s · "
            f"{self.total('failed')} failed · ${self.spent_total:.4f}"
        )


class ProgressView:
    """A rich progress bar on stderr; `enabled=False` makes every call a no-op (tests, --no-progress)."""

    def __init__(self, *, enabled: bool = True, console: Console | None = None) -> None:
        self.enabled = enabled
        self._progress = Progress(
            TextColumn("generate"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[line]}"),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
            disable=not enabled,
        )
        self._bar = self._progress.add_task("generate", total=0, line="")
        self._line_at = 0.0
        self._stats: Stats | None = None

    def __enter__(self) -> ProgressView:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stats is not None:  # the last items may have landed since the line was last rebuilt
            self._progress.update(self._bar, line=self._stats.rate_line())
        self._progress.stop()

    def add_total(self, num: int) -> None:
        total = self._progress.tasks[0].total or 0
        self._progress.update(self._bar, total=total + num)

    def update(self, stats: Stats) -> None:
        if not self.enabled:
            return
        self._stats = stats
        # The bar redraws itself 10 times a second from rich's own thread; rebuilding the rate line for every item
        # (hundreds a second) would only be overwritten, so it is refreshed at most as often as it is drawn.
        now = time.monotonic()
        if now - self._line_at >= 0.1:
            self._line_at = now
            self._progress.update(self._bar, advance=1, line=stats.rate_line())
        else:
            self._progress.advance(self._bar)
