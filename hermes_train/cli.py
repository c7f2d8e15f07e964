"""`hermes-train`: the command line of the training half.

`sft` launches supervised fine-tuning (hermes_train/sft/) and `dpo` LoRA DPO (hermes_train/dpo/), both through the
shared launcher and pre-flight (hermes_train/launch.py, preflight.py); `eval` scores checkpoints with a benchmark
suite (hermes_train/eval/); `compare` tabulates a scores file; `select` picks a checkpoint from it (the paper's
Table 2 rule); `check-tokenizer` checks that a tokenizer is what the trainer expects.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from hermes_data.errors import HermesError
from hermes_train.cli_eval import compare_command, eval_command
from hermes_train.cli_select import select_command

app = typer.Typer(
    name="hermes-train",
    help="Train on a versioned Hermes mix: masked ChatML, packing, SFT, DPO, selection.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Train on a versioned Hermes mix."""


@app.command("check-tokenizer")
def check_tokenizer(
    name: str = typer.Argument("llama3", help="Built-in 'llama3' or a Hugging Face tokenizer name/path."),
    add_chatml_tokens: bool = typer.Option(False, help="Add <|im_start|>/<|im_end|> when the tokenizer lacks them."),
) -> None:
    """Print the vocabulary size and the special ids training relies on (BOS, ChatML, pad), as JSON."""
    from hermes_data.tokenizer import load_tokenizer

    tok = load_tokenizer(name, add_chatml_tokens=add_chatml_tokens)
    ids = {t: tok.convert_tokens_to_ids(t) for t in ("<|im_start|>", "<|im_end|>")}
    info = {
        "name": name,
        "vocab_size": len(tok),
        "bos": [tok.bos_token, tok.bos_token_id],
        "eos": [tok.eos_token, tok.eos_token_id],
        "pad": [tok.pad_token, tok.pad_token_id],
        "chatml": ids,
    }
    typer.echo(json.dumps(info, indent=2))


app.command("select")(select_command)
app.command("eval")(eval_command)
app.command("compare")(compare_command)


# The launch options `sft` and `dpo` share, declared once.
Nproc = Annotated[int | None, typer.Option("--nproc", help="Processes on this node (default: the recipe's launch).")]
Nnodes = Annotated[int | None, typer.Option("--nnodes", help="Number of nodes (default: the recipe's launch).")]
NodeRank = Annotated[int, typer.Option("--node-rank", help="This node's rank among --nnodes.")]
MasterAddr = Annotated[str | None, typer.Option("--master-addr", help="Address of node 0 (multi-node).")]
MasterPort = Annotated[int, typer.Option("--master-port")]
Overrides = Annotated[list[str], typer.Option("--set", help="key=value (dotted keys, YAML values), repeatable.")]


@app.command("sft")
def sft(
    recipe: str = typer.Argument(..., help="SFT recipe YAML, e.g. recipes/sft-tiny-cpu.yaml."),
    nproc: Nproc = None,
    nnodes: Nnodes = None,
    node_rank: NodeRank = 0,
    master_addr: MasterAddr = None,
    master_port: MasterPort = 29500,
    overrides: Overrides = [],  # noqa: B006 - typer's default, never mutated
    dry_run: bool = typer.Option(False, "--dry-run", help="Print per-rank memory from a meta-device model; no run."),
) -> None:
    """Supervised fine-tuning with FSDP2: packed masked ChatML, global-batch loss, step-N/ checkpoints, epoch-K/."""
    from hermes_train.sft.config import load_sft_recipe
    from hermes_train.sft.launch import launch, plan_memory

    world = dict(nproc=nproc, nnodes=nnodes, node_rank=node_rank, master_addr=master_addr, master_port=master_port)
    _train_command(recipe, overrides, dry_run, world, load=load_sft_recipe, plan=plan_memory, launch=launch)


@app.command("dpo")
def dpo(
    recipe: str = typer.Argument(..., help="DPO recipe YAML, e.g. recipes/dpo-tiny-cpu.yaml."),
    nproc: Nproc = None,
    nnodes: Nnodes = None,
    node_rank: NodeRank = 0,
    master_addr: MasterAddr = None,
    master_port: MasterPort = 29500,
    overrides: Overrides = [],  # noqa: B006 - typer's default, never mutated
    dry_run: bool = typer.Option(False, "--dry-run", help="Print base and adapter sizes per rank; no run."),
) -> None:
    """LoRA DPO with FSDP2: reference = adapter disabled, RMSProp, NEFTune on the policy only, epoch-K/ adapters."""
    from hermes_train.dpo.config import load_dpo_recipe
    from hermes_train.dpo.launch import launch, plan_parameters

    world = dict(nproc=nproc, nnodes=nnodes, node_rank=node_rank, master_addr=master_addr, master_port=master_port)
    _train_command(recipe, overrides, dry_run, world, load=load_dpo_recipe, plan=plan_parameters, launch=launch)


def _train_command(recipe: str, overrides: list[str], dry_run: bool, world: dict, *, load, plan, launch) -> None:
    """What `sft` and `dpo` do alike: print the `--dry-run` plan for the world size, or launch the ranks (after the
    trainer's pre-flight) and exit with their status."""
    from hermes_train.recipe import parse_overrides

    if dry_run:
        spec = load(recipe, parse_overrides(overrides))
        size = (world["nproc"] or spec.launch.nproc_per_node) * (world["nnodes"] or spec.launch.nnodes)
        typer.echo(json.dumps(plan(spec, world_size=size), indent=2))
        return
    code = launch(recipe, overrides, **world)
    if code:
        raise typer.Exit(code)


def main() -> None:
    try:
        app()
    except HermesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
