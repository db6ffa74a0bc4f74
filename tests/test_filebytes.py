"""The one pass over a data file's bytes, and the read-ahead thread the fast paths use."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

import catalog.io.filebytes as filebytes
from catalog.io.blocks import read_ahead
from catalog.io.filebytes import FileBytes

PIECES = [
    b"abc,def\n",
    b"old\rmac\r",
    "\u00e9\u00e9\u00e9".encode(),
    "\u00e9\u2713\n".encode(),
    "x\u20acy".encode(),
    b"\n",
    b"\xff",
    b"\xe2\x82",
    b"plain",
    b'"q"',
    b"\r\n",
]


def _python_says(data: bytes) -> tuple[int, int, int] | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (data[: exc.start].count(b"\n") + 1, exc.start, data[exc.start])
    return None


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64, 1 << 22])
def test_facts_match_pythons_decoder_and_counts_across_chunk_edges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(filebytes, "CHUNK", chunk)
    rng = random.Random(chunk)
    for trial in range(150):
        data = b"".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 50)))
        file = tmp_path / f"{trial}.csv"
        file.write_bytes(data)
        facts = FileBytes(file)
        bad = facts.bad_utf8
        assert (bad and (bad[0], bad[1], bad[2][0])) == _python_says(data), data
        assert facts.odd_quotes == (data.count(b'"') % 2 == 1)
        lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        assert facts.lines_match(lines) and not facts.lines_match(lines + 1)


def test_read_ahead_gives_every_item_in_order_and_raises_the_threads_error() -> None:
    assert list(read_ahead(iter(range(1000)))) == list(range(1000))

    def broken():
        yield 1
        raise ValueError("parse failed at block 2")

    got = []
    with pytest.raises(ValueError, match="block 2"):
        for item in read_ahead(broken()):
            got.append(item)
    assert got == [1]


def test_leaving_read_ahead_early_stops_its_thread() -> None:
    before = threading.active_count()
    for item in read_ahead(iter(range(10**9))):
        if item == 5:
            break
    assert threading.active_count() == before
