"""The fast validator gives exactly Frictionless' findings (row, field, code), or declines."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import frictionless
import pytest
from conftest import REPO
from frictionless.formats import CsvControl

from catalog.checks.fastpath import validate_fast

Row = tuple[int | None, str, str]


def by_frictionless(file: Path, descriptor: dict[str, Any]) -> list[Row]:
    res = frictionless.Resource(
        path=file.name,
        basepath=str(file.parent),
        schema=frictionless.Schema.from_descriptor(descriptor),
        encoding="utf-8",
        format="csv",
        control=CsvControl(delimiter=","),
    )
    report = res.validate(limit_errors=1_000_000)
    return sorted(
        (
            (e.row_number, getattr(e, "field_name", "") or "", e.type)
            for t in report.tasks
            for e in t.errors
        ),
        key=str,
    )


def by_fast(file: Path, descriptor: dict[str, Any]) -> list[Row] | None:
    found = validate_fast(file, descriptor, "utf-8")
    # unpublishable-value is the catalog's own rule, beyond Frictionless' (tested below)
    return (
        None
        if found is None
        else sorted(
            ((r, f, c) for r, f, c, _cell, _note in found if c != "unpublishable-value"), key=str
        )
    )


def agree(tmp_path: Path, csv: str | bytes, descriptor: dict[str, Any]) -> list[Row] | None:
    file = tmp_path / "data.csv"
    file.write_bytes(csv.encode() if isinstance(csv, str) else csv)
    fast = by_fast(file, descriptor)
    if fast is not None:
        assert fast == by_frictionless(file, descriptor)
    return fast


def F(name: str, type_: str = "string", **c: Any) -> dict[str, Any]:
    """A field descriptor with constraints."""
    return {"name": name, "type": type_, **({"constraints": c} if c else {})}


@pytest.mark.parametrize(
    ("csv", "fields", "extra"),
    [
        ("a,b\n1,x\n2x,y\n 3 ,z\n+4,w\n-5,v\n,u\n", [F("a", "integer"), F("b")], {}),
        ("a\n1.5\n.5\n5.\n1e3\n-2E-2\nx\n+.5\n 7 \n$5\n", [F("a", "number")], {}),
        ("a\ntrue\nTrue\n1\n0\nyes\n true\nFALSE\n", [F("a", "boolean")], {}),
        (
            "a\n2024-01-05\n2024-1-5\n2024-02-30\n2024-13-01\n24-01-01\n2024/01/01\n2024-01-05T00:00\n",
            [F("a", "date")],
            {},
        ),
        ("a\n2024\n0000\n24\n20245\nabcd\n", [F("a", "year")], {}),
        ("a\n5\n-1\n101\nx\n", [F("a", "integer", minimum=0, maximum=100)], {}),
        ("a\n5\n-1\n101\n", [F("a", "number", minimum=0.5, maximum="100")], {}),
        ("a\nab\nabc\nabcdef\nü\n", [F("a", minLength=2, maxLength=4)], {}),
        ("a\nE123456\nE12345\nx\nE1234567\n", [F("a", pattern="E[0-9]{6}")], {}),
        ("a\na\nb\nab\nxb\n", [F("a", pattern="a|b")], {}),
        ("a\nDPH\nDOT\nXYZ\n", [F("a", enum=["DPH", "DOT"])], {}),
        ("a\n1\n2\n3\n", [F("a", "integer", enum=[1, "2"])], {}),
        ("a,b\n1,x\n,y\n3,\n", [F("a", "integer", required=True), F("b", required=True)], {}),
        ("a,b\n1,x\n2,y\n1,z\n1.0,w\n", [F("a", "number", unique=True), F("b")], {}),
        ("a,b\n1,x\n2,y\n1,x\n1,z\n", [F("a", "integer"), F("b")], {"primaryKey": ["a", "b"]}),
        ("a,b\n1,x\n,\nx,y\n,z\n", [F("a", "integer"), F("b")], {"primaryKey": ["a"]}),
        ("a,b\n1,NA\nNA,NA\n2,x\n", [F("a", "integer"), F("b")], {"missingValues": ["", "NA"]}),
        ("a,b\n1,2\n,\n3,x\n", [F("a", "integer"), F("b", "integer")], {}),
        (
            'a,b\n1,"quoted, with comma"\n2,"say ""hi"""\n',
            [F("a", "integer"), F("b", maxLength=10)],
            {},
        ),
        ("a,b\r\n1,x\r\n2y,z\r\n", [F("a", "integer"), F("b")], {}),
        ("a\n1\n2", [F("a", "integer")], {}),  # no final newline
        ("a,b\n1,x\n\n2,y\n", [F("a", "integer"), F("b")], {}),  # a blank line is a blank row
        # read by the shared value parser as Frictionless reads them
        ("a\n1_000\n1\n", [F("a", "integer")], {}),  # int() reads underscores
        ("a\nNaN\nINF\n-Infinity\n1\n", [F("a", "number")], {}),
        ("a\n٣\n3\n", [F("a", "integer")], {}),  # a non-ASCII digit
        (
            "a\n2024-01-01T10:00:00\n2012-09-14T22:38:01.000\nx\n2023-01-05T15:02:37-05:00\n",
            [F("a", "datetime")],
            {},
        ),
        (
            "a\n09/27/2012 03:48:18 PM\n9/7/2012 3:48:18 am\n02/30/2012 01:00:00 PM\n",
            [{**F("a", "datetime"), "format": "%m/%d/%Y %I:%M:%S %p"}],
            {},
        ),
        ("a\n1/3/2022\n13/3/2022\n12/31/2022\n", [{**F("a", "date"), "format": "%m/%d/%Y"}], {}),
        ("a\n16:00\n24:00\n", [{**F("a", "time"), "format": "%H:%M"}], {}),
        (
            'a\n"$1,234.50"\n95.5%\nNDA\n',
            [{**F("a", "number"), "groupChar": ",", "bareNumber": False, "missingValues": ["NDA"]}],
            {},
        ),
        ("a;b\n1;x\n", [F("a;b")], {}),
        ("a\n2024-07\n2024-13\n", [F("a", "yearmonth")], {}),
        ("a\nx@y.org\nnot an email\n", [{**F("a"), "format": "email"}], {}),
        (
            "a\n2024-01-02T00:00:00\n2024-01-01T00:00:00\n",
            [F("a", "datetime", minimum="2024-01-02T00:00:00")],
            {},
        ),
    ],
)
def test_fast_path_agrees_with_frictionless(
    tmp_path: Path, csv: str, fields: list[dict[str, Any]], extra: dict[str, Any]
) -> None:
    assert agree(tmp_path, csv, {"fields": fields, **extra}) is not None  # and it did run


@pytest.mark.parametrize(
    ("csv", "fields"),
    [
        ('a,b\n1,"two\nlines"\n', [F("a", "integer"), F("b")]),  # a record spanning lines
        ("a,b\n1\n", [F("a", "integer"), F("b")]),  # ragged
        ("x,b\n1,2\n", [F("a", "integer"), F("b")]),  # header differs
        ("a\nNaN\n1\n", [F("a", "number", minimum=0)]),  # Frictionless compares NaN its own way
        ("a\nx\n", [F("a", pattern=r"\d+")]),  # \\d means Unicode digits in Python
        ("a\n{}\n", [F("a", "object", minLength=1)]),  # a constraint not modelled on this type
    ],
)
def test_fast_path_declines_what_it_cannot_promise(
    tmp_path: Path, csv: str, fields: list[dict[str, Any]]
) -> None:
    assert agree(tmp_path, csv, {"fields": fields}) is None


def test_values_no_download_could_carry_are_reported_with_their_rows(tmp_path: Path) -> None:
    file = tmp_path / "data.csv"
    file.write_text(
        "id,big,at,clock\n1,9223372036854775807,2023-01-05T15:02:37-05:00,16:00:00\n2,9223372036854775808,2023-01-05T15:02:37,16:00:00+01:00\n3,-1,2023-01-05T15:02:37Z,\n"
    )
    descriptor = {
        "fields": [F("id", "integer"), F("big", "integer"), F("at", "datetime"), F("clock", "time")]
    }
    found = validate_fast(file, descriptor, "utf-8")
    assert found is not None
    assert sorted((f.row, f.field, f.code) for f in found) == [
        (3, "at", "unpublishable-value"),
        (3, "big", "unpublishable-value"),
        (3, "clock", "unpublishable-value"),
    ]
    assert by_frictionless(file, descriptor) == []  # Frictionless accepts them all


def test_benchmark_file_with_planted_errors(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks/bigcsv.py"),
            str(tmp_path),
            "--rows",
            "60000",
            "--errors",
            "0.002",
        ],
        check=True,
    )
    descriptor = json.loads((tmp_path / "schema.json").read_text())
    descriptor["primaryKey"] = ["id"]
    descriptor["fields"][2]["constraints"]["unique"] = False
    fast = by_fast(tmp_path / "data.csv", descriptor)
    assert fast is not None and len(fast) > 50
    assert fast == by_frictionless(tmp_path / "data.csv", descriptor)
    assert {c for _, _, c in fast} == {
        "type-error",
        "constraint-error",
        "primary-key",
    }  # an unreadable id leaves the key empty


def corpus_files(corpus: Path) -> list[Path]:
    return sorted((corpus / "suites/frictionless-py/data").glob("*.csv")) + sorted(
        (corpus / "suites/csv-spectrum/csvs").glob("*.csv")
    )


@pytest.mark.corpus
def test_fast_path_agrees_on_the_corpus(corpus: Path, tmp_path: Path) -> None:
    """On every fixture it accepts, with the schema Frictionless infers, the fast path
    gives Frictionless' findings."""
    ran = 0
    for src in corpus_files(corpus):
        try:
            res = frictionless.Resource(path=src.name, basepath=str(src.parent))
            res.infer()
            descriptor = res.schema.to_descriptor()
        except Exception:  # noqa: BLE001 - fixtures that can't even be described
            continue
        if not descriptor.get("fields"):
            continue
        if agree(tmp_path, src.read_bytes(), descriptor) is not None:
            ran += 1
    assert ran >= 20


def test_key_checks_spilled_to_disk_agree_with_frictionless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import catalog.checks.fastpath as fastpath

    lines = ["id,code,n"] + [f"{i if i % 37 else i // 2},c{i % 4000},{i}" for i in range(1, 12_001)]
    (tmp_path / "data.csv").write_text("\n".join(lines) + "\n")
    descriptor = {
        "fields": [F("id", "integer"), F("code", unique=True), F("n", "integer")],
        "primaryKey": ["id"],
    }
    in_memory = by_fast(tmp_path / "data.csv", descriptor)
    monkeypatch.setattr(fastpath, "SPILL", 500)  # spill files after every 500 rows of a key
    spilled = by_fast(tmp_path / "data.csv", descriptor)
    assert spilled == in_memory == by_frictionless(tmp_path / "data.csv", descriptor)
    assert spilled is not None and {c for _, _, c in spilled} == {"primary-key", "unique-error"}
    assert not list(Path(tempfile.gettempdir()).glob("catalog-keys-*"))  # spill files removed
