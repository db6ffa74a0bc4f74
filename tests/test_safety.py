"""Never leak, never execute: protected columns and non-public data appear nowhere in the
built site, and no metadata or cell can inject markup or script."""

from __future__ import annotations

import csv
import gzip
import io
import json
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
from bs4 import BeautifulSoup
from conftest import CatalogMaker, dataset_yaml

from catalog.site.build import build

SENTINEL = b"sentinel"  # searched case-insensitively: the search index lowercases words
EXEMPT = [{"authority": "CGS 1-210(b)(2)", "category": "personal-privacy"}]


def expand(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    """The bytes of a file and of everything packed inside it (zip, gzip, Parquet)."""
    yield name, data
    if data[:2] == b"\x1f\x8b":
        yield from expand(name + "!gunzip", gzip.decompress(data))
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for member in zf.namelist():
                yield from expand(f"{name}!{member}", zf.read(member))
    if data[:4] == b"PAR1":
        table = pq.read_table(io.BytesIO(data))
        yield (
            name + "!values",
            json.dumps([table.schema.names, table.to_pylist()], default=str).encode(),
        )


def leaks(site: Path) -> list[str]:
    found = []
    for p in sorted(site.rglob("*")):
        if p.is_file():
            for name, data in expand(p.relative_to(site).as_posix(), p.read_bytes()):
                if SENTINEL in data.lower():
                    found.append(name)
    return found


def test_no_byte_of_protected_or_non_public_data_reaches_the_site(
    make: CatalogMaker, tmp_path: Path
) -> None:
    make.catalog(repository="private")  # a private repository may hold the protected data
    meta = dataset_yaml()
    meta["resources"][0]["schema"]["fields"] += [
        {
            "name": "sentinel_ssn",
            "type": "string",
            "protected": True,
            "exemption": "CGS 1-210(b)(2)",
        },
        {
            "name": "notes",
            "type": "string",
            "protected": True,
            "exemption": "CGS 1-210(b)(2)",
            "title": "Case notes",
        },
    ]
    rows = "".join(
        f"{i},name{i},{i},SENTINEL-SSN-{i:04d},Sentinel note {i}\n" for i in range(1, 301)
    )
    make.dataset("dot/open", meta=meta, csv="id,name,amount,sentinel_ssn,notes\n" + rows)
    for level, ident in (("restricted public", "dot/restricted"), ("non-public", "dot/closed")):
        m = dataset_yaml(
            access_level=level,
            rights="Ask the agency.",
            exemptions=EXEMPT,
            access_url="https://example.gov/ask",
            title=f"{level} data",
        )
        make.dataset(
            ident, meta=m, csv="id,name,amount\n1,SENTINEL-" + ident + ",1\n2,sentinel row,2\n"
        )
    report = build(make.root, tmp_path / "site", search=True)
    assert report.datasets == 3
    site = tmp_path / "site"
    # the public dataset is there, without its protected columns
    assert (site / "datasets/dot/open/data.parquet").is_file()
    assert pq.read_schema(site / "datasets/dot/open/data.parquet").names == ["id", "name", "amount"]
    assert (site / "pagefind").is_dir()
    assert leaks(site) == []


def test_the_scanner_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The leak check itself can fail: plant sentinels in each packed form."""
    import pyarrow as pa

    (tmp_path / "a.html").write_text("<p>Sentinel</p>")
    (tmp_path / "b.gz").write_bytes(gzip.compress(b"x sentinel y"))
    with zipfile.ZipFile(tmp_path / "c.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("inner.csv", "SENTINEL\n" * 100)
    pq.write_table(
        pa.table({"x": ["SENTINEL-0001"] * 1000}), tmp_path / "d.parquet", compression="zstd"
    )
    assert leaks(tmp_path) == [
        "a.html",
        "b.gz!gunzip",
        "c.zip!inner.csv",
        "d.parquet",
        "d.parquet!values",
    ]  # Parquet statistics hold raw values too


PAYLOAD = "</script><script>alert(1)</script><img src=x onerror=alert(2)>\"'&<!--"


def test_injection_payloads_are_inert_everywhere(make: CatalogMaker, tmp_path: Path) -> None:
    make.catalog(title="Catalog " + PAYLOAD, description=PAYLOAD)
    make.agency("dot", name="Agency " + PAYLOAD, description=PAYLOAD)
    meta = dataset_yaml(
        title="Title " + PAYLOAD,
        description="Description with [a link](javascript:alert(3)) and <script>alert(4)</script> "
        + PAYLOAD,
        keywords=["kw " + PAYLOAD],
        contact={"name": "Contact " + PAYLOAD, "email": "data@example.gov"},
        attribution=PAYLOAD,
        row_label=PAYLOAD,
        spatial=PAYLOAD,
    )
    fields = meta["resources"][0]["schema"]["fields"]
    fields[1]["title"] = PAYLOAD
    fields[1]["description"] = PAYLOAD
    fields.append(
        {"name": "col " + PAYLOAD.replace(",", ""), "type": "string", "description": PAYLOAD}
    )
    meta["resources"][0]["title"] = PAYLOAD
    header = 'id,name,amount,"col ' + PAYLOAD.replace('"', '""').replace(",", "") + '"'
    cell = '"' + PAYLOAD.replace('"', '""') + '"'
    make.dataset("dot/x", meta=meta, csv=f"{header}\n1,{cell},1,{cell}\n")
    build(make.root, tmp_path / "site", search=False)
    pages = list((tmp_path / "site").rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        doc = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        scripts = doc.find_all("script")
        own = [s for s in scripts if s.get("src")]
        assert all(
            s["src"].endswith(
                ("static/search.js", "static/vega.js", "static/charts.js", "static/explore.js")
            )
            and not s["src"].startswith(("http", "/"))
            for s in own
        ), page
        scripts = [s for s in scripts if not s.get("src")]
        assert all(s.get("type") == "application/ld+json" for s in scripts), (
            page
        )  # no inline script but JSON-LD
        assert all(
            img["src"].startswith("charts/") or "/charts/" in img["src"]
            for img in doc.find_all("img")
        ), page
        for el in doc.find_all(True):
            assert not [a for a in el.attrs if a.lower().startswith("on")], (page, el)
            href = el.get("href")
            assert not (isinstance(href, str) and href.lower().startswith("javascript:")), (
                page,
                el,
            )
        for s in scripts:
            data = json.loads(s.string)  # JSON-LD still parses: nothing broke out of it
            assert data["name"] == "Title " + PAYLOAD
    dataset_page = BeautifulSoup(
        (tmp_path / "site/datasets/dot/x/index.html").read_text(), "html.parser"
    )
    assert dataset_page.h1.get_text() == "Title " + PAYLOAD  # shown as text, intact
    cells = [td.get_text() for td in dataset_page.select("table.preview td")]
    assert cells.count(PAYLOAD) == 2
    site = tmp_path / "site"
    feed = ET.parse(site / "feed.xml").getroot()  # XML still parses, the title intact
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.find(f"{atom}title").text.startswith("Catalog " + PAYLOAD)
    assert [e.find(f"{atom}title").text for e in feed.iter(f"{atom}entry")] == ["Title " + PAYLOAD]
    ET.parse(site / "sitemap.xml")
    rows = list(csv.DictReader((site / "catalog.csv").open(encoding="utf-8", newline="")))
    assert [r["title"] for r in rows] == ["Title " + PAYLOAD]
    assert json.loads((site / "data.json").read_text())["dataset"][0]["title"] == "Title " + PAYLOAD


def test_catalog_csv_cells_do_not_start_formulas(make: CatalogMaker, tmp_path: Path) -> None:
    make.dataset("dot/x", meta=dataset_yaml(title='=HYPERLINK("http://x.example","x")'))
    build(make.root, tmp_path / "site", search=False)
    rows = list(csv.DictReader((tmp_path / "site/catalog.csv").open(encoding="utf-8")))
    assert rows[0]["title"] == '\'=HYPERLINK("http://x.example","x")'
    # the machine-readable copies keep the text as written
    assert pq.read_table(tmp_path / "site/catalog.parquet")["title"][0].as_py().startswith("=")
