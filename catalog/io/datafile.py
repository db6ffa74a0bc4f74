"""Data files as their bytes: plain, compressed (``.csv.gz``, ``.csv.zst``) or a Git LFS
pointer that was never pulled.

Every reader of a data file's bytes opens it here, so a compressed file gives the same
findings, row numbers and downloads as the plain file would: it is decompressed as a
stream (Arrow's codecs, outside the GIL) and never unpacked to disk whole.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa

from catalog.core.errors import CatalogError

COMPRESSIONS = {".gz": "gzip", ".zst": "zstd"}  # suffix → Arrow's codec
LFS_SIGNATURE = b"version https://git-lfs.github.com/spec/v1"
LFS_POINTER_MAX = 1024  # Git LFS pointers are about 130 bytes


class UnreadableData(CatalogError):
    """A compressed file that cannot be decompressed (truncated, or not that format)."""


def compression(path: str | Path) -> str | None:
    """Arrow's codec for the file's compression suffix, or None for a plain file."""
    return COMPRESSIONS.get(Path(path).suffix.lower())


def plain_name(path: str | Path) -> str:
    """The file's name without its compression suffix: ``crashes.csv.gz`` → ``crashes.csv``."""
    name = Path(path).name
    return name[: -len(Path(name).suffix)] if compression(name) else name


def _open_stream(path: Path, codec: str) -> pa.NativeFile:
    try:
        return pa.input_stream(str(path), compression=codec)
    except (pa.ArrowException, OSError) as exc:
        raise UnreadableData(f"{path.name}: {exc}") from None


class _ArrowRaw(io.RawIOBase):
    """An Arrow decompressing stream as a Python raw stream; decompression errors raise
    UnreadableData. Seeking back starts again from the beginning (as gzip.GzipFile does),
    which readers that sniff the first bytes and then rewind need."""

    def __init__(self, path: Path, codec: str) -> None:
        self._path = path
        self._codec = codec
        self._stream = _open_stream(path, codec)
        self._position = 0
        self.name = str(path)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            size = int(self._stream.readinto(buffer))
        except (pa.ArrowException, OSError) as exc:
            raise UnreadableData(f"{self._path.name}: {exc}") from None
        self._position += size
        return size

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._position
        elif whence != io.SEEK_SET:
            raise OSError("a compressed stream cannot seek from its end")
        if offset < self._position:
            self._stream.close()
            self._stream = _open_stream(self._path, self._codec)
            self._position = 0
        skip = bytearray(min(offset - self._position, 1 << 20) or 1)
        while self._position < offset:
            view = memoryview(skip)[: offset - self._position]
            if not self.readinto(view):
                break
        return self._position

    def close(self) -> None:
        self._stream.close()
        super().close()


def open_data(path: Path, buffer_size: int = 1 << 20) -> io.BufferedReader:
    """The file's bytes (decompressed when it has a compression suffix), for reading."""
    codec = compression(path)
    if codec is None:
        return path.open("rb")
    return io.BufferedReader(_ArrowRaw(path, codec), buffer_size=buffer_size)


def open_text(path: Path) -> io.TextIOWrapper:
    """The file as UTF-8 text (a leading BOM dropped), line endings untouched, for csv."""
    return io.TextIOWrapper(open_data(path), encoding="utf-8-sig", newline="")


def head(path: Path, size: int) -> bytes:
    """Up to ``size`` first bytes of the file's data."""
    with open_data(path) as fh:
        return fh.read(size)


def is_lfs_pointer(path: Path) -> bool:
    """Is the file a Git LFS pointer (the data itself not pulled)?"""
    try:
        if path.stat().st_size > LFS_POINTER_MAX:
            return False
        with path.open("rb") as fh:
            return fh.read(len(LFS_SIGNATURE)) == LFS_SIGNATURE
    except OSError:
        return False
