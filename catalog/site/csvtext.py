"""The published CSV as text: a CSV's columns read as blocks of text cells exactly as
written, and written back as CSV lines the way the build publishes them. The conversion
(``transform.py``), the change history's hashes of old versions (``history.py``) and its
row diff (``diff.py``) all read and write through here, so that the history's cache can be
keyed by this module and theirs alone (a change elsewhere in the package keeps it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from catalog.io.blocks import header_of, text_batches
from catalog.io.datafile import open_data


def string_bytes(col: pa.Array) -> np.ndarray:
    """The UTF-8 bytes of a string column's values, as numpy sees them (no copy)."""
    _, offsets, data = col.buffers()
    if data is None or not len(col):
        return np.empty(0, np.uint8)
    bounds = np.frombuffer(offsets, dtype=np.int32, count=len(col) + 1, offset=col.offset * 4)
    return np.frombuffer(data, dtype=np.uint8)[bounds[0] : bounds[-1]]


_CSV_SPECIAL = np.zeros(256, dtype=bool)
_CSV_SPECIAL[[ord(","), ord('"'), ord("\n"), ord("\r")]] = True


def csv_records(text: pa.RecordBatch) -> bytes | memoryview:
    """The rows of a batch of text cells as CSV lines, quoted only where needed (as Python's
    csv module does), vectorised; Arrow's own buffer, no copy."""
    cells = []
    for col in text.columns:
        raw = string_bytes(col)
        if raw.size and _CSV_SPECIAL[raw].any():
            quote = pc.match_substring_regex(col, '[,"\r\n]')
            col = pc.if_else(
                quote,
                pc.binary_join_element_wise('"', pc.replace_substring(col, '"', '""'), '"', ""),
                col,
            )
        if text.num_columns == 1:  # an empty line would read back as no row at all
            col = pc.if_else(pc.equal(col, ""), '""', col)
        cells.append(col)
    lines = pc.binary_join_element_wise(*cells, ",")
    lines = pc.binary_join_element_wise(lines, "\n", "")
    raw = string_bytes(lines)
    return raw.data if raw.size else b""


def published_csv(
    csv_file: Path, published: list[str], write: Callable[[bytes | memoryview], Any]
) -> None:
    """The bytes of the CSV the build publishes for ``csv_file`` (plain or compressed) whose
    unwithheld columns are ``published`` (schema order), passed to ``write`` in pieces: the
    agency's bytes less a byte-order mark when no column is withheld, else those columns
    written as the build writes them. The change history hashes old versions with it."""
    header = header_of(csv_file)
    names = [n for n in published if n in header]
    if not names:
        raise ValueError("none of the schema's published columns is in the file's header")
    if len(names) == len(header):
        with open_data(csv_file) as src:
            first = src.read(3)
            write(first.removeprefix(b"\xef\xbb\xbf"))
            while chunk := src.read(1 << 20):
                write(chunk)
        return
    write(csv_records(pa.RecordBatch.from_arrays([pa.array([n]) for n in names], names=names)))
    for batch in text_batches(csv_file, header, names):
        if batch.num_rows:
            write(
                csv_records(
                    pa.RecordBatch.from_arrays([batch.column(n) for n in names], names=names)
                )
            )
