"""Time and peak memory of `catalog validate` then `catalog build` on issue 16's hostile
inputs, each in its own catalog, each command a separate process.

    python benchmarks/bench_hostile.py /tmp/hostile [case ...] [--oneline-mb 1024]
        [--python OTHER/bin/python]   # the commands of another checkout, for a comparison

Cases: straddle (a 3 MiB record), wide (2,100 columns), collide (resources a-b and a_b),
deflist (600 definition-list entries), longname (a 100,000-character column name over
5,000 rows), brackets (19,900 '[' in a description), nested (YAML nested 800 levels),
control (control characters in a title), reserved (a resource named datapackage),
handle (a handle ending in a line break), schema25k (a JSON schema of 25,000 fields),
csv100k (a CSV of 100,000 columns), oneline (one line of --oneline-mb megabytes).
A build runs only when validation passes, as in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import CatalogMaker, colliding_resources, dataset_yaml


def run(python: str, root: Path, *args: str) -> tuple[int, float, int, str]:
    """(exit code, seconds, peak RSS in MB, last line of output) of one CLI process."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [python, "-m", "catalog", *args, "--root", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=root,  # not a checkout: `-m catalog` finds the interpreter's own package
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    lines = [x for x in out.strip().splitlines() if x.strip()]
    return (
        os.waitstatus_to_exitcode(status),
        seconds,
        usage.ru_maxrss // 1024,
        lines[-1] if lines else "",
    )


def _wide(n: int) -> tuple[dict[str, Any], str]:
    meta = dataset_yaml()
    meta["resources"][0]["schema"] = {
        "fields": [{"name": f"c{i}", "type": "integer"} for i in range(n)]
    }
    return meta, ",".join(f"c{i}" for i in range(n)) + "\n" + ",".join("1" * n) + "\n"


def straddle(m: CatalogMaker, _: argparse.Namespace) -> None:
    m.dataset(csv="id,name,amount\n1," + "x" * (3 << 20) + ",1\n2,b,2\n")


def wide(m: CatalogMaker, _: argparse.Namespace) -> None:
    meta, text = _wide(2100)
    m.dataset(meta=meta, csv=text)


def collide(m: CatalogMaker, _: argparse.Namespace) -> None:
    colliding_resources(m)


def deflist(m: CatalogMaker, _: argparse.Namespace) -> None:
    terms = "".join(f"Term {i}\n: Definition {i}\n\n" for i in range(600))
    m.dataset(description="Definitions.\n\n" + terms)


def longname(m: CatalogMaker, _: argparse.Namespace) -> None:
    name = "n" * 100_000
    meta = dataset_yaml()
    meta["resources"][0]["schema"] = {
        "fields": [{"name": "id", "type": "integer"}, {"name": name, "type": "string"}]
    }
    m.dataset(meta=meta, csv=f"id,{name}\n" + "".join(f"{i},v\n" for i in range(5000)))


def brackets(m: CatalogMaker, _: argparse.Namespace) -> None:
    m.dataset(description="A dataset with many brackets: " + "[" * 19_900)


def nested(m: CatalogMaker, _: argparse.Namespace) -> None:
    m.dataset(meta=json.dumps(dataset_yaml())[:-1] + ', "x": ' + "[" * 800 + "]" * 800 + "}")


def control(m: CatalogMaker, _: argparse.Namespace) -> None:
    m.dataset(title="Bell\x07 and escape\x1b title")


def reserved(m: CatalogMaker, _: argparse.Namespace) -> None:
    meta = dataset_yaml()
    meta["resources"][0]["name"] = "datapackage"
    m.dataset(meta=meta)


def handle(m: CatalogMaker, _: argparse.Namespace) -> None:
    m.dataset()
    m.agency(data_officer={"name": "O", "handle": "@a-officer\n", "email": "o@example.gov"})


def schema25k(m: CatalogMaker, _: argparse.Namespace) -> None:
    fields = [{"name": f"c{i}", "type": "integer"} for i in range(25_000)]
    meta = dataset_yaml()
    meta["resources"][0]["schema"] = "schema.json"
    m.dataset(meta=meta, csv=",".join(f["name"] for f in fields) + "\n")
    m.write("datasets/dot/test/schema.json", json.dumps({"fields": fields}))


def csv100k(m: CatalogMaker, _: argparse.Namespace) -> None:
    cells = ",".join(f"c{i}" for i in range(100_000))
    m.dataset(csv=cells + "\n" + cells + "\n")


def oneline(m: CatalogMaker, args: argparse.Namespace) -> None:
    m.dataset(csv=None)
    with (m.root / "datasets/dot/test/data.csv").open("w") as fh:
        fh.write("id,name,amount")
        chunk = "x" * (1 << 20)
        for _ in range(args.oneline_mb):
            fh.write(chunk)


CASES: dict[str, Callable[[CatalogMaker, argparse.Namespace], None]] = {
    f.__name__: f
    for f in (straddle, wide, collide, deflist, longname, brackets, nested, control, reserved)
}
CASES |= {f.__name__: f for f in (handle, schema25k, csv100k, oneline)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("cases", nargs="*", help=", ".join(CASES))
    parser.add_argument("--oneline-mb", type=int, default=1024)
    parser.add_argument("--python", default=sys.executable, help="the interpreter to run")
    args = parser.parse_intermixed_args()
    print(f"{'case':10} {'command':8} {'exit':>4} {'seconds':>8} {'peak MB':>8}  last line")
    for name in args.cases or CASES:
        root = args.folder / name
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        CASES[name](CatalogMaker(root), args)
        code, seconds, peak, last = run(args.python, root, "validate")
        print(f"{name:10} {'validate':8} {code:4} {seconds:8.1f} {peak:8}  {last[:90]}")
        if code == 0:
            out = str(root / "site")
            code, seconds, peak, last = run(args.python, root, "build", "--no-search", "--out", out)
            print(f"{'':10} {'build':8} {code:4} {seconds:8.1f} {peak:8}  {last[:90]}")
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
