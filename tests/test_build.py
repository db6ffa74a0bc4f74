"""The whole build: outputs, metadata files, determinism, incremental cache, failure safety."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import frictionless
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from bs4 import BeautifulSoup
from conftest import REPO, CatalogMaker, dataset_yaml
from lossless import open_bulk_database
from schemas import data_package, dcat_us_non_federal, errors

from catalog.site.build import BuildFailed, build


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


# --- the example site --------------------------------------------------------------------


def test_example_pages_exist(example: Path) -> None:
    for page in (
        "index.html",
        "404.html",
        "robots.txt",
        "datasets/index.html",
        "agencies/index.html",
        "categories/index.html",
        "search/index.html",
        "api/index.html",
        "agencies/dph/index.html",
        "categories/transportation/index.html",
    ):
        assert (example / page).is_file(), page
    for ident in (
        "dph/respiratory-hospitalizations",
        "despp/state-police-incident-reports",
        "dph/vital-records-death-certificates",
    ):
        assert (example / "datasets" / ident / "index.html").is_file()


def test_dataset_page_structure(example: Path) -> None:
    page = soup(example / "datasets/dot/traffic-crashes-2023/index.html")
    assert page.h1.get_text() == "Traffic Crashes, 2023"
    headings = [h.get_text() for h in page.find_all("h2")]
    for h in (
        "Downloads",
        "Data dictionary",
        "Preview",
        "About this dataset",
        "Use the data",
        "Cite this version",  # the example catalog is in git: its datasets have versions
        "Changes",
    ):
        assert h in headings, headings
    links = {a.get_text(): a["href"] for a in page.select("ul.downloads a")}
    assert links == {"CSV": "crashes.csv", "Parquet": "crashes.parquet", "JSON": "crashes.json"}
    for href in links.values():
        assert (example / "datasets/dot/traffic-crashes-2023" / href).is_file()
    preview = page.select("table.preview tbody tr")
    assert len(preview) == 100
    dictionary = [th.get_text() for th in page.select("table.dictionary tbody th")]
    assert dictionary == [
        "crash_id",
        "crash_datetime",
        "town",
        "collision_type",
        "injuries",
        "latitude",
        "longitude",
    ]
    assert "1 column is withheld from publication (CGS 14-10)" in page.get_text()
    about = {
        tr.th.get_text(): tr.td.get_text(" ", strip=True) for tr in page.select("table.metadata tr")
    }
    assert (
        about["Agency"] == "Department of Transportation"
        and about["Licence"] == "CC0-1.0"
        and about["Geographic unit"] == "Latitude/longitude"
    )
    ld = json.loads(page.find("script", type="application/ld+json").string)
    assert (
        ld["@type"] == "Dataset"
        and ld["name"] == "Traffic Crashes, 2023"
        and len(ld["distribution"]) == 3
    )


def test_restricted_and_non_public_pages_have_no_data(example: Path) -> None:
    for ident in ("despp/state-police-incident-reports", "dph/vital-records-death-certificates"):
        folder = example / "datasets" / ident
        # the page, and its change history: metadata and access changes only, never rows
        # or files
        assert sorted(p.name for p in folder.iterdir()) == [
            "changes",
            "changes.json",
            "changes.xml",
            "index.html",
        ]
        assert [p.name for p in (folder / "changes").iterdir()] == ["index.html"]
        versions = json.loads((folder / "changes.json").read_text("utf-8"))["versions"]
        assert all(r["rows"] is None for v in versions for r in v["resources"])
        assert all(v["files"] == [] for v in versions)
        page = soup(folder / "index.html")
        assert not page.select("ul.downloads, table.preview, table.dictionary")
        assert page.select_one("section.access") is not None
    restricted = soup(example / "datasets/despp/state-police-incident-reports/index.html")
    assert restricted.select_one("section.access a.button")["href"] == "https://portal.ct.gov/despp"


def test_pages_make_no_external_requests(example: Path) -> None:
    for page in example.rglob("*.html"):
        doc = soup(page)
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            for el in doc.find_all(tag):
                value = el.get(attr)
                if value and not (tag == "link" and el.get("rel") == ["canonical"]):
                    assert not value.startswith(("http:", "https:", "//")), (page, value)


def test_links_are_relative_so_any_sub_path_works(example: Path) -> None:
    for page in example.rglob("*.html"):
        if page.name == "404.html":
            continue
        for a in soup(page).find_all("a", href=True):
            assert not a["href"].startswith("/"), (page, a["href"])
            href = a["href"].split("#")[0]
            if href and not href.startswith(("http", "mailto:")):
                target = (page.parent / href).resolve()
                assert target.exists() or (target / "index.html").exists(), (page, a["href"])


def test_data_json_is_dcat_us(example: Path, corpus: Path) -> None:
    data = json.loads((example / "data.json").read_text())
    assert errors(dcat_us_non_federal(corpus), data) == []
    by_title = {d["title"]: d for d in data["dataset"]}
    assert len(by_title) == 12
    restricted = by_title["State Police Incident Reports"]
    assert restricted["accessLevel"] == "restricted public" and restricted["rights"]
    assert all("downloadURL" not in dist for dist in restricted.get("distribution", []))
    assert by_title["Death Certificate Records"]["accessLevel"] == "non-public"
    public = by_title["Traffic Crashes, 2023"]
    assert public["accrualPeriodicity"] == "R/P1M"
    assert (
        public["distribution"][0]["downloadURL"]
        == "https://example.github.io/open-data-catalog/datasets/dot/traffic-crashes-2023/crashes.csv"
    )


def test_datapackages_are_valid(example: Path, corpus: Path) -> None:
    validator = data_package(corpus)
    for dp in example.glob("datasets/*/*/datapackage.json"):
        assert errors(validator, json.loads(dp.read_text())) == [], dp


def test_datapackage_validates_with_frictionless(example: Path) -> None:
    report = frictionless.Package(
        str(example / "datasets/dph/overdose-deaths-by-town/datapackage.json")
    ).validate()
    assert report.valid, report.flatten(["rowNumber", "type", "note"])


def test_parquet_and_json_read_back_equal_the_csv(example: Path) -> None:
    for parquet in example.glob("datasets/*/*/*.parquet"):
        table = pq.read_table(parquet)
        text = pacsv.read_csv(
            parquet.with_suffix(".csv"),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(table.column_names, "string"), strings_can_be_null=False
            ),
        )
        assert table.num_rows == text.num_rows and table.column_names == text.column_names
        # JSON only for tables up to limits.json_max_rows (50,000 by default)
        json_file = parquet.with_suffix(".json")
        assert json_file.exists() == (table.num_rows <= 50_000), json_file
        records = json.loads(json_file.read_text()) if json_file.exists() else None
        assert records is None or len(records) == table.num_rows
        for name in table.column_names:
            typed, raw = table.column(name).to_pylist(), text.column(name).to_pylist()
            for t, r in zip(typed, raw, strict=True):
                if t is None:
                    assert r in ("", "*"), (parquet, name, r)
                elif isinstance(t, float):
                    assert t == float(r)
                elif hasattr(t, "isoformat"):
                    assert t.isoformat() == r
                else:
                    assert str(t) == r.strip(), (parquet, name, t, r)
        assert records is None or records[0] == {
            k: (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in table.slice(0, 1).to_pylist()[0].items()
        }


def test_parquet_is_typed_from_the_table_schema(example: Path) -> None:
    schema = pq.read_schema(example / "datasets/dph/overdose-deaths-by-town/deaths.parquet")
    assert [(f.name, str(f.type)) for f in schema] == [
        ("year", "int32"),
        ("town", "string"),
        ("deaths", "int64"),
    ]
    assert (
        pq.read_metadata(example / "datasets/dph/overdose-deaths-by-town/deaths.parquet")
        .row_group(0)
        .column(0)
        .compression
        == "ZSTD"
    )


def test_catalog_wide_files(example: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((example / "catalog.csv").read_text())))
    assert len(rows) == 12 and pq.read_table(example / "catalog.parquet").num_rows == 12
    sitemap = ElementTree.fromstring((example / "sitemap.xml").read_bytes())
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://example.github.io/open-data-catalog/datasets/dot/traffic-crashes-2023/" in locs
    feed = ElementTree.fromstring((example / "feed.xml").read_bytes())
    assert (
        len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 11
    )  # archived datasets are not "recent"
    api = json.loads((example / "api/datasets.json").read_text())
    assert len(api) == 12
    one = json.loads((example / "api/datasets/dot/hourly-traffic-counts.json").read_text())
    assert (
        one["resources"][0]["rows"] == 100_740
        and one["resources"][0]["files"]["parquet"]["bytes"] > 0
    )
    with zipfile.ZipFile(example / "bulk/all-public-data.zip") as zf:
        names = zf.namelist()
        inner = zipfile.ZipFile(io.BytesIO(zf.read("dot/hourly-traffic-counts.zip")))
    assert len(names) == 10 and "dot/hourly-traffic-counts.zip" in names
    assert sorted(inner.namelist()) == ["counts.csv", "datapackage.json"]
    with zipfile.ZipFile(example / "bulk/all-public-data.zip") as zf:
        shapes = zipfile.ZipFile(io.BytesIO(zf.read("opm/ct-planning-regions.zip")))
        package = json.loads(shapes.read("datapackage.json"))
        committed = (
            REPO / "datasets/opm/ct-planning-regions/planning-regions.geojson"
        ).read_bytes()
        assert shapes.read("planning-regions.geojson") == committed
        (b,) = [r for r in package["resources"] if r["name"] == "boundaries"]
        assert (b["format"], b["bytes"]) == ("geojson", len(committed))
    assert not any(n.startswith(("dph/vital", "despp/")) for n in names)
    assert not list(example.glob("datasets/*/*/*.zip"))  # the packages are in the bulk zip only
    assert "json" not in one["resources"][0]["files"]  # 100,740 rows: over json_max_rows
    assert not (example / "bulk/catalog.sqlite").exists()
    db = open_bulk_database(example / "bulk/catalog.sqlite.gz")
    assert db.execute(
        'SELECT count(*), sum(vehicles) > 0 FROM "dot__hourly_traffic_counts__counts"'
    ).fetchone() == (100_740, 1)
    assert db.execute("SELECT count(*) FROM datasets").fetchone() == (12,)


# --- determinism and the incremental cache -----------------------------------------------


def small_catalog(make: CatalogMaker, n: int = 3) -> CatalogMaker:
    for i in range(n):
        make.dataset(f"dot/ds-{i}", title=f"Dataset {i}")
    return make


def test_two_builds_are_byte_identical(
    make: CatalogMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    small_catalog(make)
    a = build(make.root, tmp_path / "a", cache_dir=tmp_path / "ca", search=False)
    b = build(make.root, tmp_path / "b", cache_dir=tmp_path / "cb", search=False, jobs=2)
    assert a.transformed == b.transformed == 3
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_the_same_catalog_builds_byte_identical_sites_in_any_folder(
    make: CatalogMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Search index included: Pagefind writes its filter indexes from hash maps, in an order
    that changes from run to run; the build rewrites them in sorted order."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    categories = ["Government", "Public Safety", "Transportation", "Education", "Business"]
    for i in range(8):
        make.dataset(
            f"dot/ds-{i}",
            title=f"Dataset {i}",
            category=categories[i % 5],
            keywords=[f"word{i % 3}", f"other{i % 4}"],
            update_frequency=["Annually", "Monthly", "Weekly"][i % 3],
        )
    import shutil

    elsewhere = tmp_path / "another" / "folder" / "clone"
    shutil.copytree(make.root, elsewhere)
    build(make.root, tmp_path / "a", cache_dir=tmp_path / "ca")
    build(elsewhere, tmp_path / "b", cache_dir=tmp_path / "cb")
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert any(name.endswith(".pf_filter") for name in a)
    assert a == b
    assert json.loads((tmp_path / "a" / "build.json").read_text())["inputs"]


def test_incremental_build_equals_clean_build(
    make: CatalogMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    small_catalog(make)
    site, cache = tmp_path / "site", tmp_path / "cache"
    assert build(make.root, site, cache_dir=cache, search=False).transformed == 3
    assert build(make.root, site, cache_dir=cache, search=False).transformed == 0  # no-op
    make.write("datasets/dot/ds-1/data.csv", "id,name,amount\n1,changed,9\n")
    assert build(make.root, site, cache_dir=cache, search=False).transformed == 1
    import shutil

    shutil.rmtree(make.root / "datasets/dot/ds-2")
    again = build(make.root, site, cache_dir=cache, search=False)
    assert again.transformed == 0 and not (site / "datasets/dot/ds-2").exists()
    assert not (cache / "datasets/dot/ds-2").exists()  # pruned
    clean = build(make.root, tmp_path / "clean", cache_dir=tmp_path / "fresh", search=False)
    assert clean.transformed == 2
    assert tree(site) == tree(tmp_path / "clean")
    assert "changed" in (site / "datasets/dot/ds-1/data.csv").read_text()


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_a_tampered_cache_cannot_put_bytes_into_the_site(
    make: CatalogMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every kept result is sealed with the cache's key: outputs, pages, the Vega runtime
    and validation results edited in the cache (or brought from a cache sealed with another
    key) are discarded and made again, never published."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("CATALOG_CACHE_KEY", "the publishing job's secret")
    chart = {"resource": "data", "mark": "bar", "title": "Amounts", "x": "name", "y": "amount"}
    meta = dataset_yaml(charts=[chart])
    make.dataset("dot/ds", meta=meta)
    cache = tmp_path / "cache"
    build(make.root, tmp_path / "genuine", cache_dir=cache, search=False)
    genuine = _tree(tmp_path / "genuine")
    evil = "<script>alert('cache')</script>"
    for name in ("data.csv", "data.json", "datapackage.json"):
        (cache / "datasets/dot/ds" / name).write_text(evil)
    for page in (cache / "pages").glob("*.html"):
        page.write_text(evil)
    for runtime in cache.glob("vega-*.js"):
        runtime.write_text("alert('cache')")
    again = build(make.root, tmp_path / "again", cache_dir=cache, search=False)
    assert _tree(tmp_path / "again") == genuine
    assert again.discarded >= 3 and again.transformed == 1
    # a cache sealed with another key is not trusted at all
    monkeypatch.setenv("CATALOG_CACHE_KEY", "someone else's key")
    other = build(make.root, tmp_path / "other", cache_dir=cache, search=False)
    assert other.transformed == 1 and other.discarded >= 3
    assert _tree(tmp_path / "other") == genuine


def test_tampered_validation_results_are_not_believed(
    make: CatalogMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make.dataset("dot/ds", csv="id,name,amount\n1,a,-5\n")  # amount below its minimum
    cache = tmp_path / "cache"
    with pytest.raises(BuildFailed):
        build(make.root, tmp_path / "s", cache_dir=cache, search=False)
    result = cache / "validation/dot/ds.json"
    data = json.loads(result.read_text())
    assert [p["code"] for p in data["problems"]] == ["constraint-error"]
    result.write_text(json.dumps({**data, "problems": []}))
    with pytest.raises(BuildFailed):
        build(make.root, tmp_path / "s", cache_dir=cache, search=False)
    assert not (tmp_path / "s").exists()


def test_corrupt_cache_only_costs_time(make: CatalogMaker, tmp_path: Path) -> None:
    small_catalog(make, 1)
    build(make.root, tmp_path / "s", cache_dir=tmp_path / "c", search=False)
    (tmp_path / "c/datasets/dot/ds-0/.output.json").write_text("{not json")
    (tmp_path / "c/validation/dot/ds-0.json").write_text("[")
    import shutil

    shutil.rmtree(tmp_path / "s")  # the site is gone too: the build has to run
    assert build(make.root, tmp_path / "s", cache_dir=tmp_path / "c", search=False).transformed == 1
    assert (tmp_path / "s/datasets/dot/ds-0/data.parquet").is_file()


def test_unchanged_inputs_stop_the_build_at_once(make: CatalogMaker, tmp_path: Path) -> None:
    small_catalog(make, 2)
    first = build(make.root, tmp_path / "s", search=False)
    assert not first.up_to_date
    assert build(make.root, tmp_path / "s", search=False).up_to_date
    make.write("datasets/dot/ds-0/data.csv", "id,name,amount\n7,seven,7\n")
    again = build(make.root, tmp_path / "s", search=False)
    assert not again.up_to_date and again.transformed == 1
    assert not build(
        make.root, tmp_path / "s", search=False, base_url="https://elsewhere.example/"
    ).up_to_date  # options count


# --- failure safety ----------------------------------------------------------------------


def test_failed_build_writes_nothing_and_keeps_the_site(make: CatalogMaker, tmp_path: Path) -> None:
    small_catalog(make)
    site = tmp_path / "site"
    build(make.root, site, cache_dir=tmp_path / "c", search=False)
    before = tree(site)
    make.write("datasets/dot/ds-0/data.csv", "id,name,amount\n1,a,x\n")
    with pytest.raises(BuildFailed) as failed:
        build(make.root, site, cache_dir=tmp_path / "c", search=False)
    assert [(p.path, p.row, p.code) for p in failed.value.problems] == [
        ("datasets/dot/ds-0/data.csv", 2, "type-error")
    ]
    assert tree(site) == before
    assert not list(tmp_path.glob(".site-*"))  # no staging folder left behind


def test_crash_mid_build_keeps_the_site(
    make: CatalogMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import catalog.site.build as b

    small_catalog(make)
    site = tmp_path / "site"
    build(make.root, site, cache_dir=tmp_path / "c", search=False)
    before = tree(site)
    make.write("datasets/dot/ds-0/data.csv", "id,name,amount\n1,new,5\n")

    def boom(*a: object, **k: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(b, "write_metadata", boom)
    with pytest.raises(OSError):
        build(make.root, site, cache_dir=tmp_path / "c", search=False)
    assert tree(site) == before
    assert not list(tmp_path.glob(".site-*"))  # no staging folder left behind


def test_killed_build_leaves_the_old_site_serving(make: CatalogMaker, tmp_path: Path) -> None:
    make.dataset(
        "dot/big",
        csv="id,name,amount\n" + "".join(f"{i},name {i},{i}.5\n" for i in range(1, 400_001)),
    )
    site = tmp_path / "site"
    build(make.root, site, cache_dir=tmp_path / "c", search=False)
    before = tree(site)
    make.write(
        "datasets/dot/big/data.csv",
        "id,name,amount\n" + "".join(f"{i},other {i},{i}\n" for i in range(1, 400_001)),
    )
    build(make.root, tmp_path / "expected", cache_dir=tmp_path / "c2", search=False)
    after = tree(tmp_path / "expected")  # builds are reproducible: what a finished build publishes
    for delay in (0.5, 1.5, 3.0):
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "catalog",
                "build",
                "--root",
                str(make.root),
                "--out",
                str(site),
                "--cache",
                str(tmp_path / "c"),
                "--no-search",
                "-j",
                "1",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        now = tree(site)
        assert now in (before, after), (
            f"a killed build left a partial site (delay {delay})"
        )  # killed after the swap: the new site, whole
        if proc.returncode == 0:
            break
    # the next build cleans up whatever the killed one left and succeeds
    build(make.root, site, cache_dir=tmp_path / "c", search=False)
    assert "other 1," in (site / "datasets/dot/big/data.csv").read_text()[:100]
    assert not list(tmp_path.glob(".site-staging-*"))


def test_base_url_option(make: CatalogMaker, tmp_path: Path) -> None:
    small_catalog(make, 1)
    build(make.root, tmp_path / "s", base_url="https://data.example.org/catalog", search=False)
    data = json.loads((tmp_path / "s/data.json").read_text())
    assert data["dataset"][0]["identifier"] == "https://data.example.org/catalog/datasets/dot/ds-0/"


def test_non_public_not_listed_when_catalog_says_so(make: CatalogMaker, tmp_path: Path) -> None:
    make.catalog(list_non_public=False)
    meta = dataset_yaml(
        access_level="non-public",
        rights="Confidential.",
        exemptions=[{"authority": "CGS 1", "category": "state-law"}],
    )
    del meta["resources"]
    make.dataset("dot/secret", meta=meta, csv=None)
    make.dataset("dot/open")
    build(make.root, tmp_path / "s", search=False)
    assert not (tmp_path / "s/datasets/dot/secret").exists()
    assert "Confidential" not in (tmp_path / "s/data.json").read_text()


def test_dates_and_history_come_from_git(
    make: CatalogMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.gov",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.gov",
    }

    def git(*args: str, date: str | None = None) -> None:
        extra = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {}
        subprocess.run(
            ["git", *args], cwd=make.root, check=True, capture_output=True, env={**env, **extra}
        )

    small_catalog(make, 1)
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "Add ds-0", date="2024-01-02T10:00:00+00:00")
    make.write("datasets/dot/ds-0/data.csv", "id,name,amount\n1,a,2\n")
    git("commit", "-qam", "Correct the amounts", date="2024-03-04T12:00:00+00:00")
    build(make.root, tmp_path / "s", search=False)
    page = BeautifulSoup((tmp_path / "s/datasets/dot/ds-0/index.html").read_text(), "html.parser")
    versions = page.select("ol.versions > li")
    assert [(li.strong.get_text(), li.time.get_text()) for li in versions] == [
        ("1.1.0", "2024-03-04"),
        ("1.0.0", "2024-01-02"),
    ]
    assert "Correct the amounts" in versions[0].get_text() and "Add ds-0" in versions[1].get_text()
    about = {
        tr.th.get_text(): tr.td.get_text(strip=True) for tr in page.select("table.metadata tr")
    }
    assert about["Last updated"] == "2024-03-04" and about["First published"] == "2024-01-02"
    data = json.loads((tmp_path / "s/data.json").read_text())
    assert (
        data["dataset"][0]["modified"] == "2024-03-04"
        and data["dataset"][0]["issued"] == "2024-01-02"
    )


def test_history_leaves_out_commits_made_while_unlisted(
    make: CatalogMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With non-public entries unlisted, a dataset made public later does not show the
    subjects of commits made while it was non-public (nor do its dates come from them)."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.gov"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.gov"}

    def git(*args: str, date: str) -> None:
        dated = {**env, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        subprocess.run(["git", *args], cwd=make.root, check=True, capture_output=True, env=dated)

    make.catalog(list_non_public=False)
    secret = dataset_yaml(
        access_level="non-public",
        rights="Confidential.",
        exemptions=[{"authority": "CGS 1", "category": "state-law"}],
    )
    del secret["resources"]
    make.dataset("dot/x", meta=secret, csv=None)
    git("init", "-q", date="2024-01-01T00:00:00+00:00")
    git("add", "-A", date="2024-01-01T00:00:00+00:00")
    git("commit", "-qm", "Inventory entry for the informant list", date="2024-01-02T10:00:00+00:00")
    make.dataset("dot/other")
    git("add", "-A", date="2024-01-05T00:00:00+00:00")
    git("commit", "-qm", "Add another dataset", date="2024-01-05T10:00:00+00:00")
    make.write("datasets/dot/x/notes.md", "internal notes")
    git("add", "-A", date="2024-02-01T00:00:00+00:00")
    git("commit", "-qm", "Informant names moved to vault", date="2024-02-03T10:00:00+00:00")
    make.dataset("dot/x")  # made public, with data
    git("add", "-A", date="2024-03-01T00:00:00+00:00")
    git("commit", "-qm", "Publish the summary", date="2024-03-04T12:00:00+00:00")
    build(make.root, tmp_path / "s", search=False)
    page = BeautifulSoup((tmp_path / "s/datasets/dot/x/index.html").read_text(), "html.parser")
    history = [li.get_text(" ", strip=True) for li in page.select("ol.versions > li")]
    assert history == ["1.0.0 · 2024-03-04 · Publish the summary first version"]
    site = " ".join(f.read_text("utf-8", "replace") for f in (tmp_path / "s").rglob("*.*"))
    assert "Informant" not in site and "informant" not in site
    other = BeautifulSoup((tmp_path / "s/datasets/dot/other/index.html").read_text(), "html.parser")
    assert len(other.select("ol.versions > li")) == 1


def test_loader_memo_gives_the_same_catalog(make: CatalogMaker, tmp_path: Path) -> None:
    from catalog.load.loader import load_catalog
    from catalog.site.cache import Cache

    small_catalog(make, 2)
    make.dataset(
        "dot/broken", meta="title: T\ndescrption: x\n", csv=None
    )  # problems are remembered too
    build_dir = tmp_path / "c"
    with pytest.raises(BuildFailed):
        build(make.root, tmp_path / "s", cache_dir=build_dir, search=False)
    memo = Cache(build_dir).load_memo()
    assert sorted(memo) == [
        "agency:datasets/dot/agency.yaml",
        "catalog:catalog.yaml",
        "dataset:datasets/dot/broken/dataset.yaml",
        "dataset:datasets/dot/ds-0/dataset.yaml",
        "dataset:datasets/dot/ds-1/dataset.yaml",
    ]
    plain, remembered = load_catalog(make.root), load_catalog(make.root, memo)
    assert remembered.catalog == plain.catalog and remembered.problems == plain.problems
    # checking one dataset reads only that one (and the catalog-wide files)
    one = load_catalog(make.root, only=["dot/ds-1"])
    assert [d.id for d in one.catalog.datasets] == [
        "dot/ds-1"
    ] and one.catalog.agencies == plain.catalog.agencies
