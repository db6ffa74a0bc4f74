"""Real-size data, end to end: a generated CSV (2,000,000 rows, about 330 MB) committed
compressed (`catalog new` writes .csv.gz) and, in a second catalog, as a plain CSV through
Git LFS; each through `catalog new` / `validate` / `build` with downloads on object storage
(files_url), then `catalog upload` to an S3 server on 127.0.0.1 (moto). Each command is a
separate process: its wall time and peak memory are printed, and the published bytes
(pages + downloads) against the input CSV's bytes.

    python benchmarks/bench_scale.py /tmp/scale [--rows 2000000]

Needs git-lfs and the test extras (moto). Figures go to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUCKET = "bench-files"
DESCRIPTION = "Payroll records of state agencies by pay date, generated for the benchmark."


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """(seconds, peak RSS in MB, last line) of one process; stops the benchmark on failure."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        args,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{' '.join(args)} failed:\n{out}")
    lines = [x for x in out.strip().splitlines() if x.strip()]
    return seconds, usage.ru_maxrss // 1024, lines[-1] if lines else ""


def tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def catalog(root: Path, files_url: str) -> None:
    root.mkdir(parents=True)
    (root / "catalog.yaml").write_text(
        "title: Scale benchmark\nbase_url: https://example.github.io/catalog/\n"
        f"files_url: {files_url}\nrepository: public\nlimits: {{compress_above_mb: 0}}\n",
        "utf-8",
    )


def fill_in(yaml_file: Path) -> None:
    """Replace `catalog new`'s placeholders, as the ADO would."""
    text = yaml_file.read_text("utf-8")
    text = text.replace("FILL IN: the data officer's name", "Data Officer")
    lines = []
    for line in text.splitlines():
        if "FILL IN" in line and ":" in line and not line.lstrip().startswith("#"):
            key = line.split(":", 1)[0]
            value = (
                "data@example.gov"
                if "email" in key
                else DESCRIPTION
                if "description" in key
                else "Generated payroll"
            )
            line = f"{key}: {value}"
        lines.append(line)
    yaml_file.write_text("\n".join(lines) + "\n", "utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("folder", type=Path)
    ap.add_argument("--rows", type=int, default=2_000_000)
    args = ap.parse_args()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1"
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # its own process: the objects it holds must not count in this process's memory, which
    # every command started later inherits (and reports as its peak) until it execs
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    endpoint = f"http://127.0.0.1:{port}"
    import boto3

    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
    files_url = f"{endpoint}/{BUCKET}/"

    shutil.rmtree(args.folder, ignore_errors=True)
    source = args.folder / "source"
    py = sys.executable
    t = run(
        py,
        str(HERE / "bigcsv.py"),
        str(source),
        "--rows",
        str(args.rows),
        "--errors",
        "0",
        cwd=HERE,
    )
    csv = source / "payroll.csv"
    (source / "data.csv").rename(csv)
    csv_bytes = csv.stat().st_size
    print(f"generated {args.rows:,} rows, {csv_bytes / 1e6:,.0f} MB in {t[0]:.1f}s")
    print(f"{'case':<6} {'command':<9} {'seconds':>8} {'peak MB':>8}  last line")

    def show(case: str, command: str, result: tuple[float, int, str]) -> None:
        print(f"{case:<6} {command:<9} {result[0]:8.1f} {result[1]:8d}  {result[2][:90]}")

    # 1. compressed: `catalog new` writes the file as .csv.gz (over limits.compress_above_mb)
    gz = args.folder / "gz"
    catalog(gz, files_url)
    show(
        "gz",
        "new",
        run(
            py, "-m", "catalog", "new", "dot/payroll", "--from", str(csv), "--root", str(gz), cwd=gz
        ),
    )
    fill_in(gz / "datasets/dot/payroll/dataset.yaml")
    fill_in(gz / "datasets/dot/agency.yaml")
    stored = sum(p.stat().st_size for p in (gz / "datasets").rglob("*.csv.gz"))
    print(
        f"gz     stored    {stored / 1e6:,.0f} MB compressed ({stored / csv_bytes:.2f} of the CSV)"
    )
    show("gz", "validate", run(py, "-m", "catalog", "validate", "--root", str(gz), cwd=gz))
    subprocess.run(["git", "init", "-q"], cwd=gz, check=True)
    build = run(py, "-m", "catalog", "build", "--root", str(gz), cwd=gz)
    show("gz", "build", build)
    upload = run(
        py,
        "-m",
        "catalog",
        "upload",
        "--to",
        f"s3://{BUCKET}",
        "--endpoint-url",
        endpoint,
        "--root",
        str(gz),
        cwd=gz,
    )
    show("gz", "upload", upload)
    pages, files = tree_bytes(gz / "site"), tree_bytes(gz / "site-files")
    print(
        f"gz     published pages {pages / 1e6:,.1f} MB + downloads {files / 1e6:,.0f} MB = "
        f"{(pages + files) / csv_bytes:.2f} x the CSV's {csv_bytes / 1e6:,.0f} MB"
    )

    # 2. Git LFS: the same data as a plain CSV tracked by LFS, checked out from a clone
    origin = args.folder / "lfs-origin"
    shutil.copytree(
        gz, origin, ignore=shutil.ignore_patterns("site", "site-files", ".cache", ".git")
    )
    folder = origin / "datasets/dot/payroll"
    (folder / "payroll.csv.gz").unlink()
    shutil.copy(csv, folder / "payroll.csv")
    meta = folder / "dataset.yaml"
    meta.write_text(meta.read_text("utf-8").replace("payroll.csv.gz", "payroll.csv"), "utf-8")
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.gov"]
    for step in (
        ["init", "-q"],
        ["lfs", "install", "--local"],
        ["lfs", "track", "*.csv"],
        ["add", "."],
    ):
        subprocess.run([*git, *step], cwd=origin, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run([*git, "commit", "-qm", "payroll through LFS"], cwd=origin, check=True)
    print(f"lfs    commit    {time.perf_counter() - started:8.1f}")
    clone = args.folder / "lfs"
    started = time.perf_counter()
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    print(f"lfs    clone     {time.perf_counter() - started:8.1f}           (with LFS download)")
    show("lfs", "validate", run(py, "-m", "catalog", "validate", "--root", str(clone), cwd=clone))
    show("lfs", "build", run(py, "-m", "catalog", "build", "--root", str(clone), cwd=clone))
    pages, files = tree_bytes(clone / "site"), tree_bytes(clone / "site-files")
    print(
        f"lfs    published pages {pages / 1e6:,.1f} MB + downloads {files / 1e6:,.0f} MB = "
        f"{(pages + files) / csv_bytes:.2f} x the CSV"
    )
    server.terminate()


if __name__ == "__main__":
    main()
