"""Read a CSV's blocks one step ahead, in a thread; blocks that grow for long records.

pyarrow's streaming CSV reader parses a block while holding no lock, so a thread that
parses the next block while the caller checks or converts the current one keeps the
second core busy. At most ``depth`` parsed blocks wait, so memory stays bounded.
"""

from __future__ import annotations

import contextlib
import csv
import queue
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.csv as pacsv

from catalog.io.datafile import compression, open_text

T = TypeVar("T")
_DONE = object()


def as_written(columns: Iterable[str], include: list[str] | None = None) -> pacsv.ConvertOptions:
    """Convert options that keep every cell of ``columns`` as the text written (no nulls, no
    type guessing), reading only ``include`` (all when None): how validation, inference,
    conversion and the change history read a CSV's cells."""
    return pacsv.ConvertOptions(
        column_types=dict.fromkeys(columns, pa.string()),
        include_columns=include if include is not None else [],
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        null_values=[],
    )


def header_of(csv_file: Path) -> list[str]:
    """A CSV's header (plain or compressed; a byte-order mark dropped)."""
    with open_text(csv_file) as fh:
        return next(csv.reader(fh), [])


def text_batches(csv_file: Path, header: list[str], names: list[str]) -> CsvBatches:
    """The columns ``names`` of a CSV as blocks of text cells, exactly as written."""
    return CsvBatches(
        csv_file,
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=as_written(header, names),
    )


def read_ahead(source: Iterable[T], depth: int = 2) -> Iterator[T]:
    """The items of ``source``, produced by a thread up to ``depth`` items ahead; an error
    in the thread is raised here. Leaving the loop early stops the thread."""
    waiting: queue.Queue[object] = queue.Queue(depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in source:
                while not stop.is_set():
                    try:
                        waiting.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            waiting.put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer and raised there
            waiting.put(exc)

    thread = threading.Thread(target=produce, name="read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = waiting.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting to put, then let it finish
            with contextlib.suppress(queue.Empty):
                waiting.get(timeout=0.1)
        thread.join()


BLOCK = 1 << 20  # bytes of CSV per block: larger blocks cost memory (each thread caches its own)
LARGEST_BLOCK = 1 << 30  # Arrow's block size is a 32-bit number


class CsvBatches:
    """pyarrow's streaming CSV reader, with blocks that grow for long records.

    Arrow refuses a record longer than a block ("straddling object"). Blocks start at
    1 MiB, which suits typical files; on that refusal the reader is opened again with
    blocks eight times larger and the rows already produced are skipped, so callers see
    every row once, in order. catalog.yaml's ``limits.max_line_mb`` bounds the growth.
    """

    def __init__(
        self,
        file: Path,
        parse_options: pacsv.ParseOptions,
        convert_options: pacsv.ConvertOptions,
        **read_options: Any,
    ) -> None:
        self.file = file
        self.parse_options = parse_options
        self.convert_options = convert_options
        self.read_options = read_options
        self.block = BLOCK
        self._reader = self._open()

    def _open(self) -> pacsv.CSVStreamingReader:
        while True:
            try:
                codec = compression(self.file)  # Arrow's own detection knows lowercase only
                source = self.file if codec is None else pa.input_stream(str(self.file), codec)
                return pacsv.open_csv(
                    source,
                    read_options=pacsv.ReadOptions(
                        block_size=self.block, use_threads=False, **self.read_options
                    ),
                    parse_options=self.parse_options,
                    convert_options=self.convert_options,
                )
            except pa.ArrowInvalid as exc:
                self._grow(exc)

    def _grow(self, exc: pa.ArrowInvalid) -> None:
        if "straddl" not in str(exc) or self.block >= LARGEST_BLOCK:
            raise exc
        self.block = min(self.block * 8, LARGEST_BLOCK)

    @property
    def schema(self) -> pa.Schema:
        return self._reader.schema

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        done = 0  # rows produced
        while True:
            seen = 0  # rows read by this reader
            try:
                for batch in self._reader:
                    end = seen + batch.num_rows
                    if end > done:
                        yield batch.slice(done - seen) if seen < done else batch
                        done = end
                    seen = end
                return
            except pa.ArrowInvalid as exc:
                self._grow(exc)
                self._reader = self._open()
