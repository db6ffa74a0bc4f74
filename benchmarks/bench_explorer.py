"""The explorer on a generated 1,000,000-row resource (the payroll shape of bigcsv.py,
about 170 MB of CSV), served on 127.0.0.1 and driven in headless Chromium: time from the
button to the first rows, bytes fetched before them (data and code), a one-column filter,
a group-by, sorts, a filtered download, and the page's memory; then the same with a host
that ignores range requests (every read gets the whole file), and the example catalog's
largest resource. Also the bytes the explorer adds to a dataset page before it is opened.

    python benchmarks/bench_explorer.py /tmp/explorer [--rows 1000000]

Needs Debian's chromium and the explorer's modules (`npm ci --prefix js`). Figures go to
BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from bench_scale import fill_in  # noqa: E402
from browser import chromium, served  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402


def make_site(folder: Path, rows: int) -> Path:
    site = folder / "site"
    if (site / "datasets/dpay/payroll/index.html").is_file():
        return site
    shutil.rmtree(folder, ignore_errors=True)
    py = sys.executable
    subprocess.run(
        [py, str(HERE / "bigcsv.py"), str(folder / "src"), "--rows", str(rows), "--errors", "0"],
        check=True,
    )
    cat = folder / "catalog"
    cat.mkdir(parents=True)
    (cat / "catalog.yaml").write_text(
        "title: Explorer benchmark\nbase_url: http://127.0.0.1/x/\nrepository: public\n"
        "limits: {compress_above_mb: 0, max_file_mb: 2000}\n",
        "utf-8",
    )
    catalog = str(Path(py).parent / "catalog")
    subprocess.run(
        [catalog, "new", "dpay/payroll", "--from", str(folder / "src/data.csv")],
        cwd=cat,
        check=True,
        capture_output=True,
    )
    fill_in(cat / "datasets/dpay/payroll/dataset.yaml")
    subprocess.run([catalog, "build", "--out", str(site)], cwd=cat, check=True, capture_output=True)
    return site


def settle(p: Page, since: str | None = None) -> int:
    """Wait for the explorer to finish (its data-ms changes); that refresh's milliseconds."""
    for _ in range(12000):
        ms = p.get_attribute(".explorer", "data-ms") if p.locator(".explorer").count() else None
        if ms is not None and ms != since and not p.locator(".explorer[aria-busy]").count():
            return int(ms)
        time.sleep(0.01)
    raise SystemExit("the explorer did not finish")


def renderer_rss_mb() -> float:
    """The largest RSS among the browser's renderer processes."""
    best = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes()
            if b"--type=renderer" not in cmd:
                continue
            status = (proc / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                best = max(best, int(line.split()[1]))
    return best / 1024


def resources(p: Page) -> dict[str, int]:
    entries = p.evaluate(
        "performance.getEntriesByType('resource')"
        ".map(e => [e.name, e.encodedBodySize || e.transferSize || 0])"
    )
    out = {"parquet": 0, "code": 0, "csv": 0}
    for name, size in entries:
        path = urllib.parse.urlsplit(name).path
        if path.endswith(".parquet"):
            out["parquet"] += size
        elif "/explorer/" in path or "/vendor/" in path or path.endswith("explore.js"):
            out["code"] += size
        elif path.endswith(".csv"):
            out["csv"] += size
    return out


def view(p: Page, base: str, resource: str, q: dict[str, Any]) -> tuple[int, float, str]:
    """Follow a link to a view; (explorer ms, wall seconds, row count)."""
    before = p.get_attribute(".explorer", "data-ms")
    p.evaluate("() => document.querySelector('.explorer').removeAttribute('data-ms')")
    started = time.perf_counter()
    p.goto(base + "#explore=" + resource + "&q=" + urllib.parse.quote(json.dumps(q)))
    ms = settle(p, None if before is None else "")
    return ms, time.perf_counter() - started, p.inner_text(".explorer-count")


def measure(
    site: Path,
    page_path: str,
    resource: str,
    ranges: bool,
    cases: list[tuple[str, dict[str, Any]]],
    download: bool,
) -> None:
    with served(site, "/x/", ranges) as address, sync_playwright() as pw:
        base = address + page_path
        browser = chromium(pw)
        context = browser.new_context(accept_downloads=True)
        p = context.new_page()
        p.goto(base)
        p.wait_for_load_state("networkidle")
        before = resources(p)
        started = time.perf_counter()
        p.click("button.explore-open")
        p.wait_for_selector(".explorer-table tbody tr", timeout=600_000)
        first = time.perf_counter() - started
        settle(p)
        got = resources(p)
        data, code = got["parquet"] / 1e6, (got["code"] - before["code"]) / 1e3
        print(f"  open → first rows: {first * 1000:,.0f} ms; fetched before them: ", end="")
        print(f"data {data:.2f} MB, code {code:,.0f} KB")
        for name, q in cases:
            ms, wall, count = view(p, base, resource, q)
            heap = p.evaluate("performance.memory.usedJSHeapSize") / 1e6
            print(f"  {name:<28} {ms:>7,} ms in the explorer ({wall * 1000:,.0f} ms wall)", end="")
            print(f"  {count}; JS heap {heap:,.0f} MB, renderer {renderer_rss_mb():,.0f} MB")
        if download:
            p.locator(".explorer-count").wait_for()
            started = time.perf_counter()
            with p.expect_download(timeout=600_000) as d:
                p.get_by_role("button", name="Download these rows (CSV)").click()
            size = os.path.getsize(d.value.path())
            ms = (time.perf_counter() - started) * 1000
            print(f"  download of the filtered rows: {ms:,.0f} ms, {size / 1e6:.1f} MB", end="")
            print(" (reads the whole published CSV)")
        heap = p.evaluate("performance.memory.usedJSHeapSize") / 1e6
        print(f"  memory: JS heap {heap:,.0f} MB; renderer RSS {renderer_rss_mb():,.0f} MB")
        browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("folder", type=Path)
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    site = make_site(args.folder, args.rows)
    parquet = site / "datasets/dpay/payroll/data.parquet"
    csv_mb = (site / "datasets/dpay/payroll/data.csv").stat().st_size / 1e6
    print(
        f"{args.rows:,} rows: CSV {csv_mb:,.0f} MB, Parquet {parquet.stat().st_size / 1e6:,.1f} MB"
    )
    page = (site / "datasets/dpay/payroll/index.html").read_bytes()
    script = (site / "static/explore.js").stat().st_size
    attrs = len(b"data-explore=" + page.split(b"data-explore=")[1].split(b">")[0])
    print(f"a dataset page before the explorer opens: explore.js {script:,} bytes", end="")
    print(f" + {attrs} bytes of attributes")
    cases = [
        ("one-column filter (agency)", {"f": [["agency", "in", ["DPH"]]]}),
        ("group-by agency, gross_pay", {"g": ["agency", "gross_pay"]}),
        ("text filter (contains)", {"f": [["work_location", "contains", "elm street"]]}),
        ("sort by a number", {"s": ["gross_pay", "desc"]}),
        ("sort by long text", {"s": ["work_location", "asc"]}),
        ("filter + sort", {"f": [["agency", "in", ["DPH"]]], "s": ["pay_date", "desc"]}),
        ("back to the filter", {"f": [["agency", "in", ["DPH"]]]}),
    ]
    print("range requests (as GitHub Pages and object storage):")
    measure(site, "datasets/dpay/payroll/", "data", True, cases, download=True)
    print("a host that ignores ranges (every read gets the whole file):")
    measure(site, "datasets/dpay/payroll/", "data", False, cases[:3], download=False)
    example = args.folder / "example-site"
    if not example.is_dir():
        subprocess.run(
            [str(Path(sys.executable).parent / "catalog"), "build", "--out", str(example)],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
    counts = example / "datasets/dot/hourly-traffic-counts"
    rows = json.loads((counts / "datapackage.json").read_text())
    mb = sum(r.get("bytes", 0) for r in rows["resources"]) / 1e6
    print(f"the example catalog's largest resource (dot/hourly-traffic-counts, {mb:.1f} MB):")
    measure(
        example,
        "datasets/dot/hourly-traffic-counts/",
        rows["resources"][0]["name"],
        True,
        [
            ("group-by station, vehicles", {"g": ["station_id", "vehicles"]}),
            ("one-column filter", {"f": [["station_id", "in", ["S001"]]]}),
        ],
        download=True,
    )


if __name__ == "__main__":
    main()
