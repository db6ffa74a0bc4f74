"""Build times of a large catalog: full, after editing one dataset, and with nothing to do.

    python benchmarks/make_catalog.py /tmp/cat1000 --datasets 1000 --rows 5000000
    python benchmarks/bench_build.py /tmp/cat1000 [--edits 5] [-j 2]

Each build is a whole `catalog build` process, timed from outside (wall clock) and, for
the stages, from the build's own progress lines. The catalog folder is made a git
repository if it is not one (dates come from git). Each edit changes one cell of a
different dataset's CSV, so every rebuild has exactly one dataset to transform again.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def build(root: Path, jobs: int) -> tuple[float, str, list[tuple[str, float]]]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "catalog", "build", "--root", str(root), "-j", str(jobs)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"build failed:\n{done.stdout}\n{done.stderr}")
    stages = [
        (m.group(1), float(m.group(2)))
        for m in re.finditer(r"([a-z][a-z ,]+) \((\d+\.\d)s\)", done.stderr)
    ]
    return seconds, done.stdout.strip().splitlines()[-1], stages


def edit_one(root: Path, n: int) -> str:
    """Change one amount in the n-th dataset's CSV (still valid): one dataset to redo."""
    files = sorted(root.glob("datasets/*/*/data.csv"))
    target = files[(n * 97) % len(files)]
    lines = target.read_text("utf-8").splitlines(keepends=True)
    cells = lines[1].rstrip("\n").split(",")
    cells[-1] = f"{float(cells[-1]) + 1:.2f}"
    lines[1] = ",".join(cells) + "\n"
    target.write_text("".join(lines), "utf-8")
    return str(target.parent.relative_to(root))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("root", type=Path)
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument(
        "--keep",
        action="store_true",
        help="start from the existing site and cache (skip the full build)",
    )
    args = ap.parse_args()
    root = args.root.resolve()
    if not (root / ".git").exists():
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
        subprocess.run(
            [
                "git",
                "-c",
                "user.name=bench",
                "-c",
                "user.email=bench@example.gov",
                "commit",
                "-qm",
                "catalog",
            ],
            cwd=root,
            check=True,
        )
    if not args.keep:
        shutil.rmtree(root / "site", ignore_errors=True)
        shutil.rmtree(root / ".cache", ignore_errors=True)
    seconds, summary, stages = build(root, args.jobs)
    print(f"{'first build:' if args.keep else 'full build:':16s} {seconds:6.2f} s  {summary}")
    print("  stages (start times): " + ", ".join(f"{name} {at:.1f}s" for name, at in stages))
    rebuilds = []
    for n in range(args.edits):
        which = edit_one(root, n)
        seconds, summary, stages = build(root, args.jobs)
        rebuilds.append(seconds)
        print(f"one edit ({which}): {seconds:6.2f} s  {summary}")
        print("  stages (start times): " + ", ".join(f"{name} {at:.1f}s" for name, at in stages))
    noop = [build(root, args.jobs)[0] for _ in range(3)]
    if rebuilds:
        print(
            f"rebuild after one edit: median {statistics.median(rebuilds):.2f} s, max "
            f"{max(rebuilds):.2f} s over {len(rebuilds)} edits"
        )
    print(f"no-op rebuild: median {statistics.median(noop):.2f} s over 3")
    subprocess.run(["git", "checkout", "-q", "--", "datasets"], cwd=root, check=False)


if __name__ == "__main__":
    main()
