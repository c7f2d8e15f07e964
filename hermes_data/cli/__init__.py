"""`hermes-data`: the command line of the data half. Each command lives in its own module."""

from __future__ import annotations

import sys

import typer
from rich.markup import escape

from hermes_data.cli import build, convert, generate, pairs, publish, pull, rejected, stats, validate, verify, versions
from hermes_data.cli.common import console_err
from hermes_data.errors import HermesError

app = typer.Typer(
    name="hermes-data",
    help="Curate, validate, mix and publish Hermes-format instruction data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("build")(build.build_command)
app.command("generate")(generate.generate_command)
app.command("pairs")(pairs.pairs_command)
app.command("validate")(validate.validate_command)
app.command("stats")(stats.stats_command)
app.command("convert")(convert.convert_command)
app.command("publish")(publish.publish_command)
app.command("pull")(pull.pull_command)
app.command("verify")(verify.verify_command)
app.command("versions")(versions.versions_command)
app.command("rejected")(rejected.rejected_command)


def main() -> None:
    """Console-script entry point: user errors become one line and exit status 2, never a traceback."""
    try:
        app()
    except HermesError as exc:
        # escape: a message naming `hermes-toolkit[ray]` or a `[section]` must print as written, not as rich markup
        console_err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        console_err.print("interrupted")
        sys.exit(130)
