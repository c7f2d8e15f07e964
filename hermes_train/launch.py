"""Starting a trainer's ranks, for `hermes-train sft` and `dpo` alike: the world size from the command line or the
recipe, and one `python -m MODULE RECIPE --set …` process per rank through `torch.distributed.run` (torchrun:
rendezvous, RANK/LOCAL_RANK/WORLD_SIZE, multi-node).

Each trainer's `launch()` (sft/launch.py, dpo/launch.py) loads its recipe, calls `resolve_world`, runs the pre-flight
(preflight.py) and then `run_ranks`, so a user error is one line on the terminal and not N tracebacks from N workers.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hermes_data.errors import RecipeError


def torchrun_command(
    recipe_path: str | Path,
    overrides: list[str],
    *,
    module: str,
    nproc: int,
    nnodes: int = 1,
    node_rank: int = 0,
    master_addr: str | None = None,
    master_port: int = 29500,
) -> list[str]:
    """The `python -m hermes_train.launch [torchrun options] -m MODULE RECIPE --set …` command line of this node
    (MODULE is the per-rank entry point: `hermes_train.sft.train` or `hermes_train.dpo.train`); this module's
    `__main__` is torchrun itself, with its failure report cut to one line (`agent`)."""
    command = [sys.executable, "-m", "hermes_train.launch", "--nproc-per-node", str(nproc)]
    if nnodes == 1 and master_addr is None:
        command.append("--standalone")  # a free port on localhost: parallel runs on one machine do not collide
    else:
        command += ["--nnodes", str(nnodes), "--node-rank", str(node_rank)]
        command += ["--master-addr", master_addr or "127.0.0.1", "--master-port", str(master_port)]
    command += ["-m", module, str(Path(recipe_path).resolve())]
    for pair in overrides:
        command += ["--set", pair]
    return command


def resolve_world(recipe, *, nproc: int | None, nnodes: int | None, master_addr: str | None) -> tuple[int, int]:
    """(processes per node, nodes): the command line's, else the recipe's `launch`; checked against the batch sizes
    and, for several nodes, the rendezvous address."""
    nproc = nproc or recipe.launch.nproc_per_node
    nnodes = nnodes or recipe.launch.nnodes
    recipe.check_world(nproc * nnodes)
    if nnodes > 1 and master_addr is None:
        raise RecipeError(
            f"launch.nnodes is {nnodes}: give --master-addr (node 0's address) and --node-rank on every node, "
            "or --nnodes 1 to run on this machine only"
        )
    return nproc, nnodes


def run_ranks(module: str, recipe_path: str | Path, overrides: list[str], **world) -> int:
    """Run this node's ranks of `module` and wait for them; returns torchrun's exit status."""
    return subprocess.run(torchrun_command(recipe_path, overrides, module=module, **world)).returncode


def agent(argv: list[str]) -> int:
    """torchrun (`torch.distributed.run`) on `argv`. When ranks fail, torchrun raises ChildFailedError, whose
    traceback and per-rank table would follow the rank's own `error:` line (distributed.run_rank); here it is one
    line, and the exit status is the ranks' own (2 for a user error such as a non-finite step)."""
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import parse_args, run

    try:
        run(parse_args(argv))
    except ChildFailedError as exc:
        codes = sorted({failure.exitcode for failure in exc.failures.values()})
        print(f"error: {len(exc.failures)} rank(s) of {exc.name} failed (exit code {', '.join(map(str, codes))})",
              file=sys.stderr)  # fmt: skip
        # Ranks that torchrun stopped after the first failure show a negative code (the signal); the failing
        # rank's own status is the positive one.
        return max([code for code in codes if code > 0], default=1)
    return 0


if __name__ == "__main__":
    sys.exit(agent(sys.argv[1:]))
