"""Data against the Table Schema: Frictionless' codes and row numbers, our file checks."""

from __future__ import annotations

import pytest
from conftest import CatalogMaker, dataset_yaml

CSV = "datasets/dot/test/data.csv"


def rows(make: CatalogMaker) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.field, p.code) for p in make.problems() if p.path == CSV]


@pytest.mark.parametrize(
    ("csv", "expected"),
    [
        ("id,name,amount\n1,a,x\n", [(2, "amount", "type-error")]),
        ("id,name,amount\n1,a,-1\n", [(2, "amount", "constraint-error")]),
        ("id,name,amount\n1,a\n", [(2, "amount", "missing-cell")]),
        ("id,name,amount\n1,a,1,9\n", [(2, None, "extra-cell")]),
        ("id,name,amount\n1,a,1\n,,\n2,b,2\n", [(3, None, "blank-row"), (3, None, "primary-key")]),
        ("id,name,amount\n1,a,1\n1,b,2\n", [(3, None, "primary-key")]),
        ("id,label,amount\n1,a,1\n", [(None, "name", "incorrect-label")]),
        ("id,name\n1,a\n", [(None, "amount", "missing-label")]),
        # a multi-line quoted record counts once; a blank line still counts
        (
            'id,name,amount\n1,"two\nlines",1\n\n2,b,x\n',
            [(3, None, "blank-row"), (3, None, "primary-key"), (4, "amount", "type-error")],
        ),
        # numbers are trimmed before parsing (Frictionless semantics)
        ("id,name,amount\n1,a, 2 \n", []),
    ],
)
def test_frictionless_codes_and_rows(
    make: CatalogMaker, csv: str, expected: list[tuple[int | None, str | None, str]]
) -> None:
    make.dataset(csv=csv)
    assert sorted(rows(make), key=str) == sorted(expected, key=str)


def test_unique_constraint(make: CatalogMaker) -> None:
    meta = dataset_yaml()
    meta["resources"][0]["schema"]["fields"][1]["constraints"] = {"unique": True}
    make.dataset(meta=meta, csv="id,name,amount\n1,a,1\n2,a,2\n")
    assert rows(make) == [(3, "name", "unique-error")]


def test_pattern_is_a_full_match(make: CatalogMaker) -> None:
    meta = dataset_yaml()
    meta["resources"][0]["schema"]["fields"][1]["constraints"] = {"pattern": "[a-z]"}
    make.dataset(meta=meta, csv="id,name,amount\n1,a,1\n2,ab,2\n")
    assert rows(make) == [(3, "name", "constraint-error")]


def test_messages_say_how_to_fix(make: CatalogMaker) -> None:
    make.dataset(csv="id,name,amount\n1,a,$5\n")
    (p,) = make.problems()
    assert "'$5' is not number" in p.message and p.hint and "missingValues" in p.hint


def test_problems_capped_per_code_with_count(make: CatalogMaker) -> None:
    make.catalog(limits={"max_problems_per_code": 3})
    make.dataset(csv="id,name,amount\n" + "".join(f"{i},a,x\n" for i in range(1, 11)))
    got = rows(make)
    assert got.count((None, None, "more-problems")) == 1
    assert [r for r in got if r[2] == "type-error"] == [
        (2, "amount", "type-error"),
        (3, "amount", "type-error"),
        (4, "amount", "type-error"),
    ]
    (more,) = [p for p in make.problems() if p.code == "more-problems"]
    assert "7 more type-error" in more.message


def test_not_utf8_names_line(make: CatalogMaker) -> None:
    make.dataset(csv="id,name,amount\n1,a,1\n2,caf\xe9,2\n".encode("latin-1"))
    (p,) = make.problems()
    assert (p.code, p.line) == ("encoding-error", 3) and "iconv" in (p.hint or "")


def test_utf8_bom_accepted(make: CatalogMaker) -> None:
    make.dataset(csv="\ufeffid,name,amount\n1,a,1\n".encode())
    assert make.table() == []


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "source-error"),
        (b"\x00\x01\x02PK\x03\x04binary\x00", "format-error"),
        (b"id,name,amount\n", None),  # header only: valid, no rows
        (b'id,name,amount\n1,"unclosed,1\n2,b,2\n', "csv-syntax"),
    ],
)
def test_bad_files_give_problems_not_tracebacks(
    make: CatalogMaker, content: bytes, code: str | None
) -> None:
    make.dataset(csv=content)
    codes = [p.code for p in make.problems()]
    assert (code in codes) if code else codes == []


def test_missing_data_file(make: CatalogMaker) -> None:
    make.dataset(csv=None)
    (p,) = make.problems()
    assert (p.path, p.code, p.line) == ("datasets/dot/test/dataset.yaml", "file-missing", 14)


def test_file_size_limit(make: CatalogMaker) -> None:
    make.catalog(limits={"max_file_mb": 0.00001})
    make.dataset()
    assert make.codes() == ["file-too-large"]


def test_invalid_table_schema_pieces(make: CatalogMaker) -> None:
    meta = dataset_yaml()
    schema = meta["resources"][0]["schema"]
    schema["primaryKey"] = ["nope"]
    schema["fields"][1]["constraints"] = {"pattern": "[a-"}
    make.dataset(meta=meta)
    assert sorted(
        p.message.split(":")[0] for p in make.problems() if p.code == "invalid-table-schema"
    ) == ["field 'name'", "primaryKey names 'nope', which is not a field"]


def test_missing_values_declared(make: CatalogMaker) -> None:
    meta = dataset_yaml()
    meta["resources"][0]["schema"]["missingValues"] = ["", "NA"]
    make.dataset(meta=meta, csv="id,name,amount\n1,a,NA\n")
    assert make.table() == []


def test_unclosed_quote_names_its_line(make: CatalogMaker) -> None:
    make.dataset(csv='id,name,amount\n1,a,1\n2,"b,2\n3,c,3\n')
    assert [(p.code, p.line) for p in make.problems()] == [("csv-syntax", 3)]
