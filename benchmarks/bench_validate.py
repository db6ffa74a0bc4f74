"""Validation and conversion speed on a large CSV, beside Frictionless, in whole processes.

    python benchmarks/bench_validate.py FOLDER [--runs 3] [--frictionless-runs 1] [--convert-runs 3]

FOLDER holds data.csv and schema.json (make one with benchmarks/bigcsv.py). Prints, for
each engine, the median wall time, rows per second and peak memory (max RSS) of whole
processes, and whether the catalog's findings equal Frictionless' (row, field, code).
Conversion publishes only valid files, so it is measured on files without planted errors
(`--convert-runs 0` skips it for the others).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = {
    "catalog-validate": """
import contextlib, io, json, os, resource, sys, time
t = time.perf_counter()
from catalog.cli import main
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    main(["validate", "--root", sys.argv[2], "--format", "json", "-j", "1"])
problems = json.loads(buf.getvalue())
found = [
    [p["row"], p["field"] or "", p["code"]]
    for p in problems
    if p["path"].endswith("data.csv") and p["code"] != "more-problems"
]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
engine = "the whole `catalog validate` command"
seconds = time.perf_counter() - t
found.sort(key=str)
print(json.dumps({"seconds": seconds, "rss_mb": rss, "findings": found, "engine": engine}))
""",
    "frictionless": """
import json, resource, sys, time
t = time.perf_counter()
import frictionless
from frictionless.formats import CsvControl
d = json.load(open(sys.argv[1] + "/schema.json"))
schema = frictionless.Schema.from_descriptor(d)
control = CsvControl(delimiter=",")
r = frictionless.Resource(
    path="data.csv", basepath=sys.argv[1], schema=schema, encoding="utf-8", control=control
)
rep = r.validate(limit_errors=10**9)
found = [
    [e.row_number, getattr(e, "field_name", "") or "", e.type]
    for task in rep.tasks
    for e in task.errors
]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "rss_mb": rss, "findings": sorted(found, key=str)}))
""",
    "catalog-convert": """
import json, resource, sys, tempfile, time
from pathlib import Path
t = time.perf_counter()
from catalog.load.loader import _schema
from catalog.core.model import Resource
from catalog.site.transform import transform_resource
from catalog.core.yamlfile import Lines, YamlDoc
d = json.load(open(sys.argv[1] + "/schema.json"))
schema = _schema(d, None, (), YamlDoc("x", d, Lines()), [], well_formed=True)
res = Resource("data", "data.csv", "data.csv", "Data", "", schema, 0)
with tempfile.TemporaryDirectory() as out:
    o = transform_resource(Path(sys.argv[1]) / "data.csv", res, Path(out), 100)
    sizes = {k: v["bytes"] for k, v in o.files.items()}
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "rss_mb": rss, "rows": o.rows, "sizes": sizes}))
""",
}


def catalog_for(folder: Path) -> Path:
    """A one-dataset catalog around the file (hard-linked, not copied) for `catalog validate`."""
    root = folder / "catalog"
    ds = root / "datasets/das/payroll"
    ds.mkdir(parents=True, exist_ok=True)
    (root / "catalog.yaml").write_text(
        "title: Benchmark\nbase_url: https://data.example.gov/\n"
        "limits:\n  max_problems_per_code: 1000000000\n"
    )
    (root / "datasets/das/agency.yaml").write_text(
        "name: Department of Administrative Services\nabbreviation: DAS\nwebsite: "
        "https://example.gov/\ndescription: Benchmark.\ndata_officer: {name: ADO, "
        "handle: '@das'}\n"
    )
    schema = json.loads((folder / "schema.json").read_text())
    meta = {
        "title": "Payroll",
        "description": "Generated payroll records for the validation benchmark; sample data only.",
        "category": "Government",
        "keywords": ["payroll"],
        "update_frequency": "Monthly",
        "access_level": "public",
        "contact": {"name": "ADO", "email": "ado@example.gov"},
        "resources": [{"name": "data", "path": "data.csv", "schema": schema}],
    }
    (ds / "dataset.yaml").write_text(json.dumps(meta))  # JSON is YAML
    if not (ds / "data.csv").exists():
        os.link(folder / "data.csv", ds / "data.csv")
    return root


def run(kind: str, folder: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD[kind], str(folder), str(catalog_for(folder))],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("folder", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--frictionless-runs", type=int, default=1)
    ap.add_argument("--convert-runs", type=int, default=None, help="default: --runs")
    args = ap.parse_args()
    rows = sum(1 for _ in (args.folder / "data.csv").open("rb")) - 1
    size = (args.folder / "data.csv").stat().st_size / 1e6
    print(f"file: {args.folder / 'data.csv'}: {rows:,} rows, {size:,.0f} MB")
    results = {}
    convert_runs = args.runs if args.convert_runs is None else args.convert_runs
    for kind, runs in (
        ("catalog-validate", args.runs),
        ("catalog-convert", convert_runs),
        ("frictionless", args.frictionless_runs),
    ):
        if runs <= 0:
            continue
        samples = [run(kind, args.folder) for _ in range(runs)]
        secs = statistics.median(s["seconds"] for s in samples)
        rss = max(s["rss_mb"] for s in samples)
        results[kind] = samples[0]
        extra = (
            f" ({samples[0]['engine']}, {len(samples[0]['findings'])} findings)"
            if "engine" in samples[0]
            else ""
        )
        if kind == "frictionless":
            extra = f" ({len(samples[0]['findings'])} findings)"
        if kind == "catalog-convert":
            extra = (
                " ("
                + ", ".join(f"{k} {v / 1e6:,.0f} MB" for k, v in samples[0]["sizes"].items())
                + ")"
            )
        print(
            f"{kind:17s} median of {runs}: {secs:7.2f} s  {rows / secs:>12,.0f} rows/s "
            f" peak {rss:6.0f} MB{extra}"
        )
    if "frictionless" in results and "catalog-validate" in results:
        same = results["frictionless"]["findings"] == results["catalog-validate"]["findings"]
        print(f"findings identical to Frictionless (row, field, code): {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
