"""`hermes-data publish FOLDER --repo ORG/NAME --version VERSION [--to hf|URL]`: one immutable version."""

from __future__ import annotations

import typer

from hermes_data.cli.common import console


def publish_command(
    folder: str = typer.Argument(..., help="A build folder (the output of `hermes-data build`)."),
    repo: str = typer.Option(..., "--repo", help="Dataset name ORG/NAME."),
    version: str = typer.Option(..., "--version", help="Version name, e.g. v1; a Hub tag or a store folder."),
    to: str = typer.Option(
        "hf", "--to", help="'hf' for the Hub, or an fsspec root: file:///…, s3://…, gs://…, a path."
    ),
    private: bool = typer.Option(False, "--private", help="Create the Hub repo private (when it does not exist)."),
    message: str = typer.Option(None, "--message", help="Commit message (Hub) or note in the marker (store)."),
) -> None:
    """Publish a build folder as one version; an existing version is never overwritten or moved."""
    from hermes_data.publish.publisher import publish

    published = publish(folder, repo, version, to=to, private=private, message=message)
    if published.kind == "hub":
        console.print(f"published {repo}@{version}: commit {published.revision}", highlight=False)
        console.print(f"load it with: hermes_data.load_mix('{repo}@{version}')", highlight=False)
    else:
        console.print(f"published {published.location} (content_sha256 {published.content_sha256})", highlight=False)
    typer.echo(published.revision)
