"""Downloads on object storage: a second tree at content-addressed keys, every link
pointing there, uploaded with `catalog upload` to a real S3 server on 127.0.0.1 (moto's
server mode) and pruned; and the site's size budget."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import BUCKET, CatalogMaker, Runner

from catalog.commands.upload import Target, client, prune, stable_key
from catalog.site.build import BuildFailed, build


def catalog_with_files(make: CatalogMaker, files_url: str, rows: int = 200) -> CatalogMaker:
    make.catalog(files_url=files_url)
    make.dataset(
        "dot/counts", csv="id,name,amount\n" + "".join(f"{i},n{i},{i}\n" for i in range(1, rows))
    )
    make.dataset("dph/small", title="Small dataset")
    return make


URL = re.compile(r"""https?://[^\s"'<>)\\]+""")


def links_to(site: Path, prefix: str) -> set[str]:
    """Every address under ``prefix`` written anywhere in the site's text files."""
    found: set[str] = set()
    for f in site.rglob("*"):
        if f.suffix in (".html", ".json", ".xml", ".csv"):
            found.update(u for u in URL.findall(f.read_text("utf-8")) if u.startswith(prefix))
    return found - {prefix}  # the developers page names the files' address itself


def versions(urls: set[str]) -> set[str]:
    """Addresses of versions, not of stable aliases (``…/latest/<name>``)."""
    return {u for u in urls if "/latest/" not in u}


def test_with_files_url_downloads_leave_the_pages_for_a_second_tree(
    make: CatalogMaker, tmp_path: Path
) -> None:
    files_url = "https://files.data.example.gov/ct/"
    catalog_with_files(make, files_url)
    done = build(make.root, tmp_path / "site", cache_dir=tmp_path / "cache", search=False)
    site, files = tmp_path / "site", tmp_path / "site-files"
    assert done.files_out == files
    assert not [
        p
        for p in site.rglob("*")
        if p.suffix in (".csv", ".parquet") and "datasets/" in p.as_posix()
    ]
    assert not (site / "bulk").exists()
    stored = {p.relative_to(files).as_posix() for p in files.rglob("*") if p.is_file()}
    assert {k.rsplit("/", 1)[-1] for k in stored} >= {
        "data.csv",
        "data.parquet",
        "data.json",
        "all-public-data.zip",
        "catalog.sqlite.gz",
    }
    # every link to object storage names a file of the tree, and every file is linked
    every = links_to(site, files_url)
    linked = {u.removeprefix(files_url) for u in versions(every)}
    assert linked == stored
    # the API also names each file's stable alias (kept by `catalog upload`)
    assert {u.removeprefix(files_url) for u in every - versions(every)} == {
        stable_key(k) for k in stored if k.startswith("datasets/")
    }
    page = (site / "datasets/dot/counts/index.html").read_text()
    assert f"read_parquet('{files_url}datasets/dot/counts/" in page
    assert "connect-src 'self' https://files.data.example.gov;" in page.replace("&#39;", "'")
    package = json.loads((site / "datasets/dot/counts/datapackage.json").read_text())
    assert package["resources"][0]["path"].startswith(files_url + "datasets/dot/counts/")
    # a key holds the digest of its bytes: changed data, a new key; the old one untouched
    (key,) = [k for k in stored if k.startswith("datasets/dot/counts/") and k.endswith(".csv")]
    make.write("datasets/dot/counts/data.csv", "id,name,amount\n1,changed,2\n")
    build(make.root, site, cache_dir=tmp_path / "cache", search=False)
    (again,) = [
        p.relative_to(files).as_posix() for p in files.glob("datasets/dot/counts/*/data.csv")
    ]
    assert again != key


def test_upload_puts_every_linked_file_in_the_bucket(
    make: CatalogMaker, tmp_path: Path, s3: str, cli: Runner
) -> None:
    files_url = f"{s3}/{BUCKET}/ct/"
    catalog_with_files(make, files_url)
    build(make.root, cache_dir=tmp_path / "cache", search=False)
    code, out, err = cli(
        "upload", "--to", f"s3://{BUCKET}/ct", "--endpoint-url", s3, "--root", str(make.root)
    )
    assert code == 0, err
    assert re.search(r"Uploaded \d+ files .* 0 were there already", out)
    urls = versions(links_to(make.root / "site", files_url))
    assert len(urls) >= 8
    for url in sorted(urls):
        local = make.root / "site-files" / url.removeprefix(files_url)
        with urllib.request.urlopen(url) as resp:
            assert resp.status == 200 and resp.read() == local.read_bytes(), url
            assert "immutable" in resp.headers["Cache-Control"]
    code, out, _ = cli(
        "upload", "--to", f"s3://{BUCKET}/ct", "--endpoint-url", s3, "--root", str(make.root)
    )
    assert code == 0 and "Uploaded 0 files" in out  # content-addressed: nothing to send again
    assert "; 0 stable addresses now name new versions" in out
    # the stable address the API names serves the current version, cached for minutes
    api = json.loads((make.root / "site/api/datasets/dot/counts.json").read_text())
    csv = api["resources"][0]["files"]["csv"]
    assert csv["stable_url"] == f"{files_url}datasets/dot/counts/latest/data.csv"
    with urllib.request.urlopen(csv["stable_url"]) as resp:
        local = make.root / "site-files" / csv["url"].removeprefix(files_url)
        assert resp.read() == local.read_bytes() and "max-age=300" in resp.headers["Cache-Control"]


def test_a_failed_upload_is_an_error_naming_the_bucket(
    make: CatalogMaker, tmp_path: Path, s3: str, cli: Runner
) -> None:
    catalog_with_files(make, f"{s3}/missing-bucket/")
    build(make.root, cache_dir=tmp_path / "cache", search=False)
    code, out, err = cli(
        "upload", "--to", "s3://missing-bucket", "--endpoint-url", s3, "--root", str(make.root)
    )
    assert code == 2 and "uploading to s3://missing-bucket/ failed" in err
    assert "Traceback" not in err + out
    code, _, err = cli("upload", "--to", "https://example.gov/x", "--root", str(make.root))
    assert code == 2 and "is not s3://BUCKET" in err


def test_prune_deletes_only_what_no_recent_site_links(
    make: CatalogMaker, tmp_path: Path, s3: str, cli: Runner
) -> None:
    files_url = f"{s3}/{BUCKET}/"
    catalog_with_files(make, files_url)
    upload = ("upload", "--to", f"s3://{BUCKET}", "--endpoint-url", s3, "--root", str(make.root))
    build(make.root, cache_dir=tmp_path / "cache", search=False)
    assert cli(*upload)[0] == 0
    first = versions(links_to(make.root / "site", files_url))
    make.write("datasets/dot/counts/data.csv", "id,name,amount\n1,changed,2\n")
    build(make.root, cache_dir=tmp_path / "cache", search=False)
    assert cli(*upload)[0] == 0
    second = versions(links_to(make.root / "site", files_url))
    gone = first - second
    assert gone and second - first
    target, s3client = Target.parse(f"s3://{BUCKET}"), client(s3)
    # today nothing is old enough to go
    assert prune(target, s3client, keep_days=30).deleted == 0
    # forty days on: what only the first site linked goes; the live site's files stay
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=40)
    done = prune(target, s3client, keep_days=30, now=later)
    assert done.deleted == len(gone) and done.manifests_deleted == 1

    def status(url: str) -> int:
        try:
            with urllib.request.urlopen(url) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    assert {status(u) for u in second} == {200}
    assert {status(u) for u in gone} == {404}
    # the stable address follows the live site and survives pruning
    stable = f"{files_url}datasets/dot/counts/latest/data.csv"
    with urllib.request.urlopen(stable) as resp:
        assert resp.read() == b"id,name,amount\n1,changed,2\n"


# --- the size budget ---------------------------------------------------------------------


def test_a_site_past_its_limit_is_not_published_and_names_what_to_move(
    make: CatalogMaker, tmp_path: Path
) -> None:
    make.catalog()
    make.dataset(
        "dot/counts", csv="id,name,amount\n" + "".join(f"{i},n{i},{i}\n" for i in range(1, 20_000))
    )
    site = tmp_path / "site"
    first = build(make.root, site, cache_dir=tmp_path / "cache", search=False)
    assert first.sizes is not None and first.sizes.largest[0][0] == "dot/counts"
    before = (site / "index.html").read_bytes()
    make.catalog(limits={"site_mb": 0.5})
    with pytest.raises(BuildFailed) as failed:
        build(make.root, site, cache_dir=tmp_path / "cache", search=False)
    (p,) = [p for p in failed.value.problems if p.code == "site-too-large"]
    assert "dot/counts" in p.message and "files_url" in p.hint
    assert (site / "index.html").read_bytes() == before  # nothing published
    assert not list(tmp_path.glob(".site-*"))  # no staging left behind
    # with the downloads on object storage the pages fit
    make.catalog(limits={"site_mb": 0.5}, files_url="https://files.example.gov/")
    done = build(make.root, site, cache_dir=tmp_path / "cache", search=False)
    assert done.sizes is not None and done.sizes.pages < 0.5 * 1_048_576


def test_a_site_near_its_limit_warns(make: CatalogMaker, tmp_path: Path) -> None:
    make.dataset(
        "dot/counts", csv="id,name,amount\n" + "".join(f"{i},n{i},{i}\n" for i in range(1, 20_000))
    )
    first = build(make.root, tmp_path / "a", cache_dir=tmp_path / "cache", search=False)
    assert first.sizes is not None
    limit = first.sizes.pages / 0.9 / 1_048_576  # the site is 90 % of it
    make.catalog(limits={"site_mb": limit})
    done = build(make.root, tmp_path / "b", cache_dir=tmp_path / "cache", search=False)
    (p,) = [p for p in done.warnings if p.code == "site-near-limit"]
    assert "90 %" in p.message and "dot/counts" in p.message
