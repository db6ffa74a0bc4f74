"""Hostile but plausible inputs: each is either refused by `catalog validate` with a
problem that names the file and line, or validated and then built. None may crash the
build, stall it or blow up its outputs (issue 16's reproductions, scaled to run fast)."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from conftest import CatalogMaker, colliding_resources, dataset_yaml

from catalog.core.problems import Problem
from catalog.io.blocks import CsvBatches
from catalog.io.filebytes import CHUNK, FileBytes
from catalog.site.build import build

DS = "datasets/dot/test/dataset.yaml"


def errors(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems if p.severity == "error"]


def built(make: CatalogMaker, tmp_path: Path) -> Path:
    """Validate (which must pass), then build; return the dataset's folder in the site."""
    assert errors(make.problems()) == []
    build(make.root, tmp_path / "site", search=False, jobs=1)
    return tmp_path / "site/datasets/dot/test"


def test_a_record_longer_than_a_block_builds(make: CatalogMaker, tmp_path: Path) -> None:
    long = "x" * (3 << 20)  # Arrow's 1 MiB blocks refused it ("straddling object")
    make.dataset(csv=f"id,name,amount\n1,{long},1\n2,b,2\n")
    folder = built(make, tmp_path)
    rows = list(csv.DictReader((folder / "data.csv").open(encoding="utf-8")))
    assert [r["name"] for r in rows] == [long, "b"]
    assert json.loads((folder / "data.json").read_text())[0]["name"] == long
    page = (folder / "index.html").read_text()
    assert len(page) < 100_000  # previews, profiles and charts show a cut value
    assert "x" * 999 + "…" in page


def test_blocks_grow_and_every_row_comes_once(tmp_path: Path) -> None:
    file = tmp_path / "a.csv"
    lines = [f"{i},{'y' * (5 << 20) if i == 700 else i}" for i in range(1000)]
    file.write_text("n,v\n" + "\n".join(lines) + "\n")
    reader = CsvBatches(
        file,
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={"n": pa.string(), "v": pa.string()}),
    )
    got = [n for batch in reader for n in batch.column("n").to_pylist()]
    assert got == [str(i) for i in range(1000)]
    assert reader.block == 8 << 20


def test_longest_line_is_found_across_chunks(tmp_path: Path) -> None:
    file = tmp_path / "a.csv"
    for lines in ([b"a", b"b" * (2 * CHUNK + 5), b"c"], [b"q" * (3 * CHUNK)], [b"x", b"y"]):
        for end in (b"", b"\n"):
            file.write_bytes(b"\n".join(lines) + end)
            length, line = max((len(x), i + 1) for i, x in enumerate(lines))
            found = FileBytes(file).longest_line
            assert found == (length, line) if length >= CHUNK else found[0] < CHUNK


def test_a_line_over_the_limit_is_refused_before_it_is_read(make: CatalogMaker) -> None:
    make.catalog(limits={"max_line_mb": 8})
    make.dataset(csv=None)
    with (make.root / "datasets/dot/test/data.csv").open("w") as fh:
        fh.write("id,name,amount\n1,")
        fh.write("z" * (9 << 20))
        fh.write(",1\n")
    (p,) = make.problems()
    assert (p.code, p.path, p.line) == ("over-limit", "datasets/dot/test/data.csv", 2)
    assert "line 2 is 9.0 MB long" in p.message and "limits.max_line_mb" in (p.hint or "")


def _wide(n: int) -> tuple[dict[str, object], str]:
    meta = dataset_yaml()
    meta["resources"][0]["schema"] = {
        "fields": [{"name": f"c{i}", "type": "integer"} for i in range(n)]
    }
    row = ",".join("1" for _ in range(n))
    return meta, ",".join(f"c{i}" for i in range(n)) + f"\n{row}\n"


def test_more_columns_than_the_limit_are_refused(make: CatalogMaker) -> None:
    meta, text = _wide(1001)  # over the default 1,000 (SQLite stops at 2,000)
    make.dataset(meta=meta, csv=text)
    (p,) = [p for p in make.problems() if p.severity == "error"]
    assert (p.code, p.path) == ("over-limit", DS)
    assert "1,001 columns" in p.message and "at most 1,000" in p.message


def test_a_file_with_more_columns_than_the_limit_is_refused(make: CatalogMaker) -> None:
    make.catalog(limits={"max_columns": 5})
    make.dataset(csv="id,name,amount,a,b,c\n1,x,1,1,1,1\n")
    (p,) = [p for p in make.problems() if p.severity == "error"]
    assert (p.code, p.path, p.line) == ("over-limit", "datasets/dot/test/data.csv", 1)


def test_the_most_columns_a_catalog_allows_build(make: CatalogMaker, tmp_path: Path) -> None:
    make.catalog(limits={"max_columns": 1999})
    meta, text = _wide(1999)
    make.dataset(meta=meta, csv=text)
    folder = built(make, tmp_path)
    assert (folder / "data.parquet").exists()
    assert (tmp_path / "site/bulk/catalog.sqlite.gz").exists()


def test_resource_names_that_share_a_table_are_refused(make: CatalogMaker) -> None:
    colliding_resources(make)
    (p,) = [p for p in make.problems() if p.severity == "error"]
    assert p.code == "duplicate-identifier" and p.path == DS and p.line is not None
    assert "'dot/test/a-b' and 'dot/test/a_b'" in p.message and "dot__test__a_b" in p.message


def test_a_reserved_resource_name_is_refused(make: CatalogMaker) -> None:
    meta = dataset_yaml()
    meta["resources"][0]["name"] = "datapackage"
    make.dataset(meta=meta)
    (p,) = [p for p in make.problems() if p.severity == "error"]
    assert p.code == "reserved-name" and "datapackage.json" in p.message


def test_a_long_field_name_is_refused(make: CatalogMaker) -> None:
    long = "n" * 10_000
    meta = dataset_yaml()
    meta["resources"][0]["schema"]["fields"][1]["name"] = long
    make.dataset(meta=meta, csv=f"id,{long},amount\n1,a,1\n")
    (p,) = [p for p in make.problems() if p.severity == "error"]
    assert p.code == "over-limit" and "10,000 characters long; at most 128" in p.message
    assert len(p.message) < 300 and p.line is not None


def test_downloads_estimated_over_the_limit_are_refused(make: CatalogMaker) -> None:
    make.catalog(limits={"max_output_mb": 0.5})
    rows = "".join(f"{i},a,1\n" for i in range(50_000))  # 0.4 MB of CSV, 1.9 MB of JSON
    make.dataset(csv="id,name,amount\n" + rows)
    (p,) = [p for p in make.problems() if p.severity == "error"]
    assert (p.code, p.path) == ("over-limit", "datasets/dot/test/data.csv")
    assert "50,000 rows" in p.message


@pytest.mark.parametrize("depth", [40, 800])
def test_deeply_nested_yaml_is_a_problem(make: CatalogMaker, depth: int) -> None:
    text = json.dumps(dataset_yaml())[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}"
    make.dataset(meta=text)
    codes = [(p.code, p.path) for p in make.problems()]
    assert ("yaml-syntax", DS) in codes and "internal-error" not in str(codes)


def test_a_deeply_nested_json_schema_is_a_problem(make: CatalogMaker) -> None:
    make.dataset(**{"resources": [{"name": "data", "path": "data.csv", "schema": "s.json"}]})
    make.write("datasets/dot/test/s.json", '{"fields": ' + "[" * 5000 + "]" * 5000 + "}")
    assert ("yaml-syntax", "datasets/dot/test/s.json") in [
        (p.code, p.path) for p in make.problems()
    ]


def test_a_large_json_schema_is_refused_unread(make: CatalogMaker) -> None:
    make.dataset(**{"resources": [{"name": "data", "path": "data.csv", "schema": "s.json"}]})
    make.write("datasets/dot/test/s.json", '{"fields": []' + " " * 1_100_000 + "}")
    (p,) = [p for p in make.problems() if p.path.endswith("s.json")]
    assert p.code == "file-unreadable" and "more than 1,000,000" in p.message


def test_trailing_line_breaks_do_not_pass_patterns(make: CatalogMaker) -> None:
    make.dataset()
    make.agency(data_officer={"name": "Officer", "handle": "@a-officer\n"})
    assert "invalid-value" in errors(make.problems())


def test_control_characters_warn_and_the_feed_stays_xml(make: CatalogMaker, tmp_path: Path) -> None:
    make.dataset(title="Bell\x07 and escape\x1b in a title")
    (p,) = make.problems()
    assert (p.code, p.severity, p.line) == ("control-characters", "warning", 1)
    assert "U+0007" in p.message
    built(make, tmp_path)
    feed = ET.parse(tmp_path / "site/feed.xml").getroot()
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert "Bell and escape in a title" in titles


def test_formula_shaped_titles_warn(make: CatalogMaker) -> None:
    make.dataset(title='=HYPERLINK("http://x.example","Click")', keywords=["@risk", "ok"])
    found = [(p.code, p.severity) for p in make.problems()]
    assert found == [("formula-like-text", "warning")] * 2


def test_many_definition_list_entries_build(make: CatalogMaker, tmp_path: Path) -> None:
    terms = "".join(f"Term {i}\n: Definition {i}\n\n" for i in range(600))
    make.dataset(description="Definitions of the columns.\n\n" + terms)
    folder = built(make, tmp_path)
    assert (folder / "index.html").read_text().count("<dt>") == 600


def test_a_warning_in_the_schema_does_not_stop_the_data_checks(make: CatalogMaker) -> None:
    meta = dataset_yaml()
    meta["resources"][0]["schema"]["fields"][1]["title"] = "Name\x07"
    make.dataset(meta=meta, csv="id,name,amount\n1,a,not-a-number\n")
    assert sorted(p.code for p in make.problems()) == ["control-characters", "type-error"]
