"""Open a data file that may be compressed (.gz, .bz2, .xz, .zst) as a stream of its decompressed bytes.

Public datasets ship compressed JSONL (anthropics/hh-rlhf has `train.jsonl.gz`), so every reader opens files through
`open_data`. The codec is chosen from the magic bytes first and the extension second: a `.gz` name on a plain file
(a download tool that decompressed it already) and a compressed file without the suffix both read correctly.
Decompression is streamed, so memory stays bounded whatever the file size. zstd goes through pyarrow's codec
(already a base dependency) because the `zstandard` package is not one.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
from typing import BinaryIO

from hermes_data.errors import DataError

# Magic bytes of each container (RFC 1952, bzip2, xz, RFC 8878).
_MAGIC = {
    "gzip": b"\x1f\x8b",
    "bz2": b"BZh",
    "xz": b"\xfd7zXZ\x00",
    "zstd": b"\x28\xb5\x2f\xfd",
}
_SUFFIX = {".gz": "gzip", ".gzip": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd", ".zstd": "zstd"}
COMPRESSED_SUFFIXES = tuple(_SUFFIX)


def codec_of(path: str | os.PathLike) -> str | None:
    """The compression of `path` from its first bytes; None for a plain file, whatever its name."""
    with open(path, "rb") as fh:
        head = fh.read(6)
    for codec, magic in _MAGIC.items():
        if head.startswith(magic):
            return codec
    return None


def strip_compression_suffix(path: str) -> str:
    """`train.jsonl.gz` -> `train.jsonl`: the name that tells what the decompressed bytes hold."""
    root, ext = os.path.splitext(path)
    return root if ext.lower() in _SUFFIX else path


def open_data(path: str | os.PathLike) -> BinaryIO:
    """A binary stream of the decompressed content of `path` (the plain file when it is not compressed)."""
    codec = codec_of(path)
    if codec is None:  # also a `.gz` name on plain bytes: a download tool that decompressed it already
        return open(path, "rb")
    if codec == "gzip":
        return gzip.open(path, "rb")
    if codec == "bz2":
        return bz2.open(path, "rb")
    if codec == "xz":
        return lzma.open(path, "rb")
    return _open_zstd(path)


def _open_zstd(path: str | os.PathLike) -> BinaryIO:
    import pyarrow as pa

    if not pa.Codec.is_available("zstd"):
        raise DataError(f"{path}: a zstd file, but this pyarrow build has no zstd codec; decompress it with `zstd -d`")
    raw = pa.input_stream(str(path), compression="zstd")
    return io.BufferedReader(_ArrowReader(raw), buffer_size=1 << 20)


class _ArrowReader(io.RawIOBase):
    """pyarrow's stream as a raw io object, so `io.BufferedReader` gives it line iteration."""

    def __init__(self, stream) -> None:  # noqa: ANN001 - a pyarrow NativeFile
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()
