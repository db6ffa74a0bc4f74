"""One pass over a data file's bytes, shared by every check that needs it.

The UTF-8 check, the unclosed-quote test and the row-numbering guard of the fast paths
each used to read the whole file; a ``FileBytes`` reads it once, the first time any of
them asks, and answers all three.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path


@dataclass(frozen=True)
class _Facts:
    bad_utf8: tuple[int, int, bytes] | None  # (line, byte offset, bytes) of the first non-UTF-8 byte
    quotes: int
    newlines: int
    ends_with_newline: bool


class FileBytes:
    def __init__(self, file: Path) -> None:
        self.file = file

    @cached_property
    def _facts(self) -> _Facts:
        decoder = codecs.getincrementaldecoder("utf-8")()
        bad: tuple[int, int, bytes] | None = None
        offset, quotes, newlines, last = 0, 0, 0, b""
        with self.file.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                if bad is None:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as exc:
                        start = max(exc.start, 0)
                        bad = (newlines + chunk[:start].count(b"\n") + 1, offset + start, chunk[start : start + 4])
                quotes += chunk.count(b'"')
                newlines += chunk.count(b"\n")
                offset += len(chunk)
                last = chunk[-1:]
        return _Facts(bad, quotes, newlines, last == b"\n")

    @property
    def bad_utf8(self) -> tuple[int, int, bytes] | None:
        return self._facts.bad_utf8

    @property
    def odd_quotes(self) -> bool:
        """An odd number of quote characters: a quote opened and never closed (or a stray one)."""
        return self._facts.quotes % 2 == 1

    def lines_match(self, records: int) -> bool:
        """Do ``records`` records (header included) fill exactly the file's lines? If not,
        blank lines were skipped or records span lines, and row numbers would differ."""
        return records == self._facts.newlines + (0 if self._facts.ends_with_newline else 1)
