"""Conformance against the shared corpus (CATALOG_TEST_DATA): csv-spectrum, csvlint cases,
Frictionless' own fixtures and expected errors, and real government CSVs."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import frictionless
import pytest
from conftest import CatalogMaker, dataset_yaml

from catalog.cli import main
from catalog.core.problems import registry

pytestmark = pytest.mark.corpus


def dataset_for(make: CatalogMaker, content: bytes, schema: dict[str, Any]) -> None:
    meta = dataset_yaml()
    meta["resources"][0]["schema"] = schema
    make.dataset(meta=meta, csv=content)


def inferred_schema(file: Path) -> dict[str, Any]:
    """The schema Frictionless itself infers (what its own tests validate against)."""
    try:
        res = frictionless.Resource(path=file.name, basepath=str(file.parent))
        res.infer()
        if res.schema.fields:
            return res.schema.to_descriptor()
    except Exception:  # noqa: BLE001 - undecodable files: fall back to the header as text
        pass
    with file.open(encoding="utf-8", errors="replace", newline="") as fh:
        header = next(csv.reader(fh), []) or ["a"]
    return {
        "fields": [{"name": h or f"field{i}", "type": "string"} for i, h in enumerate(header, 1)]
    }


def assert_clean_problems(make: CatalogMaker) -> list[str]:
    """Validation returns Problems (never raises), each well-formed."""
    problems = make.problems()
    known = registry()
    for p in problems:
        assert p.path and p.message and p.hint, p
        assert p.code in known, f"uncatalogued code {p.code}"
    return [p.code for p in problems]


# --- csv-spectrum ------------------------------------------------------------------------


def spectrum_cases(corpus_root: str | None) -> list[str]:
    return [
        "comma_in_quotes",
        "empty",
        "empty_crlf",
        "escaped_quotes",
        "json",
        "location_coordinates",
        "newlines",
        "newlines_crlf",
        "quotes_and_newlines",
        "simple",
        "simple_crlf",
        "utf8",
    ]


@pytest.mark.parametrize("name", spectrum_cases(None))
def test_csv_spectrum_scaffolds_and_parses_to_expected_rows(
    corpus: Path, make: CatalogMaker, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    src = corpus / "suites/csv-spectrum/csvs" / f"{name}.csv"
    expected = json.loads((corpus / "suites/csv-spectrum/json" / f"{name}.json").read_text("utf-8"))
    if isinstance(expected, dict):  # one upstream file holds a single row as an object
        expected = [expected]
    make.catalog()
    assert (
        main(["new", f"dot/{name.replace('_', '-')}", "--from", str(src), "--root", str(make.root)])
        == 0
    ), capsys.readouterr().out
    folder = make.root / "datasets/dot" / name.replace("_", "-")
    (copy,) = folder.glob("*.csv")
    # Frictionless reads the copy back to exactly the expected rows (as text)
    header = next(csv.reader(copy.open(encoding="utf-8", newline="")))
    schema = frictionless.Schema.from_descriptor(
        {"fields": [{"name": h, "type": "string"} for h in header], "missingValues": []}
    )
    rows = frictionless.Resource(path=copy.name, basepath=str(folder), schema=schema).read_rows()
    got = [dict(r) for r in rows]
    if name == "location_coordinates":  # upstream's JSON has another phone number than its CSV
        for row in got + expected:
            row.pop("Contact Phone Number")
    assert got == expected


# --- csvlint -----------------------------------------------------------------------------

CSVLINT_CODES = {
    "ragged_rows": {"missing-cell", "extra-cell"},
    "blank_rows": {"blank-row"},
    "invalid_encoding": {"encoding-error", "format-error"},
    "unclosed_quote": {"csv-syntax"},
    "duplicate_column_name": {"duplicate-label"},
    "empty_column_name": {"blank-label"},
}


def csvlint_cases() -> list[Any]:
    import os

    root = os.environ.get("CATALOG_TEST_DATA")
    if not root or not Path(root, "suites/csvlint-rb/cases.json").is_file():
        return [pytest.param(None, id="corpus-absent")]  # the `corpus` fixture skips, saying why
    cases = json.loads(Path(root, "suites/csvlint-rb/cases.json").read_text("utf-8"))
    fixtures = Path(root, "suites/csvlint-rb/features/fixtures")
    return [
        pytest.param(c, id=f"{i}-{c['scenario'][:40]}")
        for i, c in enumerate(cases)
        if c["csv"] is not None or (c["fixture"] and (fixtures / c["fixture"]).is_file())
    ]


@pytest.mark.parametrize("case", csvlint_cases())
def test_csvlint_cases_give_clear_problems(
    corpus: Path, make: CatalogMaker, case: dict[str, Any] | None
) -> None:
    assert case is not None
    if case["csv"] is not None:
        content = case["csv"].encode("utf-8")
    else:
        fixture = corpus / "suites/csvlint-rb/features/fixtures" / case["fixture"]
        content = fixture.read_bytes()
    tmp = make.root / "in.csv"
    tmp.write_bytes(content)
    dataset_for(make, content, inferred_schema(tmp))
    codes = assert_clean_problems(make)
    for kind in case["expect"].get("error_type", []):
        if kind in CSVLINT_CODES:
            assert CSVLINT_CODES[kind] & set(codes), (kind, codes)


# --- Frictionless' own fixtures and expectations -----------------------------------------

FRICTIONLESS_TESTS = {
    "test_resource_validate_invalid",
    "test_resource_validate_blank_headers",
    "test_resource_validate_duplicate_headers",
    "test_resource_validate_defective_rows",
    "test_resource_validate_blank_rows",
    "test_resource_validate_blank_rows_multiple",
    "test_resource_validate_blank_cell_not_required",
    "test_resource_validate_no_data",
    "test_resource_validate_no_rows",
    "test_resource_validate_encoding_invalid",
    "test_resource_validate_fails_with_wrong_encoding_issue_274",
    "test_resource_validate_dialect_delimiter",
    "test_resource_validate_from_path",
}


def frictionless_cases() -> list[Any]:
    import os

    root = os.environ.get("CATALOG_TEST_DATA")
    if not root or not Path(root, "suites/frictionless-py/expected_outcomes.json").is_file():
        return [pytest.param(None, id="corpus-absent")]
    entries = json.loads(
        Path(root, "suites/frictionless-py/expected_outcomes.json").read_text("utf-8")
    )
    return [
        pytest.param(e, id=e["test"])
        for e in entries
        if e["test"] in FRICTIONLESS_TESTS and e["spec_file"].startswith("frictionless_resource")
    ]


@pytest.mark.parametrize("entry", frictionless_cases())
def test_frictionless_fixtures_match_frictionless_expectations(
    corpus: Path, make: CatalogMaker, entry: dict[str, Any] | None
) -> None:
    assert entry is not None
    src = corpus / "suites/frictionless-py" / entry["data_paths"][0]
    content = src.read_bytes()
    tmp = make.root / "in.csv"
    tmp.write_bytes(content)
    dataset_for(make, content, inferred_schema(tmp))
    problems = [p for p in make.problems() if p.path.endswith("data.csv")]
    expected = entry["expected"]
    if entry["test"] == "test_resource_validate_dialect_delimiter":
        # Frictionless sniffs the delimiter; the catalog publishes commas and says so
        assert [(p.code, p.line) for p in problems] == [("csv-syntax", 1)]
        return
    if expected.get("valid") is True:
        assert problems == []
        return
    keys = expected["flatten_keys"]
    if keys == ["rowNumber", "fieldNumber", "type"]:
        want = sorted(((row, code) for row, _field, code in expected["errors"]), key=str)
        assert sorted(((p.row, p.code) for p in problems), key=str) == want
    else:
        assert sorted(p.code for p in problems) == sorted(e[0] for e in expected["errors"])


# --- real government CSVs ----------------------------------------------------------------


def real_csvs() -> list[Any]:
    import os

    root = os.environ.get("CATALOG_TEST_DATA")
    if not root or not Path(root, "real").is_dir():
        return [pytest.param(None, id="corpus-absent")]
    return [pytest.param(p, id=p.name[:40]) for p in sorted(Path(root, "real").glob("*/*.csv"))]


EXCEPTIONS_NOTE = re.compile(
    r"column '(?P<field>[^']+)' is typed .* do not read as that \((?P<rows>[^)]*)\)"
)


def listed_exceptions(out: str) -> set[tuple[str, int]]:
    """(field, row) of every value the scaffold listed for the ADO to decide."""
    return {
        (m["field"], int(r))
        for m in EXCEPTIONS_NOTE.finditer(out)
        for r in re.findall(r"row (\d+):", m["rows"])
    }


@pytest.mark.slow
@pytest.mark.parametrize("src", real_csvs())
def test_real_csvs_scaffold_and_validate_but_for_the_values_listed(
    corpus: Path, make: CatalogMaker, src: Path | None, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real export scaffolds into a dataset that validates, except the few values the
    scaffold listed (by row) for the Agency Data Officer to decide."""
    assert src is not None
    make.catalog()
    code = main(["new", "dph/real", "--from", str(src), "--root", str(make.root)])
    out = capsys.readouterr().out
    listed = listed_exceptions(out)
    errors = [p for p in make.problems() if p.severity == "error"]
    assert code == (1 if errors else 0), out
    assert {(p.field, p.row) for p in errors if p.code == "type-error"} >= listed
    assert all(p.code == "type-error" and p.field in {f for f, _ in listed} for p in errors), out


@pytest.mark.slow
def test_real_csvs_lose_no_value_in_any_typed_download(
    corpus: Path, make: CatalogMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every real CSV scaffolded, the listed values decided (their fields made text), built:
    every typed cell of the Parquet, JSON and SQLite equals what Frictionless reads."""
    import yaml
    from lossless import check_site

    from catalog.site.build import build

    make.catalog()
    for n, src in enumerate(sorted((corpus / "real").glob("*/*.csv"))):
        ident = f"dph/real-{n}"
        main(["new", ident, "--from", str(src), "--root", str(make.root)])
        listed = {f for f, _ in listed_exceptions(capsys.readouterr().out)}
        meta_file = make.root / "datasets" / ident / "dataset.yaml"
        meta = yaml.safe_load(meta_file.read_text("utf-8"))
        for f in meta["resources"][0]["schema"]["fields"]:
            if f["name"] in listed:  # the ADO's decision: keep these columns as text
                for key in [k for k in f if k != "name"]:
                    del f[key]
                f["type"] = "string"
        meta.update(dataset_yaml(title=f"Real {n}"), resources=meta["resources"])
        meta_file.write_text(yaml.safe_dump(meta, allow_unicode=True), "utf-8")
    agency = make.root / "datasets/dph/agency.yaml"
    officer = {"name": "ADO", "handle": "@dph"}
    agency.write_text(
        yaml.safe_dump(
            {
                "name": "Department of Public Health",
                "abbreviation": "DPH",
                "website": "https://example.gov/",
                "description": "Health.",
                "data_officer": officer,
            }
        )
    )
    assert [p for p in make.problems() if p.severity == "error"] == []
    site = tmp_path / "site"
    build(make.root, site, cache_dir=tmp_path / "cache", search=False)
    assert check_site(site) > 200_000
