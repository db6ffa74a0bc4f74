"""The row diff engine against an independent computation (Python's csv module and dicts):
rows added, removed and changed by primary key or by content, columns added and removed,
samples of changed rows, withheld columns never read."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from pathlib import Path

from conftest import CatalogMaker, Runner, dataset_yaml

from catalog.site.diff import diff_resource

HEADER = ["id", "town", "amount", "secret"]


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_text(out.getvalue(), "utf-8")
    return path


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def expected(old: Path, new: Path, columns: list[str], key: str) -> tuple[int, int, int]:
    a = {r[key]: tuple(r[c] for c in columns) for r in read(old)}
    b = {r[key]: tuple(r[c] for c in columns) for r in read(new)}
    changed = sum(1 for k in a.keys() & b.keys() if a[k] != b[k])
    return len(b.keys() - a.keys()), len(a.keys() - b.keys()), changed


def generated(tmp_path: Path, seed: int) -> tuple[Path, Path]:
    rnd = random.Random(seed)
    old = [
        [
            str(i),
            rnd.choice(["Hartford", 'New "Haven"', "Ås, CT", ""]),
            str(rnd.randint(0, 9)),
            f"s{i}",
        ]
        for i in range(500)
    ]
    new = [list(r) for r in old if rnd.random() > 0.1]  # removed
    for r in new:
        if rnd.random() < 0.2:
            r[2] = str(int(r[2]) + 1)  # changed
        if rnd.random() < 0.3:
            r[3] = "edited secret"  # a withheld column edited: not a change
    new += [[str(1000 + i), "Line\nbreak", "1", "x"] for i in range(37)]  # added
    rnd.shuffle(new)
    return write(tmp_path / "old.csv", old), write(tmp_path / "new.csv", new)


def test_counts_by_key_equal_an_independent_count(tmp_path: Path) -> None:
    for seed in range(5):
        old, new = generated(tmp_path, seed)
        published = ["id", "town", "amount"]
        d = diff_resource(old, published, new, published, key=("id",))
        assert (d.added, d.removed, d.changed) == expected(old, new, published, "id"), seed
        assert (d.rows_before, d.rows_after) == (len(read(old)), len(read(new)))
        assert d.key == ("id",) and d.notes == ()
        # the samples are the first changed rows of the new file, with their differing cells
        b = {r["id"]: r for r in read(new)}
        a = {r["id"]: r for r in read(old)}
        want = [
            r["id"]
            for r in read(new)
            if r["id"] in a and any(a[r["id"]][c] != r[c] for c in published)
        ][:5]
        assert [s.key for s in d.samples] == [(k,) for k in want]
        for s in d.samples:
            assert s.cells == tuple(
                (c, a[s.key[0]][c], b[s.key[0]][c])
                for c in published
                if a[s.key[0]][c] != b[s.key[0]][c]
            )
            assert all(c != "secret" for c, _, _ in s.cells)


def test_withheld_columns_are_never_read(tmp_path: Path) -> None:
    old = write(tmp_path / "old.csv", [["1", "A", "1", "x"]])
    new = write(tmp_path / "new.csv", [["1", "A", "1", "CHANGED"]])
    d = diff_resource(old, ["id", "town", "amount"], new, ["id", "town", "amount"], key=("id",))
    assert (d.added, d.removed, d.changed) == (0, 0, 0)
    assert "CHANGED" not in repr(d.to_json())


def test_without_a_key_rows_match_by_content_as_multisets(tmp_path: Path) -> None:
    old = write(
        tmp_path / "old.csv", [["1", "A", "1", ""], ["1", "A", "1", ""], ["2", "B", "2", ""]]
    )
    new = write(
        tmp_path / "new.csv", [["1", "A", "1", ""], ["3", "C", "3", ""], ["3", "C", "3", ""]]
    )
    cols = ["id", "town", "amount"]
    d = diff_resource(old, cols, new, cols)
    before = Counter(tuple(r[c] for c in cols) for r in read(old))
    after = Counter(tuple(r[c] for c in cols) for r in read(new))
    assert (d.added, d.removed, d.changed) == (
        sum((after - before).values()),
        sum((before - after).values()),
        0,
    )
    assert d.key == ()


def test_repeated_keys_and_unpublished_keys_fall_back_to_content_with_a_note(
    tmp_path: Path,
) -> None:
    old = write(tmp_path / "old.csv", [["1", "A", "1", ""], ["1", "B", "2", ""]])
    new = write(tmp_path / "new.csv", [["1", "A", "1", ""], ["2", "B", "2", ""]])
    cols = ["id", "town", "amount"]
    d = diff_resource(old, cols, new, cols, key=("id",))
    assert d.key == () and (d.added, d.removed) == (1, 1)
    assert d.notes == (
        "a primary key value repeats in one version: rows are matched by their content",
    )
    d = diff_resource(old, ["town", "amount"], new, ["town", "amount"], key=("id",))
    assert d.key == () and "not published in both versions" in d.notes[0]


def test_columns_added_and_removed_do_not_change_every_row(tmp_path: Path) -> None:
    old = write(tmp_path / "old.csv", [["1", "A", "1", ""], ["2", "B", "2", ""]])
    new = write(
        tmp_path / "new.csv", [["1", "A", "x"], ["2", "Bee", "y"]], header=["id", "town", "extra"]
    )
    d = diff_resource(old, ["id", "town", "amount"], new, ["id", "town", "extra"], key=("id",))
    assert d.columns_added == ("extra",) and d.columns_removed == ("amount",)
    assert (d.added, d.removed, d.changed) == (0, 0, 1)
    assert d.samples[0].cells == (("town", "B", "Bee"),)


def test_empty_and_compressed_versions(tmp_path: Path) -> None:
    import gzip

    old = write(tmp_path / "old.csv", [])
    rows = "".join(f"{i},t,{i},\n" for i in range(10))
    new = tmp_path / "new.csv.gz"
    new.write_bytes(gzip.compress(("id,town,amount,secret\n" + rows).encode()))
    d = diff_resource(old, ["id", "town", "amount"], new, ["id", "town", "amount"], key=("id",))
    assert (d.rows_before, d.rows_after, d.added, d.removed, d.changed) == (0, 10, 10, 0, 0)


def test_review_reports_rows_changed_by_key_and_ignores_withheld_edits(
    make: CatalogMaker, cli: Runner
) -> None:
    from catalog.io.gitinfo import git

    meta = dataset_yaml()
    meta["resources"][0]["schema"]["fields"].append(
        {"name": "ssn", "type": "string", "protected": True, "exemption": "CGS 1-210(b)(2)"}
    )
    make.catalog(repository="private")  # protected columns may be committed
    make.dataset(meta=meta, csv="id,name,amount,ssn\n1,a,1,111\n2,b,2,222\n3,c,3,333\n")
    git(make.root, "init", "-q", "-b", "main")
    git(make.root, "add", ".")
    git(make.root, "commit", "-qm", "first")
    git(make.root, "checkout", "-qb", "edit")
    make.write(
        "datasets/dot/test/data.csv", "id,name,amount,ssn\n1,a,1,999\n2,b,5,222\n3,c,3,333\n"
    )
    git(make.root, "commit", "-qam", "one amount, one withheld value")
    code, report, _ = cli("review", "--base", "main", "--root", str(make.root))
    assert code == 0, report
    assert "| `data` | 3 | 3 | 0 | 0 | 1 | `id` |" in report
    assert "999" not in report and "111" not in report
    assert "validation: ✅ passes" in report
