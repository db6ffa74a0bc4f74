"""Pages from one origin, downloads from another: a catalog with files_url, its pages
served on one 127.0.0.1 port and its downloads uploaded to an S3-compatible server on
another. On every page type, every link to a download resolves, and no page breaks its
Content-Security-Policy."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import BUCKET, CatalogMaker, Runner
from playwright.sync_api import Page

from catalog.commands.serve import make_server
from catalog.site.build import build

from .conftest import Watch


@pytest.fixture
def two_origins(
    make: CatalogMaker, tmp_path: Path, s3: str, cli: Runner
) -> Iterator[tuple[str, str]]:
    files_url = f"{s3}/{BUCKET}/"
    make.catalog(files_url=files_url)
    make.dataset(
        "dot/counts", csv="id,name,amount\n" + "".join(f"{i},n{i},{i}\n" for i in range(1, 300))
    )
    make.dataset("dph/small", title="Small dataset")
    build(make.root, cache_dir=tmp_path / "cache", search=False)
    code, _, err = cli(
        "upload", "--to", f"s3://{BUCKET}", "--endpoint-url", s3, "--root", str(make.root)
    )
    assert code == 0, err
    server = make_server(make.root / "site", port=0, base_path="/")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", files_url
    server.shutdown()
    server.server_close()


def test_every_download_link_on_every_page_resolves(
    page: tuple[Page, Watch], two_origins: tuple[str, str]
) -> None:
    p, w = page
    pages_url, files_url = two_origins
    assert pages_url.split(":")[2] != files_url.split(":")[2]  # two ports: two origins
    checked = 0
    for path in (
        "",
        "datasets/",
        "datasets/dot/counts/",
        "datasets/dph/small/",
        "api/",
        "agencies/dot/",
    ):
        p.goto(pages_url + path)
        hrefs = p.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            if href.startswith(files_url):
                response = p.request.get(href)
                assert response.status == 200, href
                checked += 1
        # the page itself fetches from the files origin as its CSP allows
        ok = p.evaluate(
            "async url => { const r = await fetch(url, {headers: {Range: 'bytes=0-9'}});"
            " await r.arrayBuffer(); return r.status; }",
            next((h for h in hrefs if h.startswith(files_url)), pages_url),
        )
        assert ok in (200, 206)
    assert checked >= 8  # CSV, Parquet and JSON of two datasets, the bulk files
    assert w.clean(), (w.errors, w.foreign, w.failed)


def test_the_explorer_reads_from_the_files_origin(
    page: tuple[Page, Watch], two_origins: tuple[str, str]
) -> None:
    p, w = page
    pages_url, files_url = two_origins
    fetched: list[tuple[str, int]] = []
    p.on("response", lambda r: fetched.append((r.url, r.status)))
    p.goto(pages_url + "datasets/dot/counts/")
    p.get_by_role("button", name=re.compile("Explore all rows")).click()
    p.wait_for_selector(".explorer[data-ms]:not([aria-busy])", timeout=60_000)
    assert p.inner_text(".explorer-count") == "299 of 299 rows"
    p.get_by_role("button", name="amount: sort ascending").click()
    p.get_by_role("button", name="amount: sort descending").click()
    p.wait_for_selector(".explorer th[aria-sort=descending]", timeout=60_000)
    assert p.locator(".explorer-table tbody td").first.inner_text() == "299"
    with p.expect_download() as got:
        p.get_by_role("button", name="Download these rows (CSV)").click()
    lines = Path(got.value.path()).read_text("utf-8").splitlines()
    assert lines[:3] == ["id,name,amount", "299,n299,299", "298,n298,298"]
    parquet = [
        status for url, status in fetched if url.startswith(files_url) and url.endswith(".parquet")
    ]
    assert parquet and set(parquet) <= {200, 206}
    assert w.clean(), (w.errors, w.foreign, w.failed)
