"""The explorer's engine and query, run in Node as the page runs them: on a Parquet file the
build wrote, every filter, sort and grouping selects exactly the rows that the pandas and
DuckDB code it offers select (that code is run here, for real); links with odd or stale
contents are read safely. Needs Node (`./run test` installs Debian's nodejs)."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from conftest import REPO, CatalogMaker, dataset_yaml

from catalog.site.build import build

HARNESS = Path(__file__).parent / "explorer" / "harness.mjs"
NODE_READER = REPO / "js" / "node_modules" / "hyparquet" / "src" / "node.js"

FIELDS = [
    {"name": "id", "type": "integer"},
    {"name": "town", "type": "string"},
    {"name": "note", "type": "string"},
    {"name": "count", "type": "integer"},
    {"name": "rate", "type": "number"},
    {"name": "flag", "type": "boolean"},
    {"name": "day", "type": "date"},
    {"name": "seen", "type": "datetime"},
    {"name": "stamped", "type": "datetime"},
    {"name": "at", "type": "time"},
    {"name": "year", "type": "year"},
]
TOWNS = ["Hartford", "New Haven", "Öster Ås", 'Say "hi", Bob', "", "hartford", "Ω-town"]


def mixed_csv(rows: int = 400, seed: int = 3) -> str:
    rnd = random.Random(seed)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([f["name"] for f in FIELDS])
    for i in range(1, rows + 1):
        w.writerow(
            [
                i,
                rnd.choice(TOWNS),
                rnd.choice(["<img src=x onerror=alert(1)>", "line\nbreak", "plain", ""]),
                rnd.choice(["", str(rnd.randint(-5, 50)), str(rnd.randint(0, 3))]),
                rnd.choice(["", f"{rnd.uniform(-10, 10):.3f}", "0", "2.5"]),
                rnd.choice(["true", "false", ""]),
                rnd.choice(["", f"2024-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"]),
                f"2023-12-31T{rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}:00"
                if rnd.random() > 0.1
                else "",
                f"2024-01-0{rnd.randint(1, 3)}T{rnd.randint(0, 23):02d}:30:00-05:00",
                rnd.choice(["", f"{rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}:00"]),
                rnd.choice(["2019", "2020", "2021", ""]),
            ]
        )
    return out.getvalue()


def node() -> str:
    path = shutil.which("node")
    if not path:
        pytest.fail("Node is not installed: `./run test` installs Debian's nodejs and npm")
    return path


def harness(request: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [node(), str(HARNESS)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built site with one resource of every column type."""
    root = tmp_path_factory.mktemp("explorer")
    make = CatalogMaker(root / "catalog")
    meta = dataset_yaml()
    meta["resources"][0]["schema"] = {"fields": FIELDS}
    make.dataset(meta=meta, csv=mixed_csv())
    build(make.root, root / "site", cache_dir=root / "cache", jobs=1)
    return root / "site"


QUERIES: list[dict[str, Any]] = [
    {},
    {"filters": [{"column": "town", "op": "contains", "text": "HART"}]},
    {"filters": [{"column": "town", "op": "in", "values": ["Öster Ås", 'Say "hi", Bob']}]},
    {"filters": [{"column": "town", "op": "in", "values": [None, "Ω-town"]}]},
    {"filters": [{"column": "count", "op": "range", "min": "0", "max": "10"}]},
    {"filters": [{"column": "rate", "op": "range", "min": "-2.5", "max": None}]},
    {"filters": [{"column": "count", "op": "in", "values": ["3", None]}]},
    {"filters": [{"column": "flag", "op": "in", "values": ["true"]}]},
    {"filters": [{"column": "day", "op": "range", "min": "2024-03-01", "max": "2024-06-30"}]},
    {"filters": [{"column": "seen", "op": "range", "min": None, "max": "2023-12-31"}]},
    {"filters": [{"column": "stamped", "op": "range", "min": "2024-01-02", "max": "2024-01-02"}]},
    {"filters": [{"column": "at", "op": "contains", "text": ":3"}]},
    {"filters": [{"column": "year", "op": "range", "min": "2020", "max": "2021"}]},
    {"filters": [{"column": "note", "op": "contains", "text": "<img"}]},
    {"sort": {"column": "rate", "desc": True}},
    {"sort": {"column": "town", "desc": False}},
    {"sort": {"column": "day", "desc": True}},
    {"sort": {"column": "stamped", "desc": False}},
    {
        "filters": [
            {"column": "flag", "op": "in", "values": ["false", None]},
            {"column": "rate", "op": "range", "min": "0", "max": "9"},
        ],
        "sort": {"column": "count", "desc": True},
    },
    {"group": {"by": "town", "measure": "rate"}},
    {"group": {"by": "year", "measure": None}},
    {
        "filters": [{"column": "town", "op": "contains", "text": "a"}],
        "group": {"by": "flag", "measure": "count"},
    },
]


def run_pandas(code: str, parquet: Path) -> pd.DataFrame:
    scope: dict[str, Any] = {}
    body = code.replace('"PARQUET_URL"', repr(str(parquet))).replace("print(df)", "")
    exec(compile(body, "<pandas snippet>", "exec"), scope)
    df: pd.DataFrame = scope["df"]
    return df


def run_duckdb(code: str, parquet: Path) -> list[tuple[Any, ...]]:
    sql = code.replace("'PARQUET_URL'", "'" + str(parquet).replace("'", "''") + "'")
    con = duckdb.connect()
    statements = [s for s in sql.split(";\n") if s.strip() and not s.strip().startswith("--")]
    for s in statements[:-1]:
        con.execute(s)
    return con.execute(statements[-1]).fetchall()


def key(k: Any) -> str | None:
    """A group's key, compared across pandas (floats for integers with gaps) and JSON."""
    if k is None or (not isinstance(k, str) and pd.isna(k)):
        return None
    if isinstance(k, bool):
        return str(k).lower()
    if isinstance(k, float) and k.is_integer():
        return str(int(k))
    return str(k)


def same(a: Any, b: Any) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if isinstance(a, float) or isinstance(b, float):
        return b is not None and math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


def test_engine_selects_the_rows_its_pandas_and_duckdb_code_select(mixed: Path) -> None:
    parquet = mixed / "datasets/dot/test/data.parquet"
    got = harness(
        {
            "static": str(mixed / "static"),
            "node_reader": str(NODE_READER),
            "parquet": str(parquet),
            "queries": QUERIES,
        }
    )
    rows = pd.read_parquet(parquet)
    assert [c["kind"] for c in got["columns"]] == [
        "integer",
        "string",
        "string",
        "integer",
        "number",
        "boolean",
        "date",
        "datetime",
        "datetime",
        "time",
        "integer",
    ]
    assert [c["aware"] for c in got["columns"]][7:9] == [False, True]
    selected_something = 0
    for q, result in zip(QUERIES, got["results"], strict=True):
        df = run_pandas(result["code"]["pandas"], parquet)
        duck = run_duckdb(result["code"]["duckdb"], parquet)
        if "group" in q:
            keys = [key(k) for k in df[q["group"]["by"]]]
            assert keys == [key(g["key"]) for g in result["groups"]], q
            assert list(df["rows"]) == [g["rows"] for g in result["groups"]], q
            assert [r[1] for r in duck] == [g["rows"] for g in result["groups"]], q
            if q["group"]["measure"]:
                for g, s, m in zip(result["groups"], df["sum"], df["mean"], strict=True):
                    assert same(g["sum"], float(s)), (q, g, s)
                    assert same(g["mean"], None if pd.isna(m) else float(m)), (q, g, m)
            continue
        expected = list(df.index)
        assert (
            result["rows"] if result["rows"] is not None else list(range(len(rows)))
        ) == expected, q
        # DuckDB gives the same rows in the same order (compared by their ids)
        assert [r[0] for r in duck] == [int(rows["id"][i]) for i in expected], q
        assert [r[0] for r in result["first"]] == [int(rows["id"][i]) for i in expected[:3]], q
        selected_something += 0 < len(expected) < len(rows)
    assert selected_something >= 12  # the filters really filter


def test_values_read_as_the_build_wrote_them(mixed: Path) -> None:
    parquet = mixed / "datasets/dot/test/data.parquet"
    got = harness(
        {
            "static": str(mixed / "static"),
            "node_reader": str(NODE_READER),
            "parquet": str(parquet),
            "queries": [{"filters": [{"column": "id", "op": "range", "min": "1", "max": "400"}]}],
        }
    )
    first = got["results"][0]["first"]
    source = list(csv.DictReader(io.StringIO(mixed_csv())))
    for row, want in zip(first, source[:3], strict=True):
        shown = dict(zip([f["name"] for f in FIELDS], row, strict=True))
        assert shown["town"] == (want["town"] or None)
        assert shown["day"] == (want["day"] or None)
        assert shown["seen"] == (want["seen"] or None)
        # an instant is shown in UTC
        local = pd.Timestamp(want["stamped"]).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S")
        assert shown["stamped"] == local
        assert shown["at"] == (want["at"] or None)
        assert shown["year"] == (int(want["year"]) if want["year"] else None)


COLUMNS = [
    {"name": "town", "kind": "string", "aware": False},
    {"name": "n", "kind": "integer", "aware": False},
    {"name": "__proto__", "kind": "string", "aware": False},
    {"name": "when", "kind": "date", "aware": False},
]


def hashes(*raw: str) -> list[dict[str, Any]]:
    return list(
        harness({"static": str(REPO / "templates" / "static"), "columns": COLUMNS, "hashes": raw})[
            "hashes"
        ]
    )


def test_links_are_read_and_what_cannot_apply_is_named(tmp_path: Path) -> None:
    q = (
        '{"f":[["town","in",["A",null]],["n","range","1",null],["__proto__","contains","x"]],'
        '"s":["n","desc"],"g":["town","n"],"p":3}'
    )
    (ok,) = hashes("#explore=data&q=" + q)
    assert ok["ignored"] == []
    assert ok["query"] == {
        "filters": [
            {"column": "town", "op": "in", "values": ["A", None]},
            {"column": "n", "op": "range", "min": "1", "max": None},
            {"column": "__proto__", "op": "contains", "text": "x"},
        ],
        "sort": {"column": "n", "desc": True},
        "group": {"by": "town", "measure": "n"},
        "page": 3,
    }
    malformed, stale, wrong, hostile = hashes(
        "#explore=data&q={not json",
        '#explore=data&q={"f":[["gone","contains","x"]],"s":["gone","asc"],"g":["gone"]}',
        '#explore=data&q={"f":[["n","contains","x"],["when","range","soon",null],["town","in",[]]],"p":-1,"s":["n","up"]}',
        '#explore=data&q={"f":[["constructor","in",["x"]],{"__proto__":1},"x"],"g":["town","__proto__"],"s":"town"}',
    )
    assert malformed["ignored"] == ["the link's query could not be read"]
    assert malformed["query"]["filters"] == []
    assert stale["ignored"] == [
        'a filter: column "gone" is not in this resource',
        'the sort: column "gone" is not in this resource',
        'the grouping: column "gone" is not in this resource',
    ]
    assert wrong["query"] == {"filters": [], "sort": None, "group": None, "page": 0}
    assert len(wrong["ignored"]) == 5
    assert 'it cannot be filtered by "contains"' in wrong["ignored"][0]
    assert hostile["query"]["filters"] == []
    assert hostile["query"]["group"] == {"by": "town", "measure": None}
    assert 'the grouping\'s measure: "__proto__" is not numeric' in hostile["ignored"]
    assert len(hostile["ignored"]) == 5


def test_a_view_survives_its_link() -> None:
    query = {
        "filters": [
            {"column": "town", "op": "contains", "text": 'a "b" & c=d#e'},
            {"column": "when", "op": "range", "min": "2024-01-01", "max": None},
        ],
        "sort": {"column": "__proto__", "desc": False},
        "group": None,
        "page": 2,
    }
    got = harness(
        {
            "static": str(REPO / "templates" / "static"),
            "columns": COLUMNS,
            "round_trips": [{"resource": "data", "query": query}],
        }
    )
    assert got["hashes"] == [{"query": query, "ignored": []}]


def test_code_quotes_odd_names_and_values_for_each_language() -> None:
    odd = [
        {"name": 'say "hi"', "kind": "string", "aware": False},
        {"name": "it's `x`", "kind": "integer", "aware": False},
        {"name": "__proto__", "kind": "number", "aware": False},
    ]
    query = {
        "filters": [
            {"column": 'say "hi"', "op": "in", "values": ['O\'Brien \\ "x"', None]},
            {"column": "it's `x`", "op": "range", "min": "1", "max": "5"},
        ],
        "sort": {"column": "__proto__", "desc": True},
    }
    got = harness(
        {
            "static": str(REPO / "templates" / "static"),
            "columns": odd,
            "snippets": [
                {"query": query, "columns": odd, "url": "https://x.example/a'b\".parquet"}
            ],
        }
    )
    code = got["snippets"][0]
    compile(code["pandas"], "<pandas>", "exec")  # valid Python, names and values as literals
    assert 'df["say \\"hi\\""].isin(["O\'Brien \\\\ \\"x\\""])' in code["pandas"]
    assert '"say ""hi""" IN (\'O\'\'Brien \\ "x"\')' in code["duckdb"]
    assert "'https://x.example/a''b\".parquet'" in code["duckdb"]
    assert "`it's \\`x\\`` >= 1" in code["r"]
    # the DuckDB code parses (it is run for real on a file in the test above)
    con = duckdb.connect()
    con.execute(
        'CREATE TABLE t AS SELECT \'a\' AS "say ""hi""", 1 AS "it\'s `x`", 1.0 AS __proto__'
    )
    sql = (
        code["duckdb"]
        .split(";\n")[-1]
        .replace(
            "read_parquet('https://x.example/a''b\".parquet', file_row_number = true)",
            "(SELECT *, 0 AS file_row_number FROM t)",
        )
    )
    assert con.execute(sql).fetchall() == []


def test_only_published_resources_get_an_explorer(example: Path) -> None:
    pages = {
        p.parent.relative_to(example / "datasets").as_posix(): p.read_text("utf-8")
        for p in (example / "datasets").glob("*/*/index.html")
    }
    for ident in ("despp/state-police-incident-reports", "dph/vital-records-death-certificates"):
        assert "data-explore" not in pages[ident] and "explore.js" not in pages[ident]
    assert 'data-explore="crashes"' in pages["dot/traffic-crashes-2023"]
    assert sum("data-explore=" in page for page in pages.values()) == 10
    # every module the page preloads is served
    listed = json.loads((example / "static/vendor/modules.json").read_text())
    assert "vendor/hyparquet/index.js" in listed and "explorer/engine.js" in listed
    assert all((example / "static" / path).is_file() for path in listed)
    assert not (example / "static/vendor/hyparquet/node.js").exists()  # Node's file reader


def test_without_the_modules_the_build_says_so_and_keeps_the_preview(
    make: CatalogMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import catalog.site.explorer as explorer

    monkeypatch.setattr(explorer, "PROJECT", tmp_path / "elsewhere")
    monkeypatch.delenv("CATALOG_JS_MODULES", raising=False)
    make.dataset()
    report = build(make.root, tmp_path / "site", cache_dir=tmp_path / "cache", jobs=1, search=False)
    assert [(p.code, p.path) for p in report.warnings if p.code == "explorer-unavailable"] == [
        ("explorer-unavailable", "js/package.json")
    ]
    page = (tmp_path / "site/datasets/dot/test/index.html").read_text("utf-8")
    assert "data-explore" not in page and '<table class="preview">' in page
    assert not (tmp_path / "site/static/vendor").exists()
    # pointed at the modules, the same catalog builds with its explorer
    monkeypatch.setenv("CATALOG_JS_MODULES", str(REPO / "js" / "node_modules"))
    report = build(make.root, tmp_path / "site", cache_dir=tmp_path / "cache", jobs=1, search=False)
    assert "explorer-unavailable" not in [p.code for p in report.warnings]
    assert "data-explore" in (tmp_path / "site/datasets/dot/test/index.html").read_text("utf-8")
