"""Dataset references (DESIGN §7): the one parser, name rules, and the resolved reference a training run records.

Precedence, first match wins:

1. `hf://datasets/ORG/NAME[@REV]` or `hub:ORG/NAME[@REV]`: the Hub (REV a tag, branch or commit; default `main`).
2. `SCHEME://ROOT/ORG/NAME@VERSION` (`file://`, `s3://`, `gs://`, any fsspec protocol): version VERSION of ORG/NAME
   in the fsspec store at `SCHEME://ROOT`. The version is required: a store has no moving "latest".
3. A path that exists, or starts with `./`, `../`, `/` or `~`: a local build folder.
4. `ORG/NAME[@REV]`: the Hub.

Any of them may end in `#content_sha256=HEX` (what `str(ResolvedRef)` writes): the rows must then hash to HEX.

Anything else is an error naming the accepted forms. Names follow the Hub's rules (letters, digits, `-`, `_`, `.`;
no `..` or `--`; at most 96 characters) and versions are one path segment of the same alphabet, so no reference can
climb out of a store root or the Hub namespace.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from hermes_data.errors import DataError

# The Hub's repo-name rule (huggingface_hub.utils.validate_repo_id), applied to each of ORG and NAME.
NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$")
# A published version is a tag on the Hub and a folder in a store: one segment, no separators or dots-only names.
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# A Hub revision to load may also be a branch with slashes (refs/convert/parquet) or a 40-hex commit id.
REVISION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$")
COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")
PIN_RE = re.compile(r"^[0-9a-f]{64}$")
PIN = "#content_sha256="
HUB_PREFIXES = ("hf://datasets/", "hub:")
DEFAULT_REVISION = "main"
FORMS = "hf://datasets/ORG/NAME@REV, hub:ORG/NAME@REV, ORG/NAME[@REV], file:///ROOT/ORG/NAME@VERSION, or a build folder"


def check_repo_id(repo: str) -> str:
    """`ORG/NAME` as the Hub accepts it; `DataError` otherwise (path traversal, spaces, empty parts)."""
    parts = repo.split("/") if isinstance(repo, str) else []
    if len(parts) != 2 or not all(_valid_name(part) for part in parts):
        raise DataError(
            f"invalid dataset name {repo!r}: expected ORG/NAME, each of letters, digits, '-', '_' or '.' "
            "(not starting or ending with '-' or '.', no '..' or '--')"
        )
    return repo


def check_version(version: str) -> str:
    """A version name (a Hub tag and a store folder); `DataError` for `../x`, spaces, empty, `/`."""
    if not isinstance(version, str) or not VERSION_RE.fullmatch(version) or ".." in version:
        raise DataError(
            f"invalid version {version!r}: use letters, digits, '.', '_' or '-' (e.g. v1, 2024-08-15, 1.0.2), "
            "starting with a letter or digit, at most 64 characters"
        )
    if COMMIT_RE.fullmatch(version):
        raise DataError(f"invalid version {version!r}: 40 hex digits read as a commit id; choose a name like v1")
    return version


def _valid_name(part: str) -> bool:
    return bool(NAME_RE.fullmatch(part)) and ".." not in part and "--" not in part


@dataclass(frozen=True)
class DatasetRef:
    """A parsed reference. `kind` is `hub`, `store` or `folder`; `root` is the store URL or the folder path."""

    kind: str
    repo: str | None = None
    revision: str | None = None
    root: str | None = None
    pin: str | None = None  # `#content_sha256=HEX` suffix: the loaded rows must hash to it

    def __str__(self) -> str:
        if self.kind == "hub":
            return f"hf://datasets/{self.repo}@{self.revision}"
        if self.kind == "store":
            return f"{self.root}/{self.repo}@{self.revision}"
        return str(self.root)


@dataclass(frozen=True)
class ResolvedRef:
    """What a reference pointed to when it was loaded: enough to fetch exactly the same bytes again.

    `revision` is immutable: the commit id on the Hub, the `content_sha256` in a store or folder (a store version
    is never rewritten, and the content hash proves it). Training runs record `str(resolved)` or `to_dict()`;
    `str(resolved)` is itself a reference that loads the same rows or fails (it carries a content pin).
    """

    kind: str
    location: str  # the Hub repo id, the store reference ROOT/ORG/NAME@VERSION, or the folder path
    requested: str  # the reference as given
    revision: str
    content_sha256: str
    version: str | None = None  # the tag, branch or store version that was asked for

    def __str__(self) -> str:
        if self.kind == "hub":
            return f"hf://datasets/{self.location}@{self.revision}{PIN}{self.content_sha256}"
        return f"{self.location}{PIN}{self.content_sha256}"

    def to_dict(self) -> dict:
        return asdict(self)


def parse_ref(text: str) -> DatasetRef:
    """Parse a reference with the precedence in the module docstring."""
    if not isinstance(text, str) or not text.strip():
        raise DataError(f"empty dataset reference; use {FORMS}")
    if text != text.strip():
        raise DataError(f"dataset reference {text!r} has leading or trailing spaces")
    text, sep, pin = text.partition(PIN)
    if sep and not PIN_RE.fullmatch(pin):
        raise DataError(f"invalid content pin {pin!r}: expected {PIN}<64 lowercase hex digits>")
    return replace(_parse(text), pin=pin or None)


def _parse(text: str) -> DatasetRef:
    for prefix in HUB_PREFIXES:
        if text.startswith(prefix):
            return _hub_ref(text[len(prefix) :], text)
    if "://" in text:
        return _store_ref(text)
    if text.startswith(("./", "../", "/", "~")) or Path(text).exists():
        return DatasetRef("folder", root=str(Path(text).expanduser()))
    if "/" in text:
        return _hub_ref(text, text)
    raise DataError(f"cannot read dataset reference {text!r}: no such folder, and not one of {FORMS}")


def _hub_ref(body: str, text: str) -> DatasetRef:
    repo, sep, revision = body.partition("@")
    check_repo_id(repo)
    if sep and (not REVISION_RE.fullmatch(revision) or ".." in revision or "//" in revision):
        raise DataError(f"invalid revision {revision!r} in {text!r}: expected a tag, branch or commit id")
    return DatasetRef("hub", repo=repo, revision=revision if sep else DEFAULT_REVISION)


def _store_ref(text: str) -> DatasetRef:
    head, sep, version = text.rpartition("@")
    if not sep or "/" in version:
        raise DataError(f"store reference {text!r} names no version: expected SCHEME://ROOT/ORG/NAME@VERSION")
    root, _, repo = head.rstrip("/").rpartition("/")
    root, _, org = root.rpartition("/")
    if "://" not in root or not root.split("://", 1)[1]:
        raise DataError(f"store reference {text!r} has no root: expected SCHEME://ROOT/ORG/NAME@VERSION")
    return DatasetRef("store", repo=check_repo_id(f"{org}/{repo}"), revision=check_version(version), root=root)
