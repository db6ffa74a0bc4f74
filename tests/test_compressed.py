"""Compressed data files (.csv.gz, .csv.zst) and Git LFS: the same findings, row numbers and
downloads as the plain CSV; broken, oversized, doubled or unpulled files reported as
problems that name the file and the fix."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
from pathlib import Path

import pyarrow as pa
import pytest
from conftest import CatalogMaker, Runner, dataset_yaml

from catalog.site.build import build

BAD_CSV = (
    "id,name,amount\n"
    + "".join(f"{i},name {i},{i}.5\n" for i in range(1, 3000))
    + "3000,late,-1\n"  # breaks minimum 0
    + "17,again,2\n"  # repeats a primary key
    + "x,bad,1\n"  # not an integer
)


def compress(data: bytes, suffix: str) -> bytes:
    if suffix.lower() == ".gz":
        return gzip.compress(data, mtime=0)
    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, "zstd") as out:
        out.write(data)
    return sink.getvalue().to_pybytes()


def with_file(make: CatalogMaker, name: str, data: bytes, **overrides: object) -> CatalogMaker:
    meta = dataset_yaml(**overrides)
    meta["resources"][0]["path"] = name
    make.dataset("dot/test", csv=None, meta=meta)
    make.write(f"datasets/dot/test/{name}", data)
    return make


def findings(make: CatalogMaker) -> list[tuple[object, ...]]:
    return [
        (Path(p.path).name.split(".")[0], p.line, p.row, p.field, p.code, p.message)
        for p in make.problems()
    ]


@pytest.mark.parametrize("suffix", [".gz", ".zst", ".GZ"])
@pytest.mark.parametrize("pattern", [False, True], ids=["fast-path", "frictionless"])
def test_compressed_file_gives_the_plain_files_findings(
    tmp_path: Path, suffix: str, pattern: bool
) -> None:
    """Both validators: the fast path, and Frictionless (a pattern constraint sends the
    file there) reading the decompressed stream."""
    overrides: dict[str, object] = {}
    if pattern:
        meta = dataset_yaml()
        meta["resources"][0]["schema"]["fields"][1]["constraints"] = {"pattern": "[a-z ]+[0-9]*"}
        overrides = {"resources": meta["resources"]}
    plain = with_file(CatalogMaker(tmp_path / "plain"), "data.csv", BAD_CSV.encode(), **overrides)
    packed = with_file(
        CatalogMaker(tmp_path / "packed"),
        f"data.csv{suffix}",
        compress(BAD_CSV.encode(), suffix),
        **overrides,
    )
    expected = findings(plain)
    assert {f[4] for f in expected} >= {"constraint-error", "primary-key", "type-error"}
    assert [f[2] for f in expected if f[4] == "type-error"] == [3003]
    assert findings(packed) == expected


@pytest.mark.parametrize("suffix", [".gz", ".GZ", ".zst"])
def test_compressed_file_builds_the_same_site_as_the_plain_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    good = "id,name,amount\n" + "".join(f"{i},n{i},{i}\n" for i in range(1, 500))
    plain = with_file(CatalogMaker(tmp_path / "plain"), "data.csv", ("\ufeff" + good).encode())
    packed = with_file(
        CatalogMaker(tmp_path / "packed"),
        f"data.csv{suffix}",
        compress(("\ufeff" + good).encode(), suffix),
    )
    build(plain.root, tmp_path / "a", cache_dir=tmp_path / "ca", search=False)
    build(packed.root, tmp_path / "b", cache_dir=tmp_path / "cb", search=False)

    def tree(folder: Path) -> dict[str, bytes]:
        return {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*")
            if p.is_file() and p.name != "build.json"
        }

    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert a == b
    assert a["datasets/dot/test/data.csv"] == good.encode()  # decompressed, BOM dropped


@pytest.mark.parametrize(
    ("name", "data", "code", "words"),
    [
        (
            "data.csv.gz",
            gzip.compress(b"id,name,amount\n" * 5000)[:-20],
            "file-unreadable",
            "cannot be decompressed",
        ),
        ("data.csv.gz", b"id,name,amount\n1,a,2\n", "file-unreadable", "cannot be decompressed"),
        ("data.csv.zst", b"id,name,amount\n1,a,2\n", "file-unreadable", "cannot be decompressed"),
        ("data.csv.gz", gzip.compress(b"PK\x03\x04" + bytes(5000)), "format-error", "NUL bytes"),
    ],
    ids=["truncated", "plain-named-gz", "plain-named-zst", "not-csv"],
)
def test_a_broken_compressed_file_is_a_problem_naming_it(
    make: CatalogMaker, name: str, data: bytes, code: str, words: str
) -> None:
    with_file(make, name, data)
    found = [p for p in make.problems() if p.code == code]
    assert len(found) == 1, make.problems()
    assert found[0].path == f"datasets/dot/test/{name}"
    assert words in found[0].message
    assert found[0].hint


def test_a_small_gzip_that_inflates_past_the_limit_is_refused_without_reading_it_all(
    make: CatalogMaker,
) -> None:
    make.catalog(limits={"max_file_mb": 1})
    bomb = gzip.compress(b"id,name,amount\n" + b"1,aaaaaaaaaa,1\n" * 2_000_000, 9)
    assert len(bomb) < 100_000
    with_file(make, "data.csv.gz", bomb)
    (p,) = make.problems()
    assert (p.code, p.path) == ("file-too-large", "datasets/dot/test/data.csv.gz")
    assert "once decompressed" in p.message and "max_file_mb" in p.hint


def test_the_same_data_plain_and_compressed_is_a_problem(make: CatalogMaker) -> None:
    with_file(make, "data.csv.gz", compress(b"id,name,amount\n1,a,2\n", ".gz"))
    make.write("datasets/dot/test/data.csv", "id,name,amount\n1,a,2\n")
    (p,) = make.problems()
    assert p.code == "file-unreadable" and "data.csv" in p.message and "delete data.csv" in p.hint


def test_an_lfs_pointer_says_git_lfs_pull(make: CatalogMaker) -> None:
    pointer = (
        "version https://git-lfs.github.com/spec/v1\n"
        "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
        "size 12345\n"
    )
    with_file(make, "data.csv", pointer.encode())
    (p,) = make.problems()
    assert (p.code, p.line) == ("file-unreadable", 1)
    assert "Git LFS pointer" in p.message and "git lfs pull" in p.hint


def test_catalog_new_writes_a_large_file_compressed_and_says_so(
    make: CatalogMaker, tmp_path: Path, cli: Runner
) -> None:
    make.catalog(limits={"compress_above_mb": 0.01})
    source = tmp_path / "Crash Data.csv"
    source.write_text("id,town,count\n" + "".join(f"{i},Town {i % 7},{i}\n" for i in range(2000)))
    _, out, err = cli("new", "dot/crashes", "--from", str(source), "--root", str(make.root))
    folder = make.root / "datasets/dot/crashes"
    assert (folder / "crash-data.csv.gz").is_file() and not (folder / "crash-data.csv").exists()
    assert "gzip-compressed" in out + err and "Git LFS" in out + err
    assert gzip.decompress((folder / "crash-data.csv.gz").read_bytes()) == source.read_bytes()
    assert "path: crash-data.csv.gz" in (folder / "dataset.yaml").read_text()


def test_catalog_new_says_how_to_use_git_lfs_when_compressed_is_still_too_large(
    make: CatalogMaker, tmp_path: Path, cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog.commands import scaffold

    monkeypatch.setattr(scaffold, "GIT_HOST_LIMIT", 1_000)  # GitHub's 100 MB, scaled down
    make.catalog(limits={"compress_above_mb": 0})
    source = tmp_path / "big.csv"
    source.write_text("id,code\n" + "".join(f"{i},{i * 7919 % 104729:x}\n" for i in range(5000)))
    _, out, err = cli("new", "dot/big", "--from", str(source), "--root", str(make.root))
    assert "still over GitHub's 100 MB limit" in out + err
    assert 'git lfs track "big.csv.gz"' in out + err


def test_catalog_new_reads_a_compressed_source(
    make: CatalogMaker, tmp_path: Path, cli: Runner
) -> None:
    make.catalog()
    text = "id;town;count\n" + "".join(f"{i};Town {i % 7};{i}\n" for i in range(50))
    source = tmp_path / "counts.csv.zst"
    source.write_bytes(compress(text.encode(), ".zst"))
    cli("new", "dot/counts", "--from", str(source), "--root", str(make.root))
    written = make.root / "datasets/dot/counts/counts.csv.gz"
    assert gzip.decompress(written.read_bytes()).decode() == text.replace(";", ",")


# --- Git LFS, for real ---------------------------------------------------------------------


def git(cwd: Path, *args: str, **env: str) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.gov",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.gov",
            **env,
        },
    ).stdout


def test_a_git_lfs_file_validates_once_pulled(tmp_path: Path) -> None:
    """A real repository with a CSV tracked by Git LFS (a local LFS store): a clone that
    skipped the download holds a pointer, which validation names; after `git lfs pull`
    the findings are the plain file's."""
    if shutil.which("git-lfs") is None:
        pytest.fail("git-lfs is not installed: `./run test` installs Debian's git-lfs")
    origin = with_file(CatalogMaker(tmp_path / "origin"), "data.csv", BAD_CSV.encode())
    expected = findings(origin)
    git(origin.root, "init", "-q", "-b", "main")
    git(origin.root, "lfs", "install", "--local")
    git(origin.root, "lfs", "track", "*.csv")
    git(origin.root, "add", ".")
    git(origin.root, "commit", "-q", "-m", "data through LFS")
    assert "data.csv" in git(origin.root, "lfs", "ls-files")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin.root), str(clone), GIT_LFS_SKIP_SMUDGE="1")
    pulled = CatalogMaker(clone)
    (p,) = pulled.problems()
    assert "Git LFS pointer" in p.message
    git(clone, "lfs", "install", "--local")
    git(clone, "lfs", "pull")
    assert findings(pulled) == expected


def test_review_counts_the_rows_of_a_file_that_became_compressed(
    make: CatalogMaker, tmp_path: Path, cli: Runner
) -> None:
    """The CDO's report reads compressed files (and the base catalog, streamed from git)."""
    rows = "".join(f"{i},n{i},{i}\n" for i in range(1, 101))
    with_file(make, "data.csv", ("id,name,amount\n" + rows).encode())
    git(make.root, "init", "-q", "-b", "main")
    git(make.root, "add", ".")
    git(make.root, "commit", "-qm", "plain")
    git(make.root, "checkout", "-qb", "ado/compress")
    (make.root / "datasets/dot/test/data.csv").unlink()
    more = rows + "".join(f"{i},n{i},{i}\n" for i in range(101, 151))
    with_file(make, "data.csv.gz", compress(("id,name,amount\n" + more).encode(), ".gz"))
    git(make.root, "add", "-A")
    git(make.root, "commit", "-qm", "compressed, 50 rows more")
    code, report, _ = cli("review", "--base", "main", "--root", str(make.root))
    assert code == 0
    assert "| `data` | 100 | 150 | 50 | 0 | 0 | `id` |" in report  # the row diff reads it too
