"""The row diff engine on two versions of a 1,000,000-row resource (the payroll shape of
bigcsv.py, about 170 MB each): the second has 1 % of rows removed, 1 % changed and 1 %
added. Prints the time and the peak memory of the diff, in a process of its own.

    python benchmarks/bench_diff.py /tmp/diff [--rows 1000000]

Figures go to BENCHMARKS.md (target: at most 5 s and 300 MB).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def second_version(old: Path, new: Path, seed: int = 5) -> None:
    rnd = random.Random(seed)
    with old.open(encoding="utf-8") as src, new.open("w", encoding="utf-8") as out:
        out.write(src.readline())
        n = 0
        for line in src:
            n += 1
            r = rnd.random()
            if r < 0.01:
                continue  # removed
            if r < 0.02:
                cells = line.rstrip("\n").split(",")
                cells[-1] = "true" if cells[-1] == "false" else "false"  # changed: overtime
                line = ",".join(cells) + "\n"
            out.write(line)
        for i in range(n // 100):  # added
            out.write(f"{10_000_000 + i},DPH,E000001,Elsewhere,2024-01-01,2024,1.00,1.0,false\n")


def child(old: str, new: str) -> None:
    sys.path.insert(0, str(HERE.parent))
    from catalog.site.diff import diff_resource

    columns = [
        "id",
        "agency",
        "employee_code",
        "work_location",
        "pay_date",
        "fiscal_year",
        "gross_pay",
        "hours",
        "overtime",
    ]
    started = time.perf_counter()
    d = diff_resource(Path(old), columns, Path(new), columns, key=("id",))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak,
                **{k: v for k, v in d.to_json().items() if k != "samples"},
            }
        )
    )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("folder", type=Path)
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    old = args.folder / "src" / "data.csv"
    if not old.is_file():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "bigcsv.py"),
                str(args.folder / "src"),
                "--rows",
                str(args.rows),
                "--errors",
                "0",
            ],
            check=True,
        )
    new = args.folder / "new.csv"
    second_version(old, new)
    probe = "import resource, numpy, pyarrow.csv, pyarrow.compute;"
    probe += " print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    base = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(old), str(new)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    size = old.stat().st_size / 1e6, new.stat().st_size / 1e6
    print(f"{args.rows:,} rows, {size[0]:,.0f} MB and {size[1]:,.0f} MB")
    print(f"diff: {result['seconds']:.1f} s, peak {result['peak_mb']:,.0f} MB", end="")
    print(f" (Python with numpy and pyarrow imported: {float(base.stdout):,.0f} MB)")
    print(
        f"added {result['added']:,}, removed {result['removed']:,}, changed {result['changed']:,}"
    )


if __name__ == "__main__":
    main()
