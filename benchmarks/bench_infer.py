"""Schema inference speed and memory on a large CSV, in whole processes.

    python benchmarks/bench_infer.py FOLDER [--runs 3]

FOLDER holds data.csv (make one with benchmarks/bigcsv.py). Prints the median wall time,
rows per second and peak memory (max RSS) of `catalog.commands.infer.infer` over the whole file,
and the fields it inferred.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = """
import json, resource, sys, time
from pathlib import Path
t = time.perf_counter()
from catalog.commands.infer import infer
r = infer(Path(sys.argv[1]) / "data.csv")
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "rss_mb": rss, "rows": r.rows, "fields": r.schema["fields"]}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("folder", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    samples = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", CHILD, str(args.folder)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for _ in range(args.runs)
    ]
    secs = statistics.median(s["seconds"] for s in samples)
    rows = samples[0]["rows"]
    print(
        f"infer median of {args.runs}: {secs:.2f} s  {rows / secs:,.0f} rows/s  peak "
        f"{max(s['rss_mb'] for s in samples):.0f} MB  ({rows:,} rows)"
    )
    for f in samples[0]["fields"]:
        print("  ", json.dumps(f))


if __name__ == "__main__":
    main()
