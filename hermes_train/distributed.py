"""Process-group setup shared by every trainer's ranks: init, the launcher-death guard, a summing all-reduce."""

from __future__ import annotations

import os
import sys

import torch
import torch.distributed as dist


def init_distributed() -> torch.device:
    """NCCL on GPU (one device per local rank), gloo on CPU."""
    if torch.cuda.is_available():
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        torch.cuda.set_device(device)
        dist.init_process_group("nccl", device_id=device)
        return device
    dist.init_process_group("gloo")
    return torch.device("cpu")


def all_reduce(value: torch.Tensor) -> torch.Tensor:
    """Sum `value` over the ranks, in place; returns it."""
    dist.all_reduce(value)
    return value


def die_with_launcher() -> None:
    """Have the kernel SIGKILL this rank when its parent (the torchrun agent) dies (Linux; elsewhere a no-op).

    torchrun starts every rank in a session of its own, so a SIGKILL of torchrun or of the job's process group (OOM
    killer, `kill -9`, a preempted job step) does not reach the ranks: they would train on as orphans, writing
    checkpoints into the folder that the rerun resumes from."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    parent = os.getppid()
    pr_set_pdeathsig = 1  # <linux/prctl.h>
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the launcher died before the call: nobody will send the signal
        os._exit(1)


def run_rank(train, load_recipe, argv: list[str] | None = None) -> None:
    """A trainer's per-rank entry point, `RECIPE [--set key=value …]`: load the recipe and call `train(recipe)`.

    A `HermesError` raised in the run (a non-finite step, a batch size the data cannot fill) is printed as one
    `error:` line by rank 0 (every rank raises the same one) and the rank exits 2, instead of N tracebacks."""
    from hermes_data.errors import HermesError
    from hermes_train.recipe import parse_overrides

    die_with_launcher()
    args = list(sys.argv[1:] if argv is None else argv)
    pairs = [args[i + 1] for i, arg in enumerate(args) if arg == "--set"]
    try:
        train(load_recipe(args[0], parse_overrides(pairs)))
    except HermesError as exc:
        if int(os.environ.get("RANK", 0)) == 0:
            print(f"error: {exc}", file=sys.stderr, flush=True)
        sys.exit(2)
