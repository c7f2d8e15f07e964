"""Read a file a user hands in (a recipe, a scores file, a data input) or say in one line why it cannot be read.

Each check names the file and the fix: missing, a folder where a file is expected, empty, binary, or text in an
encoding other than UTF-8. Data inputs are checked only as far as their format needs: a Parquet or compressed file
is binary by design, and a stray invalid byte inside a JSON row is the readers' business (they replace it and flag
the row), so only a file that is text in another encoding as a whole (UTF-16/32) is refused here.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

from hermes_data.errors import DataError, HermesError

HEAD_BYTES = 1 << 16  # enough to tell text from binary and to find a wrong encoding in any real file
# Magic numbers of inputs that are binary by design (Parquet; gzip, bzip2, xz, zstd streams).
LFS_POINTER = b"version https://git-lfs.github.com/spec/v1"
BINARY_FORMATS = (b"PAR1", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd")
EMPTY_HINT = {"recipe": "a recipe is a YAML mapping of settings (key: value lines)"}
_WIDE_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}


def read_text(path: str | Path, *, what: str = "file", error: type[HermesError] = DataError) -> str:
    """The whole text of a small UTF-8 file (a leading BOM dropped); `error` naming the file and the fix otherwise."""
    path = Path(path)
    data = _read_bytes(path, what, error)
    if not data.strip():
        raise error(f"{path}: the {what} is empty; {EMPTY_HINT.get(what, 'give a file with content, or another file')}")
    problem = _text_problem(data)
    if problem:
        raise error(f"{path}: the {what} {problem}")
    return data.decode("utf-8-sig")


def read_json(path: str | Path, *, what: str = "file", shape: type = dict, hint: str = "") -> Any:
    """A small JSON file whose top level is a `shape` (an object by default); one line naming the file otherwise."""
    path = Path(path)
    text = read_text(path, what=what)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}:{exc.lineno}: the {what} is not valid JSON ({exc.msg})") from None
    if not isinstance(data, shape):
        want = {dict: "an object {...}", list: "a list [...]"}.get(shape, shape.__name__)
        raise DataError(f"{path}: the {what} must hold {want} at the top, not a {type(data).__name__}{hint}")
    return data


def check_data_input(path: str | Path) -> None:
    """Refuse a local data input that no reader can use: missing, empty, or text in a wide encoding. Folders are
    left to the readers (which list the files they take); Hub references are not local files at all."""
    path = Path(path)
    if path.is_dir():
        return
    if not path.exists():
        raise DataError(f"{path}: no such file or folder; check the path")
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise DataError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if not head:
        raise DataError(f"{path}: the file is empty (0 bytes), so there are no rows to read; check the path")
    if head.startswith(BINARY_FORMATS):
        return
    if is_lfs_pointer(head):
        raise DataError(lfs_pointer_message(path))
    wide = _wide_encoding(head)
    if wide:
        raise DataError(f"{path}: the file is {wide} text, not UTF-8; re-save it as UTF-8 (iconv -f {wide} -t UTF-8)")


def is_lfs_pointer(head: bytes) -> bool:
    """A Git LFS pointer: the small text file a clone without `git lfs` holds in place of the real data."""
    return head.startswith(LFS_POINTER)


def lfs_pointer_message(path: str | Path) -> str:
    return (
        f"{path}: this is a Git LFS pointer, not the data (the repository was cloned without its LFS files); "
        "run `git lfs pull` in the clone, or download the file itself"
    )


def unreadable_parquet(file: str | Path, exc: Exception) -> DataError:
    """The error for a Parquet file pyarrow cannot open: a Git LFS pointer said as such, else pyarrow's reason."""
    try:
        with open(file, "rb") as fh:
            if is_lfs_pointer(fh.read(128)):
                return DataError(lfs_pointer_message(file))
    except OSError:
        pass
    return DataError(f"{file}: not a readable Parquet file ({exc})")


def _read_bytes(path: Path, what: str, error: type[HermesError]) -> bytes:
    if path.is_dir():
        raise error(f"{path}: no such {what} file, it is a folder; give the file inside it")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: no such {what} file; check the path") from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None


def _text_problem(data: bytes) -> str | None:
    """Why `data` is not UTF-8 text, as the end of a sentence; None when it is."""
    wide = _wide_encoding(data)
    if wide:
        return f"is {wide} text, not UTF-8; re-save it as UTF-8"
    if b"\x00" in data[:HEAD_BYTES]:
        return "is a binary file, not a UTF-8 text file; give the YAML/JSON text file instead"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        return (
            f"is not a UTF-8 text file (byte 0x{byte:02x} on line {line}); re-save it as UTF-8 "
            "(e.g. iconv -f latin1 -t UTF-8, or your editor's 'save with encoding')"
        )
    return None


def _wide_encoding(head: bytes) -> str | None:
    """UTF-16/32 by their BOM, or without one by the NUL bytes every ASCII character brings along."""
    for bom, name in _WIDE_BOMS.items():
        if head.startswith(bom):
            return name
    sample = head[:4096]
    if len(sample) < 8:
        return None
    # ASCII in UTF-16 puts a NUL in every other byte (odd positions little-endian, even ones big-endian).
    for half in (sample[1::2], sample[0::2]):
        if half.count(0) >= 0.9 * len(half):
            return "UTF-16"
    return None
