"""Versions on the Hugging Face Hub: a dataset repo, one commit per version on `main`, a tag per version.

Everything goes through `huggingface_hub.HfApi`, which takes the token from `HF_TOKEN` or the saved login; this
module never reads, passes, prints or writes it. Tags are never moved or deleted: publishing a version whose tag
exists is refused before anything is written.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
from collections.abc import Iterator
from pathlib import Path

from hermes_data.errors import DataError

REPO_TYPE = "dataset"
BRANCH = "main"
# Folders a version owns on `main`: files there that the new version does not list are deleted in the same commit,
# or the card's glob `data/train-*.parquet` would load a previous version's extra shards.
OWNED_DIRS = ("data/", "rejected/")


@contextlib.contextmanager
def hub_errors(what: str) -> Iterator[None]:
    """Turn the client's HTTP and connection errors into one-line `DataError`s that name the operation."""
    from huggingface_hub.errors import HTTPError, RepositoryNotFoundError, RevisionNotFoundError

    try:
        yield
    except RepositoryNotFoundError as exc:
        raise DataError(f"{what}: no such dataset repo on the Hub, or no access (check HF_TOKEN)") from exc
    except RevisionNotFoundError as exc:
        raise DataError(f"{what}: no such tag, branch or commit") from exc
    except HTTPError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{what}: the Hub answered {first}") from exc
    except Exception as exc:
        # Unreachable Hub (offline machine, DNS, proxy): the HTTP stack's own connection errors, whichever httpx
        # generation huggingface_hub runs on, become one line instead of a traceback.
        if not (isinstance(exc, OSError) or type(exc).__module__.split(".")[0] in _HTTP_STACKS):
            raise
        raise DataError(
            f"{what}: cannot reach the Hub ({type(exc).__name__}: {exc}); check the network or HF_ENDPOINT"
        ) from exc


_HTTP_STACKS = {"httpx", "httpx2", "httpcore", "httpcore2", "requests", "urllib3", "h11", "anyio"}


def _api():
    from huggingface_hub import HfApi

    return HfApi()


def repo_refs(repo: str) -> tuple[dict[str, str], dict[str, str]] | None:
    """(tag → commit id, branch → commit id) of a repo; None when the repo does not exist yet."""
    from huggingface_hub.errors import RepositoryNotFoundError

    with hub_errors(f"listing the tags of {repo}"):
        try:
            refs = _api().list_repo_refs(repo, repo_type=REPO_TYPE)
        except RepositoryNotFoundError:
            return None
    return {ref.name: ref.target_commit for ref in refs.tags}, {ref.name: ref.target_commit for ref in refs.branches}


def check_tag_free(repo: str, version: str) -> str | None:
    """Refuse a version whose tag (or a branch of that name) exists; the head of main, None for a new repo."""
    refs = repo_refs(repo)
    if refs is None:
        return None
    tags, branches = refs
    if version in tags:
        raise DataError(
            f"{repo}@{version} is already published (tag at commit {tags[version][:12]}); tags are never moved, "
            "choose a new version"
        )
    if version in branches:
        raise DataError(f"{repo} has a branch named {version!r}; a tag of that name would be ambiguous, choose another")
    return branches.get(BRANCH)


def publish_to_hub(
    folder: Path, files: list[str], card: str, repo: str, version: str, *, private: bool, message: str
) -> str:
    """Upload `files` of `folder` (with `card` as README.md) in one commit on main, tag it; the commit id."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    head = check_tag_free(repo, version)
    api = _api()
    with hub_errors(f"publishing {repo}@{version}"):
        if head is None:
            api.create_repo(repo, repo_type=REPO_TYPE, private=private, exist_ok=True)
        operations = [CommitOperationAdd(f, str(folder / f)) for f in files if f != "README.md"]
        operations.append(CommitOperationAdd("README.md", card.encode("utf-8")))
        on_main = api.list_repo_files(repo, repo_type=REPO_TYPE, revision=head) if head else []
        operations += [CommitOperationDelete(p) for p in on_main if p.startswith(OWNED_DIRS) and p not in set(files)]
        # parent_commit: if main moved since we listed it, the Hub refuses the commit instead of mixing versions.
        commit = api.create_commit(
            repo,
            operations=operations,
            commit_message=message,
            repo_type=REPO_TYPE,
            revision=BRANCH,
            parent_commit=head,
        )
    with hub_errors(f"tagging {repo}@{version} (commit {commit.oid} is on main, untagged)"):
        api.create_tag(repo, tag=version, revision=commit.oid, tag_message=message, repo_type=REPO_TYPE)
    return commit.oid


def resolve_commit(repo: str, revision: str) -> str:
    """The immutable commit id a tag, branch or commit points to now."""
    with hub_errors(f"resolving {repo}@{revision}"):
        return _api().dataset_info(repo, revision=revision).sha


def download_file(repo: str, commit: str, path: str) -> Path:
    """One file of a commit, through the Hugging Face cache (shared with `datasets`, so shards come for free).

    A file the commit lacks raises `FileNotFoundError`, as a local folder would: callers report it as missing.
    """
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError

    try:
        with hub_errors(f"downloading {path} from {repo}@{commit[:12]}"):
            return Path(hf_hub_download(repo, path, repo_type=REPO_TYPE, revision=commit))
    except DataError as exc:
        if isinstance(exc.__cause__, EntryNotFoundError):
            raise FileNotFoundError(errno.ENOENT, f"not in {repo}@{commit[:12]}", path) from exc.__cause__
        raise


def download(repo: str, commit: str, files: list[str], dest: Path) -> None:
    """Copy the listed files of a commit into the local folder `dest`."""
    for relative in files:
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(download_file(repo, commit, relative), target)


def list_tags(repo: str) -> dict[str, str]:
    """Tag → commit id of an existing repo."""
    refs = repo_refs(repo)
    if refs is None:
        raise DataError(f"{repo}: no such dataset repo on the Hub, or no access (check HF_TOKEN)")
    return refs[0]


def commit_date(repo: str, commit: str) -> str:
    with hub_errors(f"reading the history of {repo}"):
        history = _api().list_repo_commits(repo, repo_type=REPO_TYPE, revision=commit)
    return history[0].created_at.isoformat(timespec="seconds") if history else ""
