"""Moving a portal in at state scale: a DCAT-US catalog of N datasets (metadata only, as
`catalog import dcat` harvests them: title, HTML description, keywords, theme, publisher
among 60 agencies, contact, licence, periodicity, one CSV and one API distribution each) is
served on 127.0.0.1 and imported; then the catalog builds (search index included) and a
search for a known title runs against the built index. Prints each time.

    python benchmarks/bench_import.py /tmp/import [--datasets 4000]

Figures go to BENCHMARKS.md (target: importing 4,000 datasets' metadata takes at most 60 s).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import io
import json
import random
import resource
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from catalog.cli import main as catalog  # noqa: E402

THEMES = [
    "Health and Human Services",
    "Transportation",
    "Education",
    "Public Safety",
    "Government",
    "Business",
    "Environment and Natural Resources",
    "Housing and Development",
]
WORDS = [
    "annual",
    "monthly",
    "school",
    "town",
    "bridge",
    "permit",
    "license",
    "inspection",
    "crash",
    "grant",
    "budget",
    "payroll",
    "vendor",
    "water",
    "air",
    "health",
    "hospital",
    "tax",
    "revenue",
    "housing",
    "parcel",
    "election",
    "voter",
    "court",
    "arrest",
    "fire",
    "ems",
    "park",
]
PERIODS = ["R/P1Y", "R/P1M", "R/P1W", "R/P1D", "irregular", "R/P3M"]


def dcat(n: int, base: str) -> dict[str, Any]:
    rnd = random.Random(7)
    agencies = [
        f"Department of {w.title()} and {v.title()}"
        for w, v in zip(WORDS, reversed(WORDS), strict=False)
    ][:30]
    agencies += [f"Office of the {w.title()} Commissioner" for w in WORDS[:30]]
    datasets = []
    for i in range(n):
        words = rnd.sample(WORDS, 4)
        title = f"{' '.join(w.title() for w in words)} {2000 + i % 25} ({i})"
        ident = f"{rnd.choice('abcdefgh')}{i:03d}-{rnd.randint(1000, 9999)}"
        datasets.append(
            {
                "@type": "dcat:Dataset",
                "identifier": f"{base}api/views/{ident}",
                "title": title,
                "description": (
                    f"<p>{title}: records of {' and '.join(words)} kept by the agency.</p>"
                    f"<p>See <a href='https://example.gov/{i}'>the program page</a>.</p>"
                ),
                "keyword": words,
                "modified": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "issued": "2019-01-01",
                "publisher": {"@type": "org:Organization", "name": agencies[i % len(agencies)]},
                "contactPoint": {
                    "@type": "vcard:Contact",
                    "fn": "Open Data",
                    "hasEmail": "mailto:open.data@example.gov",
                },
                "accessLevel": "public",
                "theme": [rnd.choice(THEMES)],
                "accrualPeriodicity": rnd.choice(PERIODS),
                "license": "https://creativecommons.org/publicdomain/zero/1.0/",
                "landingPage": f"{base}d/{ident}",
                "distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "downloadURL": f"{base}api/views/{ident}/rows.csv?accessType=DOWNLOAD",
                        "mediaType": "text/csv",
                    },
                    {
                        "@type": "dcat:Distribution",
                        "accessURL": f"{base}resource/{ident}.json",
                        "format": "API",
                    },
                ],
            }
        )
    return {"conformsTo": "https://project-open-data.cio.gov/v1.1/schema", "dataset": datasets}


class Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves the folder without logging each request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def search_known_titles(site: Path, titles: list[str]) -> list[tuple[str, float, bool]]:
    """(title, seconds from opening the search page with it to results, whether the first
    result is that dataset) in Chromium, against the built site served on 127.0.0.1."""
    from browser import chromium, served  # benchmarks/ is on the path when run as a script
    from playwright.sync_api import sync_playwright

    out = []
    with served(site) as address, sync_playwright() as p:
        browser = chromium(p)
        for title in titles:
            page = browser.new_page()
            started = time.perf_counter()
            page.goto(address + "search/?q=" + urllib.parse.quote(title))
            page.wait_for_selector("#search-results li", timeout=60_000)
            seconds = time.perf_counter() - started
            first = page.locator("#search-results li").first.inner_text()
            out.append((title, seconds, title in first))
            page.close()
        browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("folder", type=Path)
    ap.add_argument("--datasets", type=int, default=4000)
    ap.add_argument("--search-only", action="store_true", help="search FOLDER/site as built")
    args = ap.parse_args()
    titles = [
        d["title"] for d in dcat(args.datasets, "https://data.example.org/")["dataset"][::997]
    ]
    if args.search_only:
        for title, seconds, first in search_known_titles(args.folder / "site", titles):
            print(f"search {title!r}: results in {seconds:.2f} s, first result is it: {first}")
        return
    shutil.rmtree(args.folder, ignore_errors=True)
    served, root = args.folder / "served", args.folder / "catalog"
    served.mkdir(parents=True)
    (root / "datasets").mkdir(parents=True)
    (root / "catalog.yaml").write_text(
        "title: Imported portal\nbase_url: https://data.example.gov/\n", "utf-8"
    )
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(served))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    (served / "data.json").write_text(
        json.dumps(dcat(args.datasets, "https://data.example.org/")), "utf-8"
    )
    size = (served / "data.json").stat().st_size / 1_048_576
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # the report goes to report.md
        code = catalog(
            [
                "import",
                "dcat",
                base + "data.json",
                "--root",
                str(root),
                "--report",
                str(args.folder / "report.md"),
            ]
        )
    seconds = time.perf_counter() - started
    folders = len(list(root.glob("datasets/*/*/dataset.yaml")))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"import dcat: {args.datasets:,} datasets ({size:.1f} MB data.json) in {seconds:.1f} s, "
        f"{folders:,} folders, exit {code}, peak {rss:.0f} MB"
    )
    httpd.shutdown()
    # the ADO's decisions: new agencies get their details (the import leaves placeholders)
    for agency in root.glob("datasets/*/agency.yaml"):
        text = agency.read_text("utf-8").replace(
            "https://example.invalid/fill-in", "https://example.gov/"
        )
        text = text.replace("'@fill-in'", "'@open-data'").replace(
            "FILL IN: what the agency does, in a sentence or two.", "An agency of the state."
        )
        agency.write_text(text, "utf-8")
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "catalog",
            "build",
            "--root",
            str(root),
            "--out",
            str(args.folder / "site"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    print(
        f"build (with search index): {time.perf_counter() - started:.1f} s, exit {done.returncode}"
    )
    if done.returncode:
        print(done.stdout[-2000:], done.stderr[-2000:])
        return
    pages = len(list((args.folder / "site" / "datasets").glob("*/*/index.html")))
    index = args.folder / "site" / "pagefind"
    print(
        f"site: {pages:,} dataset pages; search index "
        f"{sum(p.stat().st_size for p in index.rglob('*') if p.is_file()) / 1_048_576:.1f} MB"
    )
    for title, seconds, first in search_known_titles(args.folder / "site", titles):
        print(f"search {title!r}: results in {seconds:.2f} s, first result is it: {first}")


if __name__ == "__main__":
    main()
