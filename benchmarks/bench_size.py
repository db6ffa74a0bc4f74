"""What a catalog publishes, byte by byte, against its input CSVs: each CSV given becomes a
dataset (`catalog new`, placeholders filled in), the catalog is built, and the published
bytes are summed by kind (CSV, Parquet, JSON, bulk zip, bulk database, pages and the rest).

    python benchmarks/bench_size.py OUT CSV [CSV ...] [--files-url URL]

For example, the real CSVs of the shared test data, or a generated 22 MB file:

    python benchmarks/bigcsv.py /tmp/payroll --rows 130000
    python benchmarks/bench_size.py /tmp/size /tmp/payroll/data.csv ../shared/data/real/*/*.csv
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench_scale import fill_in


def kind(path: Path) -> str:
    name = path.name
    if "bulk" in path.parts:
        return "bulk zip" if name.endswith(".zip") else "bulk database"
    if path.suffix in (".csv", ".parquet", ".json") and "datasets" in path.parts:
        if name in ("datapackage.json",) or "charts" in path.parts:
            return "pages and metadata"
        return path.suffix[1:].upper() if path.suffix != ".parquet" else "Parquet"
    if "pagefind" in path.parts:
        return "search index"
    return "pages and metadata"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("csv", type=Path, nargs="+")
    ap.add_argument("--files-url", default=None)
    args = ap.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    extra = f"files_url: {args.files_url}\n" if args.files_url else ""
    (args.out / "catalog.yaml").write_text(
        f"title: Size benchmark\nbase_url: https://example.github.io/catalog/\n{extra}", "utf-8"
    )
    py = sys.executable
    inputs = used = 0
    for i, csv in enumerate(args.csv):
        ident = f"agency/dataset-{i}"
        made = subprocess.run(
            [py, "-m", "catalog", "new", ident, "--from", str(csv), "--root", str(args.out)],
            capture_output=True,
        )
        if made.returncode:  # values the ADO must decide on first (the scaffold lists them)
            shutil.rmtree(args.out / "datasets" / ident, ignore_errors=True)
            print(f"skipped {csv.name}: it needs an ADO's decisions before it validates")
            continue
        fill_in(args.out / "datasets" / ident / "dataset.yaml")
        inputs += csv.stat().st_size
        used += 1
    fill_in(args.out / "datasets/agency/agency.yaml")
    subprocess.run(["git", "init", "-q"], cwd=args.out, check=True)
    done = subprocess.run(
        [py, "-m", "catalog", "build", "--root", str(args.out)], capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(done.stdout + done.stderr)
    sizes: Counter[str] = Counter()
    for tree in (args.out / "site", args.out / "site-files"):
        for p in tree.rglob("*") if tree.is_dir() else []:
            if p.is_file():
                sizes[kind(p.relative_to(tree))] += p.stat().st_size
    total = sum(sizes.values())
    print(f"input CSVs: {used} files, {inputs / 1e6:,.1f} MB")
    for name, size in sizes.most_common():
        print(f"  {name:<20} {size / 1e6:10,.1f} MB  {size / inputs:5.2f} x")
    print(f"  {'published':<20} {total / 1e6:10,.1f} MB  {total / inputs:5.2f} x the input CSVs")


if __name__ == "__main__":
    main()
