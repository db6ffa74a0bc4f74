"""The command line: exit codes, the three output formats, scaffolding."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, CatalogMaker, Runner


def test_clean_catalog_exits_0(make: CatalogMaker, cli: Runner) -> None:
    make.dataset()
    code, out, _ = cli("validate", "--root", str(make.root))
    assert code == 0 and "Checked 1 dataset: 0 errors, 0 warnings. All clear." in out


def test_warnings_only_exit_0(make: CatalogMaker, cli: Runner) -> None:
    make.dataset(csv="id,name,amount\n1,a@b.gov,1\n")
    code, out, _ = cli("validate", "--root", str(make.root))
    assert code == 0 and "1 warning" in out


def test_problems_exit_1_with_location_and_fix(make: CatalogMaker, cli: Runner) -> None:
    make.dataset(csv="id,name,amount\n1,a,x\n")
    code, out, _ = cli("validate", "--root", str(make.root))
    assert code == 1
    assert "datasets/dot/test/data.csv row 2 field 'amount': error [type-error]" in out
    assert "    fix: " in out


def test_json_format(make: CatalogMaker, cli: Runner) -> None:
    make.dataset(csv="id,name,amount\n1,a,x\n")
    code, out, _ = cli("validate", "--format", "json", "--root", str(make.root))
    data = json.loads(out)
    assert code == 1 and len(data) == 1
    assert {k: data[0][k] for k in ("code", "severity", "path", "line", "row", "field")} == {
        "code": "type-error",
        "severity": "error",
        "path": "datasets/dot/test/data.csv",
        "line": None,
        "row": 2,
        "field": "amount",
    }
    assert data[0]["message"] and data[0]["hint"]


def test_github_format_escapes_and_summary(
    make: CatalogMaker, cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    make.dataset(title="x" * 201)
    code, out, _ = cli("validate", "--format", "github", "--root", str(make.root))
    (line,) = [x for x in out.splitlines() if x.startswith("::")]
    assert code == 1
    assert line.startswith(
        "::error file=datasets/dot/test/dataset.yaml,line=1,title=too-long::title "
        "has 201 characters"
    )
    assert "%0Afix: " in line and "\n" not in line
    table = summary.read_text()
    assert "| error | datasets/dot/test/dataset.yaml | 1 |" in table and "`too-long`" in table


def test_github_property_escaping() -> None:
    from catalog.core.problems import Problem
    from catalog.core.report import as_github

    out = as_github(
        [Problem("a,b:c.csv", None, 3, "type-error", "error", "50% bad\nline", None, "do x")]
    )
    assert (
        out
        == "::error file=a%2Cb%3Ac.csv,line=3,title=type-error::row 3: 50%25 bad%0Aline%0Afix: do x"
    )


def test_validate_paths_select_datasets(make: CatalogMaker, cli: Runner) -> None:
    make.dataset("dot/good").dataset("dot/bad", csv="id,name,amount\n1,a,x\n")
    assert cli("validate", str(make.root / "datasets/dot/good"), cwd=make.root)[0] == 0
    assert cli("validate", str(make.root / "datasets/dot/bad/data.csv"), cwd=make.root)[0] == 1
    code, out, _ = cli("validate", str(make.root / "datasets/dot"), cwd=make.root)
    assert code == 1 and "Checked 2 datasets" in out


def test_usage_errors_exit_2(make: CatalogMaker, cli: Runner, tmp_path: Path) -> None:
    make.dataset()
    code, _, err = cli("validate", str(tmp_path / "nope"), "--root", str(make.root))
    assert code == 2 and "does not exist" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = cli("validate", "--root", str(empty))
    assert code == 2 and "no catalog.yaml" in err
    with pytest.raises(SystemExit) as exc:
        cli("validate", "--format", "xml")
    assert exc.value.code == 2


@pytest.mark.parametrize("command", [[], ["new"], ["validate"], ["docs"]])
def test_help_everywhere(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "catalog", *command, "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "usage: catalog" in done.stdout


def test_internal_error_is_a_clean_message(
    make: CatalogMaker, cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import catalog.checks.validate

    make.dataset()

    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(catalog.checks.validate, "validate", boom)
    code, _, err = cli("validate", "--root", str(make.root))
    assert code == 2 and "internal error: RuntimeError: kaboom" in err and "Traceback" not in err


def test_new_scaffolds_a_valid_dataset(make: CatalogMaker, cli: Runner, tmp_path: Path) -> None:
    make.catalog()
    src = tmp_path / "Road Closures 2024.csv"
    src.write_text(
        "closure id,road,,start,miles,miles\n"
        "1,I-84,x,2024-01-02,1.5,2\n"
        "2,Route 9,y,2024-02-03,,3\n"
        "3,I-91,z,2024-03-04,0.25,4\n"
    )
    code, out, _ = cli("new", "dot/road-closures", "--from", str(src), "--root", str(make.root))
    assert code == 0, out
    folder = make.root / "datasets/dot/road-closures"
    assert sorted(p.name for p in folder.iterdir()) == ["dataset.yaml", "road-closures-2024.csv"]
    assert (make.root / "datasets/dot/agency.yaml").is_file()
    assert "renamed blank or repeated column headers: field3, miles2" in out
    meta = (folder / "dataset.yaml").read_text()
    for key in (
        "title:",
        "description:",
        "category:",
        "keywords:",
        "update_frequency:",
        "access_level:",
        "contact:",
        "resources:",
    ):
        assert key in meta
    # the scaffold is valid: only placeholder warnings remain
    codes = {p.code for p in make.problems()}
    assert codes == {"placeholder"}
    import yaml

    fields = yaml.safe_load(meta)["resources"][0]["schema"]["fields"]
    # an identifier stays text, whatever its digits
    assert [(f["name"], f["type"]) for f in fields] == [
        ("closure id", "string"),
        ("road", "string"),
        ("field3", "string"),
        ("start", "date"),
        ("miles", "number"),
        ("miles2", "integer"),
    ]


def _fields(root: Path, ident: str) -> list[dict[str, object]]:
    import yaml

    return yaml.safe_load((root / "datasets" / ident / "dataset.yaml").read_text())["resources"][0][
        "schema"
    ]["fields"]


def test_new_reads_the_whole_file_and_lists_the_few_values_that_do_not_fit(
    make: CatalogMaker, cli: Runner, tmp_path: Path
) -> None:
    make.catalog()
    src = tmp_path / "late.csv"
    # one odd value at row 25,002 (past any sample), one junk value at the top, a text column
    lines = [f"{i},{i},2024-01-{i % 28 + 1:02d},{'abc'[i % 3]}{i}" for i in range(1, 25_001)]
    lines[0] = "1,1,soon,a1"
    src.write_text("count,label,opened,code\n" + "\n".join(lines) + "\n25001,A7,2024-02-01,b3\n")
    code, out, _ = cli("new", "dot/late", "--from", str(src), "--root", str(make.root))
    fields = _fields(make.root, "dot/late")
    assert fields == [
        {"name": "count", "type": "integer"},
        {"name": "label", "type": "integer"},
        {"name": "opened", "type": "date"},
        {"name": "code", "type": "string"},
    ]
    # the odd values are listed for the ADO to decide, with their rows; validation points there
    assert (
        code == 1
        and "column 'opened' is typed date but 1 value(s) do not read as that (row 2: 'soon')"
        in out
    )
    assert (
        "column 'label' is typed integer but 1 value(s) do not read as that (row 25002: 'A7')"
        in out
    )
    assert "datasets/dot/late/late.csv row 2 field 'opened': error [type-error]" in out
    meta = (make.root / "datasets/dot/late/dataset.yaml").read_text()
    assert "# FILL IN: column 'opened' is typed date" in meta


def test_new_knows_the_formats_portals_export(
    make: CatalogMaker, cli: Runner, tmp_path: Path
) -> None:
    make.catalog()
    src = tmp_path / "sales.csv"
    rows = [
        "Serial Number,List Year,Date Recorded,Sale Amount,Sales Ratio,Town Code,Recorded "
        "At,Opened,Rate,Grad Rate,Flag",
        '200001,2020,09/14/2012,"$20,061.72",0.5,06103,09/27/2012 03:48:18 PM,December '
        "18 2015,95.5%,NDA,Yes",
        '200002,2021,1/3/2022,"$1,463,350.00",1.25,06104,01/03/2022 12:00:00 AM,January '
        "2 2016,100%,88.2,No",
        "200003,2021,12/31/2022,$5.00,NaN,00501,12/31/2022 11:59:59 PM,March 3 2017,0.5%,*,Yes",
    ]
    src.write_text("\n".join(rows) + "\n")
    code, out, _ = cli("new", "dot/sales", "--from", str(src), "--root", str(make.root))
    assert code == 0, out
    got = {
        f["name"]: {k: v for k, v in f.items() if k != "name"}
        for f in _fields(make.root, "dot/sales")
    }
    assert got == {
        "Serial Number": {"type": "integer"},
        "List Year": {"type": "integer"},
        "Date Recorded": {"type": "date", "format": "%m/%d/%Y"},
        "Sale Amount": {"type": "number", "groupChar": ",", "bareNumber": False, "unit": "USD"},
        "Sales Ratio": {"type": "number"},
        "Town Code": {"type": "string"},
        "Recorded At": {"type": "datetime", "format": "%m/%d/%Y %I:%M:%S %p"},
        "Opened": {"type": "date", "format": "%B %d %Y"},
        "Rate": {"type": "number", "groupChar": ",", "bareNumber": False, "unit": "percent"},
        "Grad Rate": {"type": "number", "missingValues": ["", "*", "NDA"]},
        "Flag": {"type": "boolean", "trueValues": ["Yes"], "falseValues": ["No"]},
    }
    assert "column 'Town Code' is kept as text: 3 values have leading zeros" in out


def test_new_reads_decimal_commas_of_a_semicolon_file(
    make: CatalogMaker, cli: Runner, tmp_path: Path
) -> None:
    make.catalog()
    src = tmp_path / "rates.csv"
    src.write_text("town;rate;amount\nA;12,5;1.234,50\nB;3,25;17,00\n")
    code, out, _ = cli("new", "dot/rates", "--from", str(src), "--root", str(make.root))
    assert code == 0, out
    fields = _fields(make.root, "dot/rates")
    assert (
        fields[1]
        == {"name": "rate", "type": "number", "decimalChar": ",", "groupChar": "."}
        == {**fields[2], "name": "rate"}
    )


def test_new_converts_only_the_lines_of_a_utf8_file_that_are_not(
    make: CatalogMaker, cli: Runner, tmp_path: Path
) -> None:
    make.catalog()
    src = tmp_path / "towns.csv"
    src.write_bytes(
        "name,town\nZoë,Hartford\n".encode()
        + "Caf\xe9,Groton\n".encode("cp1252")
        + "Ørsted,Salem\n".encode()
    )
    code, out, _ = cli("new", "dot/towns", "--from", str(src), "--root", str(make.root))
    assert code == 0, out
    assert "is UTF-8 except 1 line(s) (3): those were read as Windows-1252" in out
    assert (make.root / "datasets/dot/towns/towns.csv").read_text(
        "utf-8"
    ) == "name,town\nZoë,Hartford\nCafé,Groton\nØrsted,Salem\n"


def test_new_reads_utf16_and_drops_an_excel_sep_line(
    make: CatalogMaker, cli: Runner, tmp_path: Path
) -> None:
    make.catalog()
    src = tmp_path / "unicode.csv"
    src.write_bytes("sep=;\r\nname;count\r\nZoë;3\r\n".encode("utf-16"))
    code, out, _ = cli("new", "dot/unicode", "--from", str(src), "--root", str(make.root))
    assert code == 0, out
    assert "is UTF-16" in out and "'sep=;' line" in out
    assert (make.root / "datasets/dot/unicode/unicode.csv").read_text(
        "utf-8"
    ) == "name,count\nZoë,3\n"
    assert _fields(make.root, "dot/unicode") == [
        {"name": "name", "type": "string"},
        {"name": "count", "type": "integer"},
    ]


def test_new_converts_windows_1252(make: CatalogMaker, cli: Runner, tmp_path: Path) -> None:
    make.catalog()
    src = tmp_path / "cafes.csv"
    src.write_bytes("name;town\nCaf\xe9 Bleu;Hartford\n".encode("cp1252"))
    code, out, _ = cli("new", "dot/cafes", "--from", str(src), "--root", str(make.root))
    assert code == 0 and "converted from Windows-1252" in out and "delimited by ';'" in out
    assert (make.root / "datasets/dot/cafes/cafes.csv").read_text(
        "utf-8"
    ) == "name,town\nCafé Bleu,Hartford\n"


@pytest.mark.parametrize(
    ("ident", "content", "message"),
    [
        ("DOT/x", "a\n1\n", "lowercase slugs"),
        ("dot", "a\n1\n", "<agency>/<dataset>"),
        ("dot/x", "", "is empty"),
        ("dot/x", "\n\n", "no header row"),
        (
            "dot/x",
            'a,b\n1,"open\n2,x\n3,y\n',
            "line 2: a quoted value opened there is never closed",
        ),
        (
            "dot/x",
            "12.5,2024-01-01\n13.5,2024-01-02\n14.5,2024-01-03\n",
            "looks like data, not column names",
        ),
        (
            "dot/x",
            'Student Counts\n"2007-08"\n\nDistrict,Grade,Count\nA,1,3\nB,2,4\n',
            "the lines above line 4 look like a title",
        ),
        ("dot/x", "a,b\n1,2\n".replace(",", ",\x00"), "NUL bytes"),
    ],
)
def test_new_refuses_with_usage_error(
    make: CatalogMaker, cli: Runner, tmp_path: Path, ident: str, content: str, message: str
) -> None:
    make.catalog()
    src = tmp_path / "in.csv"
    src.write_text(content)
    code, _, err = cli("new", ident, "--from", str(src), "--root", str(make.root))
    assert code == 2 and message in err
    assert not (make.root / "datasets/dot/x").exists()


def test_new_refuses_existing_folder(make: CatalogMaker, cli: Runner, tmp_path: Path) -> None:
    make.dataset()
    src = tmp_path / "in.csv"
    src.write_text("a\n1\n")
    code, _, err = cli("new", "dot/test", "--from", str(src), "--root", str(make.root))
    assert code == 2 and "already exists" in err


def test_build_py_shim_and_module_entry() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0 and "usage: catalog build" in done.stdout


def test_new_refuses_a_ragged_file_naming_the_line(make: CatalogMaker, cli: Runner) -> None:
    make.catalog()
    make.write("r.csv", 'a,b\n1,2\n"x\ny",4\n3,4,5\n6,7\n')
    code, _, err = cli("new", "dot/r", "--from", str(make.root / "r.csv"), "--root", str(make.root))
    assert code == 2 and "Traceback" not in err and "internal error" not in err
    assert "line 5 of r.csv has 3 cells where the header has 2" in err
    assert not (make.root / "datasets/dot/r").exists()
