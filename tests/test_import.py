"""Moving a portal in: `catalog import socrata` and `catalog import dcat`, and the old
portal's addresses on the built site.

The Socrata fixtures (tests/fixtures/socrata, see its SOURCE.md) follow the views API's
shape; the DCAT catalogs are served by an HTTP server on 127.0.0.1, as their CSVs are."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CatalogMaker, Runner
from schemas import dcat_us_non_federal, errors
from test_safety import leaks

from catalog.site.build import build

FIXTURES = Path(__file__).parent / "fixtures" / "socrata"
FOLDER = "datasets/department-of-public-health/food-service-inspections"


def load(root: Path, folder: str = FOLDER) -> dict[str, Any]:
    data = yaml.safe_load((root / folder / "dataset.yaml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def fields(meta: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in meta["resources"][0]["schema"]["fields"]}


@pytest.fixture
def imported(make: CatalogMaker, cli: Runner, tmp_path: Path) -> tuple[CatalogMaker, str]:
    make.catalog()
    views = tmp_path / "export"
    shutil.copytree(FIXTURES / "inspections", views)
    code, out, err = cli(
        "import", "socrata", str(views), "--root", str(make.root), "--domain", "data.ct.gov"
    )
    assert err == "", err
    assert code == 0, out  # imported; the decisions left to the ADO are warnings
    return make, out


def test_socrata_view_and_csv_become_a_dataset(imported: tuple[CatalogMaker, str]) -> None:
    make, out = imported
    meta = load(make.root)
    assert meta["title"] == "Food Service Inspections"
    assert meta["category"] == "Health and Human Services"  # "health & human services"
    assert meta["keywords"] == ["inspections", "food"]
    assert (meta["license"], meta["update_frequency"], meta["row_label"]) == (
        "CC-BY-4.0",
        "Weekly",
        "Inspection",
    )
    assert meta["attribution"] == "Department of Public Health" and meta["issued"] == "2020-09-13"
    assert meta["socrata"]["id"] == "ab12-cd34"
    assert meta["socrata"]["path"] == "health-human-services/Food-Service-Inspections"
    assert meta["socrata"]["fields"]["Inspection Date"] == "inspection_date"
    # HTML made Markdown text: links kept, script and javascript: links gone
    description = meta["description"]
    assert "food service" in description and "[DPH](https://portal.ct.gov/DPH)" in description
    assert "alert" not in description and "javascript" not in description and "<" not in description
    assert "- One row per inspection" in description
    f = fields(meta)
    assert f["Inspection ID"]["type"] == "integer"
    assert (
        f["Inspection Date"]["type"] == "datetime"
        and f["Inspection Date"]["format"] == "%m/%d/%Y %I:%M:%S %p"
    )
    assert f["Reported At"]["type"] == "datetime"
    assert f["ZIP"]["type"] == "string"  # text on the portal: leading zeros kept
    assert f["Fine"]["type"] == "number" and f["Fine"].get("bareNumber") is False
    assert f["Compliance"]["type"] == "number" and f["Compliance"].get("unit") == "percent"
    assert f["Passed"]["type"] == "boolean"
    assert f["Report"] == {**f["Report"], "type": "string", "format": "uri"}
    assert f["Location"]["type"] == "string" and "POINT" in f["Location"]["description"]
    assert (
        f["Inspector Notes"]["protected"] is True and "FILL IN" in f["Inspector Notes"]["exemption"]
    )
    assert f["Inspection Date"]["description"] == "When the inspection took place."
    # the hidden column's values stay out of a public repository
    committed = (make.root / FOLDER / "ab12-cd34.csv").read_text("utf-8")
    assert "SENTINEL" not in committed and "Inspector Notes" not in committed.splitlines()[0]
    # the report lists what was not mapped and what to decide
    for words in (
        "Region Code",
        "Extra Column",
        "Inspector Notes",
        "set to public",
        "created",
    ):
        assert words in out, words
    assert (make.root / "datasets/department-of-public-health/agency.yaml").is_file()
    # a custom field with no place in dataset.yaml: in the report, and kept in the file
    assert "custom fields not mapped: Dataset Information / Data Owner" in out
    text = (make.root / FOLDER / "dataset.yaml").read_text("utf-8")
    assert "#   Dataset Information / Data Owner: Food Protection Program" in text


def test_an_imported_dataset_validates_once_its_decisions_are_made(
    imported: tuple[CatalogMaker, str], cli: Runner
) -> None:
    make, _ = imported
    code, out, _ = cli("validate", "--root", str(make.root), "--format", "json")
    problems = json.loads(out)
    assert code == 0 and not [p for p in problems if p["severity"] == "error"], problems
    # each decision left is marked, at its line: the withheld column's exemption, the new
    # agency's details
    marked = {(p["code"], p["field"]) for p in problems}
    assert ("placeholder", "exemption") in marked
    assert {("placeholder", "website"), ("placeholder", "handle")} <= marked
    assert ("placeholder", "email") in marked  # the view named no contact
    meta = load(make.root)
    fields(meta)["Inspector Notes"]["exemption"] = "CGS 1-210(b)(2)"
    meta["contact"]["email"] = "dph.data@ct.gov"
    make.write(f"{FOLDER}/dataset.yaml", meta)
    make.agency("department-of-public-health")
    code, out, _ = cli("validate", "--root", str(make.root), "--format", "json")
    assert code == 0 and [p for p in json.loads(out) if p["code"].startswith("placeholder")] == []


def test_the_old_portal_addresses_answer(
    imported: tuple[CatalogMaker, str], tmp_path: Path
) -> None:
    make, _ = imported
    meta = load(make.root)
    fields(meta)["Inspector Notes"]["exemption"] = "CGS 1-210(b)(2)"
    make.write(f"{FOLDER}/dataset.yaml", meta)
    make.agency("department-of-public-health")
    site = tmp_path / "site"
    build(make.root, site, cache_dir=tmp_path / "cache", jobs=1, search=False)
    published = site / "datasets/department-of-public-health/food-service-inspections/ab12-cd34.csv"
    assert (site / "resource/ab12-cd34.csv").read_bytes() == published.read_bytes()
    assert (site / "api/views/ab12-cd34/rows.csv").read_bytes() == published.read_bytes()
    rows = json.loads((site / "resource/ab12-cd34.json").read_text("utf-8"))
    assert (
        rows[0]["inspection_id"] == 1001
        and rows[0]["zip"] == "06103"
        and "Inspection ID" not in rows[0]
    )
    page = "https://data.example.gov/datasets/department-of-public-health/food-service-inspections/"
    for moved in (
        "d/ab12-cd34/index.html",
        "health-human-services/Food-Service-Inspections/ab12-cd34/index.html",
    ):
        text = (site / moved).read_text("utf-8")
        assert f'content="0; url={page}"' in text and f'rel="canonical" href="{page}"' in text
    dataset_page = (
        site / "datasets/department-of-public-health/food-service-inspections/index.html"
    ).read_text("utf-8")
    assert "ab12-cd34" in dataset_page
    assert leaks(site) == []


def test_importing_again_updates_and_never_overwrites_edits(
    make: CatalogMaker, cli: Runner, tmp_path: Path
) -> None:
    make.catalog()
    views = tmp_path / "export"
    shutil.copytree(FIXTURES / "inspections", views)
    view_file = views / "ab12-cd34.json"
    assert cli("import", "socrata", str(views), "--root", str(make.root))[0] == 0
    code, out, _ = cli("import", "socrata", str(views), "--root", str(make.root))
    assert "1 unchanged" in out
    # the portal changed the description: the unedited folder is updated
    view = json.loads(view_file.read_text("utf-8"))
    view["description"] = (
        "Results of every food service inspection by the Department, one row each."
    )
    view["rowsUpdatedAt"] += 100
    view_file.write_text(json.dumps(view), "utf-8")
    code, out, _ = cli("import", "socrata", str(views), "--root", str(make.root))
    assert code == 0 and "1 updated" in out and "changed: description" in out
    assert load(make.root)["description"].startswith("Results of every food service")
    # an ADO edits the folder; the portal changes again: the edit stays, the import waits aside
    meta = load(make.root)
    meta["title"] = "Food inspections (edited by the ADO)"
    make.write(f"{FOLDER}/dataset.yaml", meta)
    view["name"] = "Food Service Inspections, renamed at the source"
    view["rowsUpdatedAt"] += 100
    view_file.write_text(json.dumps(view), "utf-8")
    code, out, _ = cli("import", "socrata", str(views), "--root", str(make.root))
    assert (
        code == 0
        and "1 kept" in out
        and "import-conflicts/department-of-public-health/food-service-inspections" in out
    )
    assert load(make.root)["title"] == "Food inspections (edited by the ADO)"
    proposal = (
        make.root
        / "import-conflicts/department-of-public-health/food-service-inspections/dataset.yaml"
    )
    assert (
        yaml.safe_load(proposal.read_text("utf-8"))["title"]
        == "Food Service Inspections, renamed at the source"
    )


def test_bad_socrata_input_is_reported_per_view(
    make: CatalogMaker, cli: Runner, tmp_path: Path
) -> None:
    make.catalog()
    make.dataset(
        "department-of-public-health/food-service-inspections"
    )  # already there, not imported
    before = (make.root / FOLDER / "dataset.yaml").read_bytes()
    views = tmp_path / "export"
    views.mkdir()
    shutil.copy(FIXTURES / "chart.json", views / "zz99-yy88.json")
    (views / "other.json").write_text('{"rows": []}', "utf-8")
    shutil.copy(FIXTURES / "wrapped.json", views / "wx34-yz56.json")  # read, but no CSV
    for name in ("ab12-cd34", "dup"):  # the same view twice
        shutil.copy(FIXTURES / "inspections/ab12-cd34.json", views / f"{name}.json")
        shutil.copy(FIXTURES / "inspections/ab12-cd34.csv", views / f"{name}.csv")
    (views / "broken.json").write_text("{not json", "utf-8")
    code, out, err = cli("import", "socrata", str(views), "--root", str(make.root))
    assert code == 1 and err == ""
    assert "a chart, not a table" in out
    assert "other.json: not a Socrata view" in out
    assert "broken.json: not readable JSON" in out
    assert "no CSV beside wx34-yz56.json" in out
    assert "ab12-cd34 is also in" in out
    assert "1 created" in out and "4 failed" in out and "1 skipped" in out
    # the view imports beside the existing folder of the same name, which is untouched
    assert (make.root / FOLDER / "dataset.yaml").read_bytes() == before
    assert load(make.root, FOLDER + "-ab12-cd34")["socrata"]["id"] == "ab12-cd34"


# --- DCAT ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTP server on 127.0.0.1 serving a folder."""
    folder = tmp_path / "served"
    folder.mkdir()
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", folder
    httpd.shutdown()
    httpd.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def dcat_catalog(base: str) -> dict[str, Any]:
    def dataset(
        n: int, title: str, distributions: list[dict[str, Any]], **extra: Any
    ) -> dict[str, Any]:
        return {
            "@type": "dcat:Dataset",
            "title": title,
            "description": (
                f"<p>Dataset {n} of the harvest test, described <em>in HTML</em> at length.</p>"
                "<img src=x onerror=alert(1)>"
            ),
            "keyword": ["harvest", f"k{n}"],
            "modified": "2024-05-01",
            "publisher": {
                "@type": "org:Organization",
                "name": "Department of Energy and Environmental Protection",
            },
            "contactPoint": {
                "@type": "vcard:Contact",
                "fn": "DEEP Data",
                "hasEmail": "mailto:deep.data@ct.gov",
            },
            "identifier": f"https://data.example.org/api/views/{n:04d}-abcd",
            "accessLevel": "public",
            "theme": ["Environment and Natural Resources"],
            "accrualPeriodicity": "R/P1M",
            "license": "https://creativecommons.org/publicdomain/zero/1.0/",
            "landingPage": f"https://data.example.org/d/{n:04d}-abcd",
            "distribution": distributions,
            **extra,
        }

    closed = f"http://127.0.0.1:{free_port()}/gone.csv"
    return {
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dataset": [
            dataset(
                1,
                "Air Quality Readings",
                [
                    {
                        "@type": "dcat:Distribution",
                        "downloadURL": base + "air.csv",
                        "mediaType": "text/csv",
                    }
                ],
            ),
            dataset(
                2,
                "Boat Launches",
                [{"@type": "dcat:Distribution", "downloadURL": closed, "mediaType": "text/csv"}],
            ),
            dataset(
                3,
                "State Park Map",
                [
                    {
                        "@type": "dcat:Distribution",
                        "accessURL": "https://maps.example.org/parks",
                        "format": "ArcGIS map",
                    }
                ],
            ),
            dataset(
                4,
                "Air Quality Readings",
                [],
                accessLevel="restricted public",
                rights="Raw sensor logs on request.",
            ),
            {"title": "No identifier"},
        ],
    }


@pytest.mark.parametrize("download", [False, True])
def test_dcat_catalog_over_http(
    make: CatalogMaker, cli: Runner, server: tuple[str, Path], tmp_path: Path, download: bool
) -> None:
    base, served = server
    (served / "air.csv").write_text(
        "station,reading_date,pm25\nHartford,2024-04-01,7.5\nNew Haven,2024-04-01,9.1\n", "utf-8"
    )
    (served / "data.json").write_text(json.dumps(dcat_catalog(base)), "utf-8")
    make.catalog()
    args = ["import", "dcat", base + "data.json", "--root", str(make.root), "--timeout", "5"]
    code, out, err = cli(*args, *(["--download"] if download else []))
    assert err == "" and code == 1, out
    agency = "datasets/department-of-energy-and-environmental-protection"
    air = load(make.root, f"{agency}/air-quality-readings")
    assert (
        air["category"] == "Environment and Natural Resources"
        and air["update_frequency"] == "Monthly"
    )
    assert air["license"] == "CC0-1.0" and air["contact"] == {
        "name": "DEEP Data",
        "email": "deep.data@ct.gov",
    }
    assert "onerror" not in air["description"] and "*in HTML*" not in air["description"]
    if download:
        assert air["resources"][0]["schema"]["fields"][2] == {"name": "pm25", "type": "number"}
        assert (
            make.root / agency / "air-quality-readings/air.csv"
        ).is_file() and "harvested" not in air
    else:
        assert (
            air["harvested"]["distributions"][0]["url"] == base + "air.csv"
            and "resources" not in air
        )
    boats = load(make.root, f"{agency}/boat-launches")
    assert "harvested" in boats
    if download:
        assert "could not download" in out
    restricted = load(make.root, f"{agency}/air-quality-readings-0004-abcd")
    assert (
        restricted["access_level"] == "restricted public"
        and restricted["rights"] == "Raw sensor logs on request."
    )
    assert "has no title or no identifier" in out and "4 created" in out and "1 failed" in out
    # the harvested entries build: shown as elsewhere, and in data.json with their links
    make.agency("department-of-energy-and-environmental-protection")
    for folder in (f"{agency}/air-quality-readings-0004-abcd",):
        meta = load(make.root, folder)
        meta["exemptions"] = [{"authority": "CGS 1-210(b)(19)", "category": "public-safety"}]
        make.write(f"{folder}/dataset.yaml", meta)
    site = tmp_path / "site"
    build(make.root, site, cache_dir=tmp_path / "cache", jobs=1, search=False)
    page = (
        site
        / "datasets/department-of-energy-and-environmental-protection/state-park-map/index.html"
    ).read_text("utf-8")
    assert "https://maps.example.org/parks" in page and "published elsewhere" in page
    data = json.loads((site / "data.json").read_text("utf-8"))
    parks = next(d for d in data["dataset"] if d["title"] == "State Park Map")
    assert parks["distribution"][0]["accessURL"] == "https://maps.example.org/parks"
    # harvested from a Socrata portal (4×4 identifiers): the old addresses answer here too
    parks_page = "https://data.example.gov/datasets/department-of-energy-and-environmental-protection/state-park-map/"
    assert f"url={parks_page}" in (site / "d/0003-abcd/index.html").read_text("utf-8")
    assert (
        "maps.example.org/parks"
        in json.loads((site / "resource/0003-abcd.json").read_text("utf-8"))["message"]
    )
    if download:
        assert (site / "resource/0001-abcd.csv").read_bytes() == (served / "air.csv").read_bytes()
    else:
        assert not (site / "resource/0001-abcd.csv").exists()
    # a second run changes nothing
    code, out, _ = cli(*args, *(["--download"] if download else []))
    assert "4 unchanged" in out


def test_what_is_not_dcat_is_refused_whole(make: CatalogMaker, cli: Runner, tmp_path: Path) -> None:
    make.catalog()
    other = tmp_path / "other.json"
    other.write_text('{"results": []}', "utf-8")
    code, _, err = cli("import", "dcat", str(other), "--root", str(make.root))
    assert code == 2 and "not a DCAT-US catalog" in err and "Traceback" not in err
    code, _, err = cli(
        "import",
        "dcat",
        f"http://127.0.0.1:{free_port()}/data.json",
        "--root",
        str(make.root),
        "--timeout",
        "2",
    )
    assert code == 2 and "cannot be read" in err
    assert not (make.root / "datasets/.imports.json").exists()


def test_dcat_sample_catalog_from_the_corpus(
    make: CatalogMaker, cli: Runner, corpus: Path, tmp_path: Path
) -> None:
    sample = corpus / "suites/dcat-us-project-open-data/v1.1/examples/catalog-sample.json"
    data = json.loads(sample.read_text("utf-8"))
    make.catalog()
    code, out, err = cli("import", "dcat", str(sample), "--root", str(make.root))
    assert err == "" and code == 1  # the sample's themes are not the catalog's categories
    titles = {d["title"] for d in data["dataset"]}
    found = {
        yaml.safe_load(p.read_text("utf-8"))["title"]
        for p in make.root.glob("datasets/*/*/dataset.yaml")
    }
    assert found == titles, out
    # once the catalog's decisions are made, it builds, and its data.json is DCAT-US
    for p in make.root.glob("datasets/*/*/dataset.yaml"):
        meta = yaml.safe_load(p.read_text("utf-8"))
        if meta["access_level"] != "public":
            meta["exemptions"] = [{"authority": "5 U.S.C. 552(b)(4)", "category": "privacy"}]
        meta["category"] = "Government" if "FILL IN" in meta["category"] else meta["category"]
        meta["update_frequency"] = (
            "As needed" if "FILL IN" in meta["update_frequency"] else meta["update_frequency"]
        )
        p.write_text(yaml.safe_dump(meta), "utf-8")
    for agency in {p.parent.parent.name for p in make.root.glob("datasets/*/*/dataset.yaml")}:
        make.agency(agency)
    site = tmp_path / "site"
    build(make.root, site, cache_dir=tmp_path / "cache", jobs=1, search=False)
    assert (
        errors(dcat_us_non_federal(corpus), json.loads((site / "data.json").read_text("utf-8")))
        == []
    )


def test_socrata_real_export_from_the_corpus(
    make: CatalogMaker, cli: Runner, corpus: Path, tmp_path: Path
) -> None:
    views = tmp_path / "export"
    views.mkdir()
    shutil.copy(FIXTURES / "rybz-nyjw.json", views)
    shutil.copy(
        corpus / "real/ct-drug-deaths/Accidental_Drug_Related_Deaths__2012-2017.csv",
        views / "rybz-nyjw.csv",
    )
    make.catalog()
    code, out, err = cli("import", "socrata", str(views), "--root", str(make.root))
    assert err == "" and code == 0
    folder = (
        "datasets/office-of-the-chief-medical-examiner/accidental-drug-related-deaths-2012-2017"
    )
    meta = load(make.root, folder)
    assert meta["row_label"] == "Death" and meta["update_frequency"] == "Annually"
    assert meta["contact"] == {"name": "OCME Data Unit", "email": "ocme.data@ct.gov"}
    assert (
        meta["socrata"]["path"]
        == "Health-and-Human-Services/Accidental-Drug-Related-Deaths-2012-2017"
    )
    f = fields(meta)
    assert (
        f["Date"]["type"] == "date"
        and f["Age"]["type"] == "integer"
        and f["DeathLoc"]["type"] == "string"
    )
    assert (
        "license" not in meta and "licence 'PUBLIC\\_DOMAIN' is not one the catalog allows" in out
    )
    # what validation says is what the ADO must decide, and the CSV's own odd values
    assert "Validation of the imported folders" in out


def test_old_identifiers_are_checked(make: CatalogMaker) -> None:
    from conftest import dataset_yaml

    make.catalog()
    make.dataset(
        "dot/a", meta=dataset_yaml(socrata={"id": "abcd-1234", "path": "Transportation/A"})
    )
    make.dataset("dot/b", meta=dataset_yaml(socrata={"id": "abcd-1234"}))
    make.dataset("dot/c", meta=dataset_yaml(socrata={"id": "wxyz-9876", "path": "datasets/C"}))
    make.dataset("dot/d", meta=dataset_yaml(socrata={"id": "ABCD-12"}))
    errors = [p for p in make.problems() if p.severity == "error"]
    found = {(p.path.split("/")[2], p.code) for p in errors}
    assert found == {
        ("b", "duplicate-identifier"),
        ("c", "reserved-name"),
        ("d", "invalid-value"),
    }, errors
    duplicate = next(p for p in errors if p.code == "duplicate-identifier")
    assert (
        duplicate.line is not None
        and "dot/a" in duplicate.message
        and "abcd-1234" in duplicate.message
    )


def test_a_csv_that_cannot_be_read_is_reported_with_its_line(
    make: CatalogMaker, cli: Runner, tmp_path: Path
) -> None:
    make.catalog()
    views = tmp_path / "export"
    views.mkdir()
    shutil.copy(FIXTURES / "inspections/ab12-cd34.json", views)
    rows = (FIXTURES / "inspections/ab12-cd34.csv").read_text("utf-8").splitlines()
    rows[3] = rows[3] + ",one cell too many"  # a ragged record: line 4
    (views / "ab12-cd34.csv").write_text("\n".join(rows) + "\n", "utf-8")
    code, out, err = cli("import", "socrata", str(views), "--root", str(make.root))
    assert err == "" and code == 1
    assert (
        "1 failed" in out and "line 4 of ab12-cd34.csv has 13 cells where the header has 12" in out
    )
    assert not (make.root / FOLDER).exists()


def test_the_written_yaml_reads_back_whatever_the_portal_held() -> None:
    from catalog.commands.importing import yaml_text

    odd = "nul\x00 bell\x07 del\x7f line\u2028sep \ud800 #hash: 'quote' \"dq\" {x: [y]}"
    text = yaml_text(f"Custom fields:\n  Set / Owner: {odd}", {"title": odd, "keywords": [odd]})
    assert yaml.safe_load(text) == {"title": odd, "keywords": [odd]}
    assert all(line.startswith("#") for line in text.splitlines()[:4])


def test_a_view_with_a_lone_surrogate_imports(
    make: CatalogMaker, cli: Runner, tmp_path: Path
) -> None:
    make.catalog()
    views = tmp_path / "export"
    shutil.copytree(FIXTURES / "inspections", views)
    text = (views / "ab12-cd34.json").read_text("utf-8")
    text = text.replace('"Food Protection Program"', '"Food \\ud800 Program"')
    text = text.replace('"name": "Food Service Inspections"', '"name": "Food \\udfff Inspections"')
    (views / "ab12-cd34.json").write_text(text, "utf-8")
    code, out, err = cli("import", "socrata", str(views), "--root", str(make.root))
    assert err == "" and code == 0, err
    assert (
        load(make.root, "datasets/department-of-public-health/food-inspections")["title"]
        == "Food ? Inspections"
    )
    assert "Data Owner" in out  # the report (with the cleaned value's field) printed whole


def test_the_harvest_fixture_is_dcat_us(corpus: Path) -> None:
    """The catalog the harvest tests serve is valid DCAT-US but for the entry that is meant
    not to be (no identifier)."""
    data = dcat_catalog("http://127.0.0.1:8000/")
    found = errors(dcat_us_non_federal(corpus), data)
    assert found and all(e.startswith("dataset/4") for e in found), found
    data["dataset"] = data["dataset"][:4]
    assert errors(dcat_us_non_federal(corpus), data) == []
