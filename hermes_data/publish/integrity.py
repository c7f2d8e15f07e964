"""Integrity checks shared by load, pull and verify: a copy must match the manifest it came with."""

from __future__ import annotations

from hermes_data.dataset.manifest import READ_BATCH_ROWS, ContentHasher, row_fields
from hermes_data.errors import DataError


class IntegrityError(DataError):
    """Bytes that do not match their manifest: a tampered, truncated or corrupted copy. `verify` exits 1 on it."""

    def __init__(self, where: str, problems: list[str]) -> None:
        self.where, self.problems = where, list(problems)
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(f"{where} does not match its manifest: {problems[0]}{more}; do not train on it")


def require_clean(where: str, problems: list[str]) -> None:
    if problems:
        raise IntegrityError(where, problems)


def check_rows(dataset: object, manifest: dict, where: str) -> None:
    """The loaded rows hash to the manifest's `content_sha256` (the data, whatever the files looked like)."""
    hasher = ContentHasher(row_fields(manifest))
    # The Dataset's Arrow table is memory-mapped from its cache; hash it batch by batch to stay in bounded memory.
    for batch in dataset.data.table.to_batches(max_chunksize=READ_BATCH_ROWS):
        hasher.update(batch)
    actual = hasher.hexdigest()
    if actual != manifest["content_sha256"]:
        raise IntegrityError(
            where,
            [
                f"content_sha256 of the loaded rows is {actual[:16]}…, the manifest says "
                f"{str(manifest['content_sha256'])[:16]}…"
            ],
        )


def check_marker(marker: dict, manifest: dict, where: str) -> None:
    """A store's completion marker and the version's manifest describe the same data."""
    if marker.get("content_sha256") != manifest.get("content_sha256"):
        raise IntegrityError(
            where,
            [
                f"the completion marker names content_sha256 {str(marker.get('content_sha256'))[:16]}…, "
                f"manifest.json {str(manifest.get('content_sha256'))[:16]}…: manifest.json was replaced"
            ],
        )


def file_problems(manifest: dict, actual: dict[str, str]) -> list[str]:
    """Compare file hashes computed elsewhere (`path -> sha256`) with the manifest's shard entries."""
    problems = []
    for entry in manifest["shards"]:
        got = actual.get(entry["path"])
        if got is None:
            problems.append(f"{entry['path']} is missing (listed in manifest.json)")
        elif got != entry["sha256"]:
            problems.append(
                f"{entry['path']}: sha256 {got[:16]}… does not match the manifest's {entry['sha256'][:16]}…"
            )
    return problems
