"""One pass over a data file's bytes, shared by every check that needs it.

The UTF-8 check, the unclosed-quote test and the row-numbering guard of the fast paths
each used to read the whole file; a ``FileBytes`` reads it once, the first time any of
them asks, and answers all three. A compressed file's facts are those of its data.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa

from catalog.io.datafile import UnreadableData, open_data


@dataclass(frozen=True)
class _Facts:
    bad_utf8: (
        tuple[int, int, bytes] | None
    )  # (line, byte offset, bytes) of the first non-UTF-8 byte
    quotes: int
    newlines: int
    escapes: int  # bytes JSON escaping adds: 5 per control character, 1 per backslash
    ends_with_newline: bool
    longest_line: tuple[int, int]  # (bytes, line number) of the longest line of CHUNK or more
    size: int  # bytes of data (decompressed), up to the limit
    over_limit: bool  # the data goes on past the limit (not read further)
    unreadable: str | None  # why a compressed file could not be read to its end


CHUNK = 1 << 22


class FileBytes:
    """Facts of a data file's bytes, read in one pass on first use."""

    def __init__(self, file: Path, limit: int | None = None) -> None:
        self.file = file
        self.limit = limit  # stop reading after this many bytes of data (a compressed file's)

    @cached_property
    def _facts(self) -> _Facts:
        # numpy counts bytes and Arrow checks UTF-8 several times faster than bytes.count
        # and Python's decoder, without copying; the decoder only runs to place a bad byte.
        bad: tuple[int, int, bytes] | None = None
        quotes = newlines = offset = keep = line_start = escapes = 0
        longest = (0, 0)
        last = b""
        # one buffer for every chunk; the up to 3 bytes of a character cut by the chunk's end
        # are kept at its start and checked with the next chunk (they hold no quote or newline)
        buffer = bytearray(CHUNK + 4)
        view = memoryview(buffer)
        mask = np.empty(CHUNK + 4, dtype=bool)
        over = False
        unreadable = None
        try:
            fh = open_data(self.file)
        except UnreadableData as exc:
            return _Facts(None, 0, 0, 0, False, (0, 0), 0, False, str(exc))
        with fh:
            while size := _read(fh, view[keep : keep + CHUNK]):
                if isinstance(size, str):
                    unreadable = size
                    break
                total = keep + size
                raw = np.frombuffer(buffer, dtype=np.uint8, count=total)
                quotes += int(np.count_nonzero(np.equal(raw, 0x22, out=mask[:total])))
                escapes += int(np.count_nonzero(np.equal(raw, 0x5C, out=mask[:total])))
                escapes += 5 * int(np.count_nonzero(np.less(raw, 0x20, out=mask[:total])))
                ends = int(np.count_nonzero(np.equal(raw, 0x0A, out=mask[:total])))
                escapes -= 5 * ends  # line breaks between records are no JSON text
                if ends:
                    # a line of CHUNK bytes or more crosses a chunk's edge: measuring the
                    # lines that end at a chunk's first and last newline finds it
                    at = offset - keep  # the file offset of buffer[0]
                    first = at + int(np.argmax(mask[:total]))
                    longest = max(longest, (first - line_start, newlines + 1))
                    line_start = at + total - int(np.argmax(mask[:total][::-1]))
                last = bytes(view[total - 1 : total])
                keep = 0
                if bad is None:
                    cut = _whole_characters(buffer, total)
                    bad = _first_bad_utf8(view[:cut], offset - (total - size), newlines)
                    keep = total - cut
                    buffer[:keep] = buffer[cut:total]
                newlines += ends
                offset += size
                if self.limit is not None and offset > self.limit:
                    over = True
                    break
        if bad is None and keep:
            bad = _first_bad_utf8(view[:keep], offset - keep, newlines)
        longest = max(longest, (offset - line_start, newlines + 1))
        return _Facts(
            bad, quotes, newlines, escapes, last == b"\n", longest, offset, over, unreadable
        )

    @property
    def size(self) -> int:
        """Bytes of data: the file's size, or its decompressed size (up to the limit)."""
        return self._facts.size

    @property
    def over_limit(self) -> bool:
        """Does the data go on past the limit given (reading stopped there)?"""
        return self._facts.over_limit

    @property
    def unreadable(self) -> str | None:
        """Why a compressed file could not be read to its end (truncated, not that format)."""
        return self._facts.unreadable

    @property
    def bad_utf8(self) -> tuple[int, int, bytes] | None:
        return self._facts.bad_utf8

    @property
    def escapes(self) -> int:
        """Bytes that escaping the file's text as JSON strings may add (at most)."""
        return self._facts.escapes

    @property
    def lines(self) -> int:
        """The number of lines (a last line without a line break counts)."""
        facts = self._facts
        return facts.newlines + (0 if facts.ends_with_newline or not facts.longest_line[1] else 1)

    @property
    def longest_line(self) -> tuple[int, int]:
        """(bytes, line number) of the file's longest line, when it is CHUNK bytes (4 MiB)
        or longer; shorter lines may give (0, 0) or a lower figure."""
        return self._facts.longest_line

    @property
    def odd_quotes(self) -> bool:
        """An odd number of quote characters: a quote opened and never closed (or a stray one)."""
        return self._facts.quotes % 2 == 1

    def lines_match(self, records: int) -> bool:
        """Do ``records`` records (header included) fill exactly the file's lines? If not,
        blank lines were skipped or records span lines, and row numbers would differ."""
        return records == self._facts.newlines + (0 if self._facts.ends_with_newline else 1)


def _read(fh: io.BufferedReader, view: memoryview) -> int | str:
    """Bytes read into ``view``, or why the data cannot be read."""
    try:
        return fh.readinto(view)
    except UnreadableData as exc:
        return str(exc)


def _whole_characters(buffer: bytearray, total: int) -> int:
    """How many of the first ``total`` bytes end on a UTF-8 character boundary: all of them,
    unless they end inside a multi-byte character (which then waits for the next chunk)."""
    start = total - 1
    while start > max(total - 4, 0) and buffer[start] & 0xC0 == 0x80:
        start -= 1  # back over continuation bytes to the character's first byte
    lead = buffer[start] if total else 0
    length = (
        2 if 0xC0 <= lead < 0xE0 else 3 if 0xE0 <= lead < 0xF0 else 4 if 0xF0 <= lead < 0xF8 else 0
    )
    return start if length and total - start < length else total


def _first_bad_utf8(
    data: bytes | memoryview, offset: int, lines_before: int
) -> tuple[int, int, bytes] | None:
    """(line, file offset, bytes) of the first invalid UTF-8 byte in ``data``, which starts
    at ``offset`` after ``lines_before`` newlines and ends at a character boundary."""
    if not len(data):
        return None
    bounds = pa.array([0, len(data)], pa.int32()).buffers()[1]
    try:
        pa.Array.from_buffers(pa.binary(), 1, [None, bounds, pa.py_buffer(data)]).cast(pa.string())
        return None
    except pa.ArrowInvalid:
        pass
    text = bytes(data)
    try:
        text.decode("utf-8")
        return None
    except UnicodeDecodeError as exc:
        start = max(exc.start, 0)
        return (
            lines_before + text[:start].count(b"\n") + 1,
            offset + start,
            text[start : start + 4],
        )
