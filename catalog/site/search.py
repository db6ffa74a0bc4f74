"""Index the assembled site for static full-text search with Pagefind (its binary ships in
the pagefind wheel and runs offline)."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from catalog.core.errors import CatalogError


class SearchIndexError(CatalogError):
    """Pagefind failed or wrote an index the build cannot read back."""

    pass


def start_indexing(site: Path) -> subprocess.Popen[str]:
    """Start Pagefind on the site's pages; it runs while the build writes other files."""
    # only dataset pages carry data-pagefind-body; reading the rest would be wasted time
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site),
        "--glob",
        "datasets/*/*/index.html",
        "--quiet",
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_indexing(proc: subprocess.Popen[str], site: Path) -> None:
    """Wait for Pagefind, then make its index the same for the same pages."""
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SearchIndexError(f"pagefind failed: {err.strip() or out.strip()}")
    stabilise(site / "pagefind")


def index_site(site: Path) -> None:
    """Index ``site`` for search (Pagefind), stably."""
    finish_indexing(start_indexing(site), site)


# --- a stable index -------------------------------------------------------------------
# Pagefind writes its filter and sort indexes from hash maps, so two runs over the same
# pages give files with the same contents in a different order, under different names.
# The build rewrites them in sorted order, named by their contents, so that the same
# commit gives byte-identical sites. The files are gzip'd CBOR after a signature; only the
# subset Pagefind writes is read, and anything else stops with a clear error.

_SIGNATURE = b"pagefind_dcd"


def _cbor_head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | extra]) + value.to_bytes(size, "big")
    raise SearchIndexError(f"pagefind index: integer {value} too large")


def cbor_dumps(value: object) -> bytes:
    """CBOR for ints, text, bytes and lists, each in its shortest form (as Pagefind writes)."""
    if isinstance(value, bool) or value is None:
        raise SearchIndexError(f"pagefind index: unexpected value {value!r}")
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _cbor_head(3, len(data)) + data
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(cbor_dumps(v) for v in value)
    raise SearchIndexError(f"pagefind index: unexpected value {value!r}")


def cbor_loads(data: bytes) -> object:
    """Decode the CBOR Pagefind writes (the subset it uses), all of ``data``."""
    value, end = _cbor_item(data, 0)
    if end != len(data):
        raise SearchIndexError("pagefind index: trailing bytes")
    return value


def _cbor_item(data: bytes, pos: int) -> tuple[object, int]:
    major, info = data[pos] >> 5, data[pos] & 31
    pos += 1
    if info < 24:
        arg = info
    elif info <= 27:
        size = 1 << (info - 24)
        arg, pos = int.from_bytes(data[pos : pos + size], "big"), pos + size
    else:
        raise SearchIndexError(f"pagefind index: unsupported CBOR item at byte {pos - 1}")
    if major == 0:
        return arg, pos
    if major == 1:
        return -1 - arg, pos
    if major in (2, 3):
        raw = data[pos : pos + arg]
        return (raw.decode("utf-8") if major == 3 else bytes(raw)), pos + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, pos = _cbor_item(data, pos)
            items.append(item)
        return items, pos
    raise SearchIndexError(f"pagefind index: unsupported CBOR item at byte {pos - 1}")


def _read_index_file(path: Path) -> list[Any]:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise SearchIndexError(f"pagefind index: {path.name} has no Pagefind signature")
    value = cbor_loads(data[len(_SIGNATURE) :])
    if not isinstance(value, list):
        raise SearchIndexError(f"pagefind index: {path.name} is not a list")
    return value


def _write_index_file(folder: Path, prefix: str, digits: int, suffix: str, value: list[Any]) -> str:
    """Write ``value`` as ``{prefix}{hash}{suffix}`` named by its contents; return the hash part."""
    data = _SIGNATURE + cbor_dumps(value)
    name = prefix + hashlib.sha256(data).hexdigest()[:digits]
    (folder / f"{name}{suffix}").write_bytes(gzip.compress(data, mtime=0))
    return name


def stabilise(pagefind: Path) -> None:
    """Rewrite the filter and sort indexes of every language in a canonical order."""
    entry_path = pagefind / "pagefind-entry.json"
    entry_text = entry_path.read_text("utf-8")
    for language in json.loads(entry_text)["languages"].values():
        old = language["hash"]
        meta_path = pagefind / f"pagefind.{old}.pf_meta"
        meta = _read_index_file(meta_path)
        # [version, pages, index chunks, filters [name, file], sorts [name, pages], meta fields]
        filters = []
        for name, file in sorted(meta[3]):
            path = pagefind / "filter" / f"{file}.pf_filter"
            label, values = _read_index_file(path)  # [filter name, [[value, pages], ...]]
            values = [label, sorted([value, sorted(pages)] for value, pages in values)]
            path.unlink()
            prefix = file.rsplit("_", 1)[0] + "_"
            filters.append(
                [name, _write_index_file(pagefind / "filter", prefix, 7, ".pf_filter", values)]
            )
        meta[3] = filters
        meta[4] = sorted(meta[4])
        meta_path.unlink()
        new = _write_index_file(
            pagefind, "pagefind." + old.rsplit("_", 1)[0] + "_", 10, ".pf_meta", meta
        )
        new_hash = new.removeprefix("pagefind.")
        entry_text = entry_text.replace(f'"{old}"', f'"{new_hash}"')
    entry_path.write_text(entry_text, "utf-8")
