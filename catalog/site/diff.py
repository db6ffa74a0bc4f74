"""Row-level differences between two versions of a resource's data: rows added, removed
and changed (matched by the primary key; by whole-row content where there is none), columns
added and removed, and a sample of changed rows with their old and new values. One engine
for the change history and for ``catalog review``.

Each version is read once as a stream of blocks; each row is reduced to two 64-bit hashes
(its key and its content over the columns both versions publish), so memory is sixteen
bytes a row whatever the row's width; both versions are hashed in the same process. Only
the columns the caller names are read: callers pass the published (unprotected) columns,
so nothing withheld is hashed or sampled. The sample is read in a second pass over just
the rows it shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from catalog.io.blocks import header_of, text_batches

SEPARATOR = "\x1f"  # between cells of a row, before hashing
SAMPLE = 5  # changed rows shown with their old and new values


@dataclass(frozen=True)
class ChangedRow:
    """One changed row: its key's values and each cell that differs (column, old, new)."""

    key: tuple[str, ...]
    cells: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class RowDiff:
    """What changed between two versions of a resource."""

    rows_before: int
    rows_after: int
    added: int
    removed: int
    changed: int  # matched by key, with different content (0 when matched by content)
    key: tuple[str, ...]  # the primary key rows were matched by; () for whole rows
    columns_added: tuple[str, ...] = ()
    columns_removed: tuple[str, ...] = ()
    samples: tuple[ChangedRow, ...] = ()
    notes: tuple[str, ...] = field(default=())  # how rows were matched, when not by key

    def to_json(self) -> dict[str, object]:
        return {
            "rows_before": self.rows_before,
            "rows_after": self.rows_after,
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "matched_by": list(self.key) if self.key else "whole rows",
            "columns_added": list(self.columns_added),
            "columns_removed": list(self.columns_removed),
            "samples": [
                {
                    "key": list(s.key),
                    "cells": [{"column": c, "before": a, "after": b} for c, a, b in s.cells],
                }
                for s in self.samples
            ],
            "notes": list(self.notes),
        }


@dataclass
class _Digest:
    keys: np.ndarray  # uint64, one per row
    rows: np.ndarray  # uint64, one per row


def _batches(path: Path, columns: Sequence[str]) -> Iterator[pa.RecordBatch]:
    for batch in text_batches(path, header_of(path), list(columns)):
        if batch.num_rows:
            yield batch


def _row_hashes(batch: pa.RecordBatch, names: Sequence[str]) -> np.ndarray:
    """A 64-bit hash of each row's cells in ``names``: Python's own string hash (SipHash,
    seeded per process), so hashes compare within one diff and are never kept. A million
    rows take about a third of a second; a hash in NumPy over every byte took twenty times
    as long."""
    if not names:
        return np.zeros(batch.num_rows, np.uint64)
    if len(names) == 1:
        column = batch.column(names[0])
    else:
        column = pc.binary_join_element_wise(*(batch.column(n) for n in names), SEPARATOR)
    values = column.to_pylist()
    return np.fromiter(map(hash, values), dtype=np.int64, count=len(values)).view(np.uint64)


def _digest(path: Path, columns: Sequence[str], key: Sequence[str]) -> _Digest:
    keys: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    for batch in _batches(path, sorted(set(columns) | set(key))):
        content = _row_hashes(batch, columns)
        rows.append(content)
        keys.append(_row_hashes(batch, key) if key else content)
    empty = np.zeros(0, np.uint64)
    return _Digest(np.concatenate(keys) if keys else empty, np.concatenate(rows) if rows else empty)


def _unique(a: np.ndarray) -> bool:
    ordered = np.sort(a)  # (numpy's hash-based unique took 2 s on a million rows; this, 0.07)
    return bool((ordered[1:] != ordered[:-1]).all())


def diff_resource(
    old: Path,
    old_columns: Sequence[str],
    new: Path,
    new_columns: Sequence[str],
    key: Sequence[str] = (),
    sample: int = SAMPLE,
) -> RowDiff:
    """The difference between the CSV ``old`` and the CSV ``new``, each read through the
    columns given (the published ones, in either version). Rows are matched by ``key`` when
    both versions publish its columns and its values are unique in both; otherwise by their
    content, and ``notes`` says why."""
    old_header, new_header = set(header_of(old)), set(header_of(new))
    old_cols = [c for c in old_columns if c in old_header]
    new_cols = [c for c in new_columns if c in new_header]
    common = [c for c in new_cols if c in old_cols]
    added_cols = tuple(c for c in new_cols if c not in old_cols)
    removed_cols = tuple(c for c in old_cols if c not in new_cols)
    notes: list[str] = []
    key = tuple(key)
    if key and not all(k in common for k in key):
        notes.append(
            "the primary key is not published in both versions: rows are matched by their content"
        )
        key = ()
    before, after = _digest(old, common, key), _digest(new, common, key)
    if key and not (_unique(before.keys) and _unique(after.keys)):
        notes.append(
            "a primary key value repeats in one version: rows are matched by their content"
        )
        key = ()
        before, after = _Digest(before.rows, before.rows), _Digest(after.rows, after.rows)
    counts = (len(before.rows), len(after.rows))
    if not key:
        return RowDiff(
            *counts,
            *_by_content(before.rows, after.rows),
            0,
            (),
            added_cols,
            removed_cols,
            (),
            tuple(notes),
        )
    _, i_old, i_new = np.intersect1d(
        before.keys, after.keys, assume_unique=True, return_indices=True
    )
    differ = before.rows[i_old] != after.rows[i_new]
    changed = int(differ.sum())
    samples: tuple[ChangedRow, ...] = ()
    if changed and sample:
        picked = np.sort(i_new[differ])[:sample]  # the first changed rows of the new version
        samples = _samples(
            old, new, common, key, set(after.keys[picked].tolist()), after.keys[picked]
        )
    matched = len(i_old)
    return RowDiff(
        counts[0],
        counts[1],
        counts[1] - matched,
        counts[0] - matched,
        changed,
        key,
        added_cols,
        removed_cols,
        samples,
        tuple(notes),
    )


def _by_content(old: np.ndarray, new: np.ndarray) -> tuple[int, int]:
    """(added, removed) when rows are matched by content: as multisets."""
    values = np.unique(np.concatenate([old, new]))
    o_vals, o_counts = np.unique(old, return_counts=True)
    n_vals, n_counts = np.unique(new, return_counts=True)
    o_full = np.zeros(len(values), np.int64)
    n_full = np.zeros(len(values), np.int64)
    o_full[np.searchsorted(values, o_vals)] = o_counts
    n_full[np.searchsorted(values, n_vals)] = n_counts
    return int(np.maximum(n_full - o_full, 0).sum()), int(np.maximum(o_full - n_full, 0).sum())


def _samples(
    old: Path,
    new: Path,
    columns: Sequence[str],
    key: tuple[str, ...],
    wanted: set[int],
    order: np.ndarray,
) -> tuple[ChangedRow, ...]:
    """Read the wanted rows (by key hash) from both versions; their differing cells."""
    found: list[dict[int, dict[str, str]]] = []
    for path in (old, new):
        rows: dict[int, dict[str, str]] = {}
        for batch in _batches(path, sorted(set(columns) | set(key))):
            hashes = _row_hashes(batch, key)
            hits = np.flatnonzero(np.isin(hashes, np.fromiter(wanted, np.uint64, len(wanted))))
            for i in hits.tolist():
                rows[int(hashes[i])] = {c: batch.column(c)[i].as_py() for c in columns}
            if len(rows) == len(wanted):
                break  # all found: the rest of the file is not read
        found.append(rows)
    out = []
    for h in order.tolist():
        a, b = found[0].get(int(h)), found[1].get(int(h))
        if a is None or b is None:
            continue
        cells = tuple((c, a[c], b[c]) for c in columns if a[c] != b[c])
        out.append(ChangedRow(tuple(b[k] for k in key), cells))
    return tuple(out)
