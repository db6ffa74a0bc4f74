"""The change history at catalog scale: a git repository holding a catalog of N datasets,
each changed by each of M commits (rows edited, added and removed). `catalog build` runs
three times: cold (every step diffed), after one more commit to one dataset (the
incremental build), and with no change. Prints each build's time and, of it, what the
history costs: computing versions (`with_versions`), writing each dataset's changes.json
and Atom feed (`write_changes`) and the "What changed" page.

    python benchmarks/bench_history.py /tmp/history [--datasets 1000] [--versions 20]

Figures go to BENCHMARKS.md (target: an incremental build after one new commit adds at
most 1 s for the history).
"""

from __future__ import annotations

import argparse
import functools
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import catalog.site.build as build_module  # noqa: E402
import catalog.site.outputs as outputs_module  # noqa: E402
import catalog.site.render as render_module  # noqa: E402

CATALOG = """title: History benchmark
base_url: https://data.example.gov/
cdo: {name: Chief Data Officer, email: cdo@example.gov, handle: "@cdo"}
"""
AGENCY = """name: Agency of Benchmarks
abbreviation: AB
website: https://example.gov/ab
description: Measures things.
data_officer: {name: Agency Data Officer, handle: "@ab-data", email: data@example.gov}
"""
YAML = """title: Dataset {n}
description: A dataset of the history benchmark, with enough words for the fifty character rule.
category: Government
keywords: [benchmark]
update_frequency: Monthly
access_level: public
contact: {{name: Agency Data Officer, email: data@example.gov}}
default_chart: false
resources:
  - name: data
    path: data.csv
    schema:
      primaryKey: [id]
      fields:
        - {{name: id, type: integer}}
        - {{name: town, type: string}}
        - {{name: count, type: integer}}
"""


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def write(folder: Path, rows: dict[int, tuple[str, int]]) -> None:
    lines = ["id,town,count"] + [f"{i},{t},{c}" for i, (t, c) in sorted(rows.items())]
    (folder / "data.csv").write_text("\n".join(lines) + "\n", "utf-8")


def make_repo(root: Path, datasets: int, versions: int) -> list[Path]:
    rnd = random.Random(3)
    shutil.rmtree(root, ignore_errors=True)
    (root / "datasets" / "agency").mkdir(parents=True)
    (root / "catalog.yaml").write_text(CATALOG, "utf-8")
    (root / "datasets" / "agency" / "agency.yaml").write_text(AGENCY, "utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "bench@example.gov")
    git(root, "config", "user.name", "Bench")
    folders, data = [], []
    for n in range(datasets):
        folder = root / "datasets" / "agency" / f"d{n:04d}"
        folder.mkdir(parents=True)
        (folder / "dataset.yaml").write_text(YAML.format(n=n), "utf-8")
        rows = {
            i: (rnd.choice(["Hartford", "Bristol", "Enfield"]), rnd.randint(0, 99))
            for i in range(200)
        }
        write(folder, rows)
        folders.append(folder)
        data.append(rows)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    for v in range(1, versions):
        for folder, rows in zip(folders, data, strict=True):
            for i in rnd.sample(sorted(rows), 5):
                rows[i] = (rows[i][0], rows[i][1] + 1)
            rows.pop(rnd.choice(sorted(rows)))
            rows[1000 + v] = ("Milford", v)
            write(folder, rows)
        git(root, "add", "-A")
        git(root, "commit", "-qm", f"update {v}")
    return folders


TIMES: dict[str, float] = {}


def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            TIMES[name] = TIMES.get(name, 0.0) + time.perf_counter() - started

    return wrapper


def measured_build(root: Path, label: str) -> None:
    TIMES.clear()
    started = time.perf_counter()
    report = build_module.build(
        root, root.parent / "site", cache_dir=root.parent / "cache", search=False
    )
    seconds = time.perf_counter() - started
    history = sum(TIMES.values())
    parts = ", ".join(f"{k} {v:.2f} s" for k, v in TIMES.items())
    print(f"{label}: build {seconds:.1f} s ({report.datasets:,} datasets)")
    print(f"  of which the history: {history:.2f} s ({parts})")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("folder", type=Path)
    ap.add_argument("--datasets", type=int, default=1000)
    ap.add_argument("--versions", type=int, default=20)
    args = ap.parse_args()
    root = args.folder / "repo"
    shutil.rmtree(args.folder / "cache", ignore_errors=True)
    started = time.perf_counter()
    folders = make_repo(root, args.datasets, args.versions)
    made = time.perf_counter() - started
    print(f"{args.datasets:,} datasets × {args.versions} versions: repository made in {made:.0f} s")
    build_module.with_versions = timed("versions", build_module.with_versions)
    outputs_module.write_changes = timed("changes files", outputs_module.write_changes)
    render_module.changes_page = timed("week page", render_module.changes_page)
    measured_build(root, "cold (every step diffed)")
    rows = folders[0] / "data.csv"
    rows.write_text(rows.read_text("utf-8") + "9999,Hartford,1\n", "utf-8")
    git(root, "commit", "-qam", "one more row")
    measured_build(root, "after one new commit to one dataset")
    (root / "datasets" / "agency" / "agency.yaml").write_text(AGENCY + "# edited\n", "utf-8")
    measured_build(root, "after an edit outside the datasets' folders (no new version)")


if __name__ == "__main__":
    main()
