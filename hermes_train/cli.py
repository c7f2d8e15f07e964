"""`hermes-train`: the command line of the training half.

Training commands arrive with their issues (sft, dpo, eval); what exists now checks that a tokenizer is what the
trainer expects and selects a checkpoint from benchmark scores (the paper's Table 2 rule).
"""

from __future__ import annotations

import json
import sys

import typer

from hermes_data.errors import HermesError
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


def main() -> None:
    try:
        app()
    except HermesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
