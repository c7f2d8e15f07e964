"""Resumable sharded checkpoints: `OUT/step-N/` with model, optimizer, scheduler, RNG and data position.

Layout of one checkpoint (every rank writes its own shards with `torch.distributed.checkpoint`, so nothing is ever
gathered on one rank and a checkpoint saved on N ranks loads on M):

    step-N/
      *.distcp, .metadata     model and optimizer shards (DCP)
      trainer.json            step, scheduler state, data position (rank 0)
      rng-rank-R.pt           each rank's torch / CUDA RNG state
      COMPLETE                written last

Everything is written into `step-N.tmp/`, renamed to `step-N/` by rank 0 after a barrier, and only then the marker is
written, so a run killed while saving leaves no folder that `latest_checkpoint` would pick (DESIGN/STYLE: markers
last). `resume()` = `remove_incomplete(out)` on rank 0 (what a killed save or export left), then
`load_checkpoint(latest_checkpoint(out), …)`; SFT and DPO both start with it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist

MARKER = "COMPLETE"
_STEP_DIR = re.compile(r"^step-(\d+)$")


def _rank() -> int:
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def _barrier() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.barrier()


def _rng_state() -> dict[str, Any]:
    state = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state()
    return state


def _options(trainable_only: bool):
    from torch.distributed.checkpoint.state_dict import StateDictOptions

    # Without the frozen parameters the model state is partial by design: load it non-strictly.
    return StateDictOptions(ignore_frozen_params=trainable_only, strict=not trainable_only)


def save_checkpoint(
    out: str | Path, step: int, model, optimizer, scheduler, data_state: dict, *, trainable_only: bool = False
) -> Path:
    """Write `out/step-{step}/` collectively (every rank calls this) and return its path. `trainable_only`: leave out
    frozen parameters (DPO's base, which the run rebuilds from its source; only the adapter changes)."""
    import torch.distributed.checkpoint as dcp
    from torch.distributed.checkpoint.state_dict import get_state_dict

    final = Path(out) / f"step-{step}"
    tmp = Path(out) / f"step-{step}.tmp"
    if _rank() == 0:
        shutil.rmtree(tmp, ignore_errors=True)  # a save that died half-way
        tmp.mkdir(parents=True)
    _barrier()
    model_state, optim_state = get_state_dict(model, optimizer, options=_options(trainable_only))
    dcp.save({"model": model_state, "optimizer": optim_state}, checkpoint_id=str(tmp))
    torch.save(_rng_state(), tmp / f"rng-rank-{_rank()}.pt")
    if _rank() == 0:
        trainer = {"step": step, "scheduler": scheduler.state_dict(), "data": data_state}
        (tmp / "trainer.json").write_text(json.dumps(trainer, indent=2) + "\n", encoding="utf-8")
    _barrier()
    if _rank() == 0:
        shutil.rmtree(final, ignore_errors=True)
        os.rename(tmp, final)
        (final / MARKER).write_text(f"{step}\n", encoding="utf-8")
    _barrier()
    return final


def latest_checkpoint(out: str | Path) -> Path | None:
    """The complete `step-N/` folder with the highest N, or None (folders without the marker are ignored)."""
    folder = Path(out)
    if not folder.is_dir():
        return None
    steps = []
    for child in folder.iterdir():
        match = _STEP_DIR.match(child.name)
        if match and (child / MARKER).is_file():
            steps.append((int(match.group(1)), child))
    return max(steps)[1] if steps else None


def remove_incomplete(out: str | Path) -> list[str]:
    """Delete what a killed run left half-written in `out`: `step-N/` without the marker and `*.tmp/` folders
    (`step-N.tmp/`, `epoch-K.tmp/`). Rank 0 only, before the ranks look for a checkpoint; returns the removed names."""
    folder = Path(out)
    removed = []
    for child in sorted(folder.iterdir()) if folder.is_dir() else []:
        stale = child.name.endswith(".tmp") or (_STEP_DIR.match(child.name) and not (child / MARKER).is_file())
        if stale and child.is_dir():
            shutil.rmtree(child)
            removed.append(child.name)
    return removed


def load_checkpoint(path: str | Path, model, optimizer, scheduler, *, trainable_only: bool = False) -> dict:
    """Restore model, optimizer, scheduler and this rank's RNG in place; returns `{"step", "data"}`. `trainable_only`
    as it was saved."""
    import torch.distributed.checkpoint as dcp
    from torch.distributed.checkpoint.state_dict import get_state_dict, set_state_dict

    path = Path(path)
    if not (path / MARKER).is_file():
        raise FileNotFoundError(f"{path}: not a complete checkpoint (no {MARKER} marker)")
    options = _options(trainable_only)
    model_state, optim_state = get_state_dict(model, optimizer, options=options)
    state = {"model": model_state, "optimizer": optim_state}
    dcp.load(state, checkpoint_id=str(path))
    set_state_dict(
        model, optimizer, model_state_dict=state["model"], optim_state_dict=state["optimizer"], options=options
    )
    trainer = json.loads((path / "trainer.json").read_text(encoding="utf-8"))
    scheduler.load_state_dict(trainer["scheduler"])
    rng_file = path / f"rng-rank-{_rank()}.pt"
    if rng_file.is_file():  # absent when resuming on more ranks than saved: those ranks keep their seed
        rng = torch.load(rng_file, weights_only=True)
        torch.set_rng_state(rng["torch"])
        if "cuda" in rng and torch.cuda.is_available():
            torch.cuda.set_rng_state(rng["cuda"])
    return {"step": trainer["step"], "data": trainer["data"]}


def resume(out: str | Path, model, optimizer, scheduler, *, trainable_only: bool = False) -> int:
    """The step a run starts from: 0, or that of the latest complete `out/step-N/`, restored in place. What a killed
    run half-wrote is deleted first (rank 0); both facts are said on stderr. Collective: every rank calls it."""
    import sys

    if _rank() == 0:
        removed = remove_incomplete(out)
        if removed:
            print(f"removed incomplete outputs of an earlier run: {', '.join(removed)}", file=sys.stderr)
    _barrier()
    checkpoint = latest_checkpoint(out)
    if checkpoint is None:
        return 0
    step = load_checkpoint(checkpoint, model, optimizer, scheduler, trainable_only=trainable_only)["step"]
    if _rank() == 0:
        print(f"resumed from {checkpoint}", file=sys.stderr)
    return step
