"""Search at scale: a generated catalog of many small datasets, built with its Pagefind
index; prints indexing time, index size, time to first results in Chromium when the page
opens with a query, and, the page already loaded, from typing a query to its first results
and to its facet counts (with and without facets chosen: those counts take one more search
per chosen facet).

    python benchmarks/bench_search.py OUT [--datasets 10000]

Datasets are small (20 rows) and opt out of default charts, so the build measures
the catalog's size, not chart rendering.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml
from browser import chromium, served  # benchmarks/ is on the path when run as a script
from make_catalog import WORDS

from catalog.core.contract import DEFAULT_CATEGORIES

CATEGORIES = list(DEFAULT_CATEGORIES)


def generate(out: Path, n: int) -> None:
    if out.exists():
        shutil.rmtree(out)
    (out / "datasets").mkdir(parents=True)
    (out / "catalog.yaml").write_text(
        yaml.safe_dump({"title": "Search Benchmark", "base_url": "http://127.0.0.1/"})
    )
    for a in range(50):
        folder = out / "datasets" / f"agency-{a:02d}"
        folder.mkdir()
        (folder / "agency.yaml").write_text(
            yaml.safe_dump(
                {
                    "name": f"Department {a}",
                    "abbreviation": f"D{a}",
                    "website": "https://example.gov/",
                    "description": "Generated.",
                    "data_officer": {"name": "ADO", "handle": f"@a{a}"},
                }
            )
        )
    for i in range(n):
        w1, w2 = WORDS[i % 20], WORDS[(i * 7 + 3) % 20]
        folder = out / "datasets" / f"agency-{i % 50:02d}" / f"{w1}-{w2}-{i:05d}"
        folder.mkdir()
        meta = {
            "title": f"{w1.title()} and {w2} {i}",
            "description": (
                f"Records of {w1} and {w2} number {i}, generated for the search benchmark. "
                "Sample data."
            ),
            "category": CATEGORIES[i % 10],
            "keywords": [w1, w2],
            "update_frequency": ["Monthly", "Annually", "Weekly"][i % 3],
            "access_level": "public",
            "status": "archived" if i % 50 == 0 else "published",
            "default_chart": False,
            "contact": {"name": "ADO", "email": "ado@example.gov"},
            "resources": [
                {
                    "name": "data",
                    "path": "data.csv",
                    "schema": {
                        "fields": [
                            {
                                "name": f"{w1}_id",
                                "type": "integer",
                                "description": f"Identifier of the {w1} record",
                            },
                            {"name": f"{w2}_count", "type": "integer"},
                        ]
                    },
                }
            ],
        }
        (folder / "dataset.yaml").write_text(yaml.safe_dump(meta, sort_keys=False))
        (folder / "data.csv").write_text(
            f"{w1}_id,{w2}_count\n" + "".join(f"{r},{r * 3}\n" for r in range(1, 21))
        )


def first_results(site: Path, queries: list[str]) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with served(site) as address, sync_playwright() as p:
        url = address + "search/"
        browser = chromium(p)
        for q in queries:
            page = browser.new_page()
            started = time.perf_counter()
            page.goto(f"{url}?q={q}")
            page.wait_for_selector("#search-results li", timeout=60_000)
            times.append(time.perf_counter() - started)
            page.close()
        browser.close()
    return times


def typing(site: Path, queries: list[str]) -> list[tuple[str, int, int]]:
    """(query, ms to first results, ms to facet counts) from the input event, in the page
    (the search page records both on its app element)."""
    from playwright.sync_api import sync_playwright

    out = []
    with served(site) as address, sync_playwright() as p:
        url = address + "search/"
        browser = chromium(p)
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("#search-app[data-facets-ms]", timeout=60_000)
        for q in queries:
            if q.startswith("+facet "):  # choose the first agency, then type
                q = q.removeprefix("+facet ")
                page.locator("#search-facets fieldset").first.locator("input").first.check()
                page.wait_for_selector("#search-app:not([aria-busy])", timeout=60_000)
            page.evaluate(
                "() => { const a = document.getElementById('search-app');"
                " delete a.dataset.resultsMs; delete a.dataset.facetsMs; }"
            )
            page.fill("#search-q", q)
            page.wait_for_selector("#search-app[data-facets-ms]", timeout=60_000)
            app = page.locator("#search-app")
            results = int(app.get_attribute("data-results-ms") or 0)
            facets = int(app.get_attribute("data-facets-ms") or 0)
            out.append((q, results, facets))
        browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("out", type=Path)
    ap.add_argument("--datasets", type=int, default=10_000)
    ap.add_argument("--measure-only", action="store_true", help="reuse OUT/site as built")
    args = ap.parse_args()
    if args.measure_only:
        measure(args.out / "site")
        return
    t = time.perf_counter()
    generate(args.out, args.datasets)
    print(f"generated {args.datasets:,} datasets in {time.perf_counter() - t:.0f} s")
    t = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "catalog",
            "build",
            "--root",
            str(args.out),
            "--no-search",
            "-j",
            "2",
        ],
        check=True,
        capture_output=True,
    )
    print(f"build without search: {time.perf_counter() - t:.0f} s")
    site = args.out / "site"
    t = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pagefind",
            "--site",
            str(site),
            "--glob",
            "datasets/*/*/index.html",
            "--quiet",
        ],
        check=True,
    )
    print(f"Pagefind indexing of {args.datasets:,} dataset pages: {time.perf_counter() - t:.1f} s")
    files = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
    print(f"index: {sum(p.stat().st_size for p in files) / 1e6:.1f} MB in {len(files):,} files")
    measure(site)


def measure(site: Path) -> None:
    for q, results, facets in typing(
        site,
        [
            "permits",
            "bridges water",
            "enrollment",
            "transit",
            "claims",
            "+facet water",
            "+facet parks",
        ],
    ):
        print(f"typed {q!r}: first results after {results} ms, facet counts after {facets} ms")
    times = first_results(site, ["permits", "bridges+water", "enrollment", "transit", "claims"])
    print(
        "time to first results in Chromium (page load + index fetch + search), median of "
        f"{len(times)}: {statistics.median(times) * 1000:.0f} ms "
        f"(max {max(times) * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
