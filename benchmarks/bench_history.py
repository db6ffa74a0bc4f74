"""The change history at catalog scale: a git repository of N datasets, each changed by
each of M commits (rows edited, added and removed), whose versions are computed once
(cold), again from the cache (warm), and after one more commit to one dataset
(incremental). Prints each time; the history is what `catalog build` computes (the other
stages of a build are not timed here).

    python benchmarks/bench_history.py /tmp/history [--datasets 1000] [--versions 20]

Figures go to BENCHMARKS.md (target: an incremental build after one new commit adds at
most 1 s).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from catalog.io import gitinfo  # noqa: E402
from catalog.site.cache import Cache  # noqa: E402
from catalog.site.history import History  # noqa: E402

YAML = """title: Dataset {n}
access_level: public
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
    root.mkdir(parents=True)
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


def all_versions(root: Path, cache: Cache) -> tuple[float, int]:
    started = time.perf_counter()
    folders = sorted(f"datasets/agency/{p.name}" for p in (root / "datasets" / "agency").iterdir())
    histories = gitinfo.histories(root, folders)
    history = History(root, cache)
    count = sum(len(history.versions(f, histories[f])) for f in folders)
    history.save()
    return time.perf_counter() - started, count


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("folder", type=Path)
    ap.add_argument("--datasets", type=int, default=1000)
    ap.add_argument("--versions", type=int, default=20)
    ap.add_argument("--keep", action="store_true", help="keep the repository and cache in FOLDER")
    args = ap.parse_args()
    root = args.folder / "repo"
    started = time.perf_counter()
    folders = make_repo(root, args.datasets, args.versions)
    made = time.perf_counter() - started
    print(f"{args.datasets:,} datasets × {args.versions} versions: repository made in {made:.0f} s")
    with tempfile.TemporaryDirectory() as tmp:
        cache = Cache(args.folder / "cache" if args.keep else Path(tmp))
        seconds, count = all_versions(root, cache)
        print(f"cold (every step diffed): {seconds:.1f} s for {count:,} versions")
        seconds, _ = all_versions(root, cache)
        print(f"warm (nothing new): {seconds:.2f} s")
        rows = folders[0] / "data.csv"
        rows.write_text(rows.read_text("utf-8") + "9999,Hartford,1\n", "utf-8")
        git(root, "commit", "-qam", "one more row")
        seconds, _ = all_versions(root, cache)
        print(f"after one new commit to one dataset: {seconds:.2f} s")


if __name__ == "__main__":
    main()
