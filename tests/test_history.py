"""The change history: a dataset edited over several commits of a real git repository
(made public, rows added, removed and changed, a column added, metadata edited, a column
retyped, a withheld column edited, a commit that breaks the CSV). Versions, counts and
samples against an independent computation; feeds parse as Atom; nothing withheld or
unpublished reaches the site."""

from __future__ import annotations

import copy
import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from conftest import CatalogMaker, Runner, dataset_yaml
from test_safety import leaks

from catalog.io.gitinfo import git
from catalog.site.build import build

ATOM = "{http://www.w3.org/2005/Atom}"
FOLDER = "datasets/dot/test"


def table(rows: list[dict[str, str]], columns: list[str]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, columns, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


def init_repo(make: CatalogMaker) -> None:
    git(make.root, "init", "-q", "-b", "main")
    git(make.root, "config", "user.email", "ado@example.gov")
    git(make.root, "config", "user.name", "ADO")


WITHHELD = {"name": "ssn", "type": "string", "protected": True, "exemption": "CGS 1-210(b)(2)"}


def commit(make: CatalogMaker, message: str) -> None:
    git(make.root, "add", "-A")
    git(make.root, "commit", "-qm", message)


def independent(
    before: list[dict[str, str]], after: list[dict[str, str]], columns: list[str]
) -> tuple[int, int, int]:
    a = {r["id"]: tuple(r.get(c, "") for c in columns) for r in before}
    b = {r["id"]: tuple(r.get(c, "") for c in columns) for r in after}
    return (
        len(b.keys() - a.keys()),
        len(a.keys() - b.keys()),
        sum(a[k] != b[k] for k in a.keys() & b.keys()),
    )


@pytest.fixture
def edited(make: CatalogMaker, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    # a private repository may hold the withheld data; non-public entries stay off the site
    make.catalog(repository="private", title="History test", list_non_public=False)
    meta = dataset_yaml(access_level="non-public", rights="Personal data under CGS 1-210(b)(2).")
    meta["resources"][0]["schema"]["fields"].append(dict(WITHHELD))
    columns = ["id", "name", "amount", "ssn"]
    rows = [
        {"id": str(i), "name": f"n{i}", "amount": str(i), "ssn": f"SENTINEL-{i:03d}"}
        for i in range(1, 21)
    ]
    make.dataset(meta=meta, csv=table(rows, columns))
    init_repo(make)
    commit(make, "SENTINEL subject while non-public")
    make.write(f"{FOLDER}/data.csv", table(rows, columns) + "21,n21,21,SENTINEL-021\n")
    commit(make, "SENTINEL rows added while non-public")
    # 1.0.0: made public
    meta = copy.deepcopy(meta)
    meta["access_level"] = "public"
    meta.pop("rights")
    make.write(f"{FOLDER}/dataset.yaml", meta)
    rows.append({"id": "21", "name": "n21", "amount": "21", "ssn": "SENTINEL-021"})
    commit(make, "Publish the data")
    # 1.1.0: rows added, removed and changed
    v1 = [dict(r) for r in rows]
    new = [dict(r) for r in rows if r["id"] not in ("3", "4")]
    for r in new:
        if r["id"] in ("5", "6", "7"):
            r["amount"] = str(int(r["amount"]) * 10)
        if r["id"] == "8":
            r["ssn"] = "SENTINEL-EDITED"  # withheld: not a change
    new += [
        {"id": str(i), "name": f"n{i}", "amount": "1", "ssn": f"SENTINEL-{i}"} for i in (30, 31, 32)
    ]
    make.write(f"{FOLDER}/data.csv", table(new, columns))
    commit(make, "Monthly update")
    # 1.2.0: a column added
    meta = copy.deepcopy(meta)
    meta["resources"][0]["schema"]["fields"].insert(3, {"name": "town", "type": "string"})
    columns2 = ["id", "name", "amount", "town", "ssn"]
    for r in new:
        r["town"] = "Hartford"
    make.write(f"{FOLDER}/dataset.yaml", meta)
    make.write(f"{FOLDER}/data.csv", table(new, columns2))
    commit(make, "Add the town")
    # 1.2.1: metadata only
    meta = copy.deepcopy(meta)
    meta["description"] = meta["description"] + " Now with towns."
    make.write(f"{FOLDER}/dataset.yaml", meta)
    commit(make, "Describe the town column")
    # 2.0.0: a column retyped (integer → number)
    meta = copy.deepcopy(meta)
    meta["resources"][0]["schema"]["fields"][2]["type"] = "integer"
    meta = copy.deepcopy(meta)
    make.write(f"{FOLDER}/dataset.yaml", meta)
    commit(make, "Amounts are whole numbers")
    # 2.0.1: only the withheld column edited
    for r in new:
        r["ssn"] = "SENTINEL-AGAIN"
    make.write(f"{FOLDER}/data.csv", table(new, columns2))
    commit(make, "Fix withheld values")
    # 2.0.2: a commit that breaks the CSV (its version is reported, not fatal)
    make.write(f"{FOLDER}/data.csv", 'id,name,amount,town,ssn\n1,"never closed,1,x,y\n')
    commit(make, "Broken upload")
    # back to valid data so the catalog builds: 2.0.3
    make.write(f"{FOLDER}/data.csv", table(new, columns2))
    commit(make, "Fix the upload")
    build(make.root, tmp_path / "site", cache_dir=tmp_path / "cache", jobs=1, search=False)
    expected = {"v1": v1, "v2": new, "columns": ["id", "name", "amount"]}
    return tmp_path / "site", expected


def test_versions_counts_and_samples(edited: tuple[Path, dict[str, Any]]) -> None:
    site, expected = edited
    data = json.loads((site / FOLDER / "changes.json").read_text("utf-8"))
    versions = {v["version"]: v for v in data["versions"]}
    assert [v["version"] for v in data["versions"]] == [
        "2.0.3",
        "2.0.2",
        "2.0.1",
        "2.0.0",
        "1.2.1",
        "1.2.0",
        "1.1.0",
        "1.0.0",
    ]
    assert (
        versions["1.0.0"]["level"] == "first" and versions["1.0.0"]["summary"] == "Publish the data"
    )
    update = versions["1.1.0"]["resources"][0]["rows"]
    assert (
        (update["added"], update["removed"], update["changed"])
        == independent(expected["v1"], expected["v2"], expected["columns"])
        == (3, 2, 3)
    )
    assert update["matched_by"] == ["id"]
    assert update["samples"] == []  # only the five newest versions keep their sample rows
    assert (
        versions["1.2.0"]["level"] == "minor"
        and "column 'town' added (string)" in versions["1.2.0"]["resources"][0]["schema"]
    )
    assert versions["1.2.0"]["resources"][0]["rows"]["columns_added"] == ["town"]
    assert versions["1.2.1"]["level"] == "patch" and versions["1.2.1"]["metadata_changed"] == [
        "description"
    ]
    assert (
        versions["2.0.0"]["level"] == "major"
        and "column 'amount' retyped number → integer"
        in versions["2.0.0"]["resources"][0]["schema"]
    )
    assert (
        versions["2.0.1"]["level"] == "patch" and versions["2.0.1"]["resources"] == []
    )  # withheld edits are no change
    assert "could not be read" in versions["2.0.2"]["resources"][0]["note"]
    assert data["current"]["version"] == "2.0.3"
    assert {f["format"] for f in data["current"]["files"]} >= {"csv", "parquet"}
    page = (site / FOLDER / "index.html").read_text("utf-8")
    assert 'id="version-1.1.0"' in page and "Version 2.0.3" in page and "version = {2.0.3}" in page


def test_feeds_are_atom(edited: tuple[Path, dict[str, Any]]) -> None:
    site, _ = edited
    for feed in (site / FOLDER / "changes.xml", site / "changes.xml"):
        root = ET.fromstring(feed.read_bytes())
        assert root.tag == f"{ATOM}feed"
        for tag in ("title", "id", "updated", "author"):
            assert root.find(f"{ATOM}{tag}") is not None, tag
        entries = root.findall(f"{ATOM}entry")
        assert entries
        for entry in entries:
            for tag in ("title", "id", "updated", "link", "summary"):
                assert entry.find(f"{ATOM}{tag}") is not None, tag
    own = ET.fromstring((site / FOLDER / "changes.xml").read_bytes()).findall(f"{ATOM}entry")
    assert len(own) == 8
    assert "3 rows added, 2 removed, 3 changed" in own[-2].find(f"{ATOM}summary").text  # 1.1.0


def test_nothing_withheld_or_unpublished_reaches_the_site(
    edited: tuple[Path, dict[str, Any]],
) -> None:
    site, _ = edited
    assert leaks(site) == []  # no withheld value, no subject of a commit made while non-public


def test_a_shallow_clone_builds_without_versions_and_says_so(
    edited: tuple[Path, dict[str, Any]], make: CatalogMaker, tmp_path: Path, cli: Runner
) -> None:
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{make.root}", str(clone))
    report = build(
        clone, tmp_path / "shallow-site", cache_dir=tmp_path / "shallow-cache", jobs=1, search=False
    )
    assert "history-incomplete" in [p.code for p in report.warnings]
    assert not (tmp_path / "shallow-site" / FOLDER / "changes.json").exists()
    assert (tmp_path / "shallow-site" / FOLDER / "index.html").is_file()


def test_a_new_commit_adds_one_step_and_renumbers_nothing(
    edited: tuple[Path, dict[str, Any]],
    make: CatalogMaker,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from catalog.site.history import History

    site, _ = edited
    before = json.loads((site / FOLDER / "changes.json").read_text("utf-8"))["versions"]
    compared: list[str] = []
    real = History._compare

    def counting(self: History, old: Any, new: Any) -> dict[str, Any]:
        compared.append(new.sha)
        return real(self, old, new)

    monkeypatch.setattr(History, "_compare", counting)
    data = make.root / FOLDER / "data.csv"
    text = data.read_text("utf-8").replace("\n5,n5,50,", "\n5,n5,55,")
    data.write_text(text + "99,n99,99,Hartford,SENTINEL-99\n", "utf-8")
    commit(make, "One more row, one amount corrected")
    build(make.root, site, cache_dir=tmp_path / "cache", jobs=1, search=False)
    after = json.loads((site / FOLDER / "changes.json").read_text("utf-8"))["versions"]
    assert len(compared) == 1  # the new step only; the rest came from the cache
    assert after[1:5] == before[:4]  # no older version renumbered or changed
    assert [v["version"] for v in after[1:]] == [v["version"] for v in before]
    newest = after[0]["resources"][0]["rows"]
    assert after[0]["version"] == "2.1.0" and (newest["added"], newest["changed"]) == (1, 1)
    assert newest["samples"] == [
        {"key": ["5"], "cells": [{"column": "amount", "before": "50", "after": "55"}]}
    ]


def test_what_changed_this_week(edited: tuple[Path, dict[str, Any]]) -> None:
    site, _ = edited
    page = (site / "changes/index.html").read_text("utf-8")
    for version in ("2.0.0", "1.2.0", "1.1.0", "1.0.0"):  # data changed (1.0.0: published)
        assert f'{FOLDER}/#version-{version}"' in page, version
    for version in ("1.2.1", "2.0.1"):  # metadata only; a withheld column only
        assert f'#version-{version}"' not in page, version
    assert "SENTINEL" not in page


def test_a_moved_dataset_keeps_its_history(make: CatalogMaker, tmp_path: Path) -> None:
    columns = ["id", "name", "amount"]
    rows = [{"id": str(i), "name": f"n{i}", "amount": str(i)} for i in range(1, 6)]
    make.dataset("dot/old-name", csv=table(rows, columns))
    init_repo(make)
    commit(make, "Add")
    rows[0]["amount"] = "100"
    make.write("datasets/dot/old-name/data.csv", table(rows, columns))
    commit(make, "Correct a row")
    # moved and retitled in one commit (git's rename detection alone would not pair them)
    git(make.root, "mv", "datasets/dot/old-name", "datasets/dot/new-name")
    make.write("datasets/dot/new-name/dataset.yaml", dataset_yaml(title="Renamed dataset"))
    commit(make, "Rename the folder")
    make.write(
        "datasets/dot/new-name/data.csv",
        table([*rows, {"id": "6", "name": "n6", "amount": "6"}], columns),
    )
    commit(make, "Add a row")
    build(make.root, tmp_path / "site", cache_dir=tmp_path / "cache", jobs=1, search=False)
    data = json.loads((tmp_path / "site/datasets/dot/new-name/changes.json").read_text("utf-8"))
    versions = {v["version"]: v for v in data["versions"]}
    assert [v["summary"] for v in data["versions"]] == [
        "Add a row",
        "Rename the folder",
        "Correct a row",
        "Add",
    ]
    assert list(versions) == ["1.2.0", "1.1.1", "1.1.0", "1.0.0"]
    assert versions["1.1.0"]["resources"][0]["rows"]["changed"] == 1
    assert versions["1.1.1"]["metadata_changed"] == ["title", "moved from datasets/dot/old-name"]
    assert versions["1.2.0"]["resources"][0]["rows"]["added"] == 1
    assert not (tmp_path / "site/datasets/dot/old-name").exists()


def sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_each_public_version_has_the_sha256_of_its_published_csv(
    edited: tuple[Path, dict[str, Any]],
) -> None:
    site, expected = edited
    data = json.loads((site / "datasets/dot/test/changes.json").read_text("utf-8"))
    files = {v["version"]: v["files"] for v in data["versions"]}
    # the current version's CSV (its withheld column removed) is the published file
    published = (site / "datasets/dot/test/data.csv").read_bytes()
    assert files["2.0.3"] == [
        {"resource": "data", "format": "csv", "bytes": len(published), "sha256": sha256(published)}
    ]
    assert data["current"]["files"][0]["sha256"] == sha256(published)
    # an older one: the CSV the build published then, computed here without the catalog
    v2 = table(expected["v2"], expected["columns"]).encode()
    assert files["1.1.0"] == [
        {"resource": "data", "format": "csv", "bytes": len(v2), "sha256": sha256(v2)}
    ]
    assert files["2.0.2"] == []  # its data could not be read: no hash is made up
    assert "url" not in files["1.1.0"][0]  # old files are not kept unless catalog.yaml says so


@pytest.mark.parametrize("files_url", [None, "https://files.example.gov/"])
def test_keep_old_files_publishes_each_version_at_a_permanent_address(
    make: CatalogMaker, tmp_path: Path, files_url: str | None
) -> None:
    make.catalog(
        repository="private", keep_old_files=True, **({"files_url": files_url} if files_url else {})
    )
    meta = dataset_yaml()
    meta["resources"][0]["schema"]["fields"].append(dict(WITHHELD))
    columns = ["id", "name", "amount", "ssn"]
    rows = [
        {"id": str(i), "name": f"n{i}", "amount": str(i), "ssn": f"SENTINEL-{i}"}
        for i in range(1, 4)
    ]
    make.dataset(meta=meta, csv=table(rows, columns))
    init_repo(make)
    commit(make, "Add")
    shown = []
    for n in (1, 2):
        shown.append(table(rows, columns[:3]).encode())
        rows.append({"id": str(10 + n), "name": "x", "amount": "1", "ssn": "SENTINEL-NEW"})
        make.write(f"{FOLDER}/data.csv", table(rows, columns))
        commit(make, f"Update {n}")
    shown.append(table(rows, columns[:3]).encode())
    site = tmp_path / "site"
    build(make.root, site, cache_dir=tmp_path / "cache", jobs=1, search=False)
    files_tree = tmp_path / "site-files" if files_url else site
    base = files_url or "https://data.example.gov/"  # else the catalog's base_url
    data = json.loads((site / "datasets/dot/test/changes.json").read_text("utf-8"))
    assert [v["version"] for v in data["versions"]] == ["1.2.0", "1.1.0", "1.0.0"]
    for v, expected in zip(data["versions"], reversed(shown), strict=True):
        (f,) = v["files"]
        assert f["sha256"] == sha256(expected)
        assert f["url"] == f"{base}datasets/dot/test/{f['sha256'][:16]}/data.csv"
        assert (files_tree / f["url"].removeprefix(base)).read_bytes() == expected
    assert leaks(site) == [] and leaks(files_tree) == []
    # the dataset's page of versions lists each with its CSV's hash and permanent link
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(
        (site / "datasets/dot/test/changes/index.html").read_text("utf-8"), "html.parser"
    )
    for v in data["versions"]:
        item = soup.find(id=f"version-{v['version']}")
        assert item is not None and v["files"][0]["sha256"] in item.get_text()
        assert item.find("a", href=v["files"][0]["url"]) is not None
    page = (site / "datasets/dot/test/index.html").read_text("utf-8")
    assert 'href="changes/"' in page
    # a second build from the cache publishes the same files
    build(make.root, tmp_path / "again", cache_dir=tmp_path / "cache", jobs=1, search=False)
    again = tmp_path / "again-files" if files_url else tmp_path / "again"
    for v in data["versions"]:
        assert (again / v["files"][0]["url"].removeprefix(base)).is_file()


def test_a_history_record_not_sealed_by_this_cache_is_not_used(tmp_path: Path) -> None:
    from catalog.site.cache import Cache

    cache = Cache(tmp_path / "cache")
    cache.store_record("history/index.json", {"code": "x", "datasets/a/b": {"commits": []}})
    assert cache.record("history/index.json") == {"code": "x", "datasets/a/b": {"commits": []}}
    file = tmp_path / "cache/history/index.json"
    mark, _, text = file.read_text("utf-8").partition("\n")
    file.write_text(mark + "\n" + text.replace('"commits":[]', '"commits":["forged"]'), "utf-8")
    assert cache.record("history/index.json") is None and cache.discarded == 1


def test_moves_are_paired_by_bytes_then_by_name() -> None:
    from catalog.io.gitinfo import _moves

    # two datasets with the same dataset.yaml moved to another agency in one commit
    written = {
        "datasets/dot/x": "",
        "datasets/dot/y": "",
        "datasets/dep/y": "a",
        "datasets/dep/x": "a",
    }
    before = {"datasets/dot/x": "a", "datasets/dot/y": "a"}
    assert _moves(written, before) == {
        "datasets/dot/x": "datasets/dep/x",
        "datasets/dot/y": "datasets/dep/y",
    }
    # one removed, one added with other bytes (edited in the same commit): a move
    assert _moves({"datasets/a/b": "", "datasets/a/c": "2"}, {"datasets/a/b": "1"}) == {
        "datasets/a/b": "datasets/a/c"
    }
    # one removed, one added, not alike (a dataset replaced by another): not a move
    unlike = {"datasets/a/b": "", "datasets/a/c": "2"}
    assert _moves(unlike, {"datasets/a/b": "1"}, lambda _a, _b: False) == {}
    # two removed, two added, all different bytes: no guess
    assert (
        _moves(
            {"datasets/a/b": "", "datasets/a/c": "", "datasets/a/d": "3", "datasets/a/e": "4"},
            {"datasets/a/b": "1", "datasets/a/c": "2"},
        )
        == {}
    )
    # an edit is not a move
    assert _moves({"datasets/a/b": "2"}, {"datasets/a/b": "1"}) == {}


def test_the_newest_version_of_each_example_dataset_hashes_as_its_download(example: Path) -> None:
    """Hashes of versions are of the CSV as the build publishes it: for every example dataset
    committed as it is, the newest version's hash is the download's (withheld columns,
    compressed sources and schema files included)."""
    from conftest import REPO

    from catalog.io.gitinfo import dirty_folders

    dirty = dirty_folders(REPO)
    compared = 0
    for file in sorted(example.glob("datasets/*/*/changes.json")):
        data = json.loads(file.read_text("utf-8"))
        if f"datasets/{data['dataset']}" in dirty or not data["versions"][0]["files"]:
            continue
        current = {
            f["resource"]: f["sha256"] for f in data["current"]["files"] if f["format"] == "csv"
        }
        assert {f["resource"]: f["sha256"] for f in data["versions"][0]["files"]} == current, file
        compared += 1
    assert compared >= 5


def test_newest_changes_reads_only_what_it_lists_and_equals_a_full_sort() -> None:
    import random
    from types import SimpleNamespace

    from catalog.site.changes import newest_changes
    from catalog.site.history import ResourceChange, Version, Versions

    rnd = random.Random(5)
    read: list[str] = []
    entries = []
    for n in range(60):
        versions = []
        for k in range(rnd.randint(0, 6)):
            day = f"2026-11-{rnd.randint(1, 30):02d}T{rnd.randint(0, 23):02d}:00:00Z"
            rows = {"added": 1} if rnd.random() < 0.7 else None  # else a metadata-only version
            versions.append(
                Version(
                    f"1.{k}.0",
                    "c",
                    day,
                    "s",
                    "minor",
                    None,
                    (),
                    (ResourceChange("r", "changed", (), rows),),
                )
            )
        versions.sort(key=lambda v: v.date, reverse=True)
        ident = f"a/d{n:02d}"

        def load(found: list[Version] = versions, ident: str = ident) -> list[Version]:
            read.append(ident)
            return found

        newest = max((v.date for v in versions if v.resources[0].rows), default="")
        entries.append(SimpleNamespace(id=ident, versions=Versions(load, len(versions), newest)))
    site = SimpleNamespace(entries=entries)
    for limit, since in ((10, ""), (25, "2026-11-20"), (500, "")):
        read.clear()
        items, more = newest_changes(site, limit, since)  # type: ignore[arg-type]
        loaded = len(set(read))
        every = sorted(
            (
                (v.date, e.id)
                for e in entries
                for v in e.versions
                if v.resources[0].rows and v.date[:10] >= since
            ),
            reverse=True,
        )
        assert [(v.date, e.id) for e, v in items] == every[:limit]
        assert more == (len(every) > limit)
        if limit == 10:
            assert loaded < 20  # only the datasets that can be among the newest


def test_the_cache_keeps_what_the_last_build_used(make: CatalogMaker, tmp_path: Path) -> None:
    """Lists of versions, changes files and pages of superseded commits are pruned; those of
    unchanged datasets stay (and are not recomputed)."""
    make.catalog()
    make.dataset("dot/a")
    make.dataset("dot/b")
    init_repo(make)
    commit(make, "Add")
    make.write("datasets/dot/a/data.csv", "id,name,amount\n1,alpha,1.5\n2,beta,3\n")
    commit(make, "Change a")
    cache = tmp_path / "cache"

    def files(sub: str) -> set[str]:
        return {p.name for p in (cache / sub).rglob("*") if p.is_file()}

    build(make.root, tmp_path / "site", cache_dir=cache, jobs=1, search=False)
    lists, changes, pages = files("history/versions"), files("changes"), files("pages")
    assert len(lists) == 2 and len(changes) == 2 * 2 * 2  # two datasets: json + xml, each sealed
    make.write("datasets/dot/a/data.csv", "id,name,amount\n1,alpha,1.5\n2,beta,4\n")
    commit(make, "Change a again")
    build(make.root, tmp_path / "site2", cache_dir=cache, jobs=1, search=False)
    after = files("history/versions")
    assert len(after) == 2 and len(after & lists) == 1  # b's list kept, a's replaced
    assert len(files("changes")) == len(changes) and len(files("changes") & changes) == 4
    assert len(files("pages")) == len(pages)
    site = json.loads((tmp_path / "site2/datasets/dot/a/changes.json").read_text("utf-8"))
    assert [v["version"] for v in site["versions"]] == ["1.2.0", "1.1.0", "1.0.0"]


def test_the_history_cache_is_keyed_by_the_code_that_makes_it() -> None:
    """A change to the conversion, the charts or the pages keeps the history's cache; a
    change to how versions are read, written or diffed does not."""
    from catalog.site.history import PACKAGE, history_files

    files = {p.relative_to(PACKAGE).as_posix() for p in history_files()}
    assert {"site/history.py", "site/diff.py", "site/csvtext.py", "io/gitinfo.py"} <= files
    assert {"io/datafile.py", "io/blocks.py"} <= files  # what reads old versions' files
    assert not files & {"site/transform.py", "site/cache.py", "site/charts.py", "site/render.py"}
