"""What git knows: changed datasets, dates and change history of a folder."""

from __future__ import annotations

import difflib
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from catalog.core.errors import CatalogError


class GitError(CatalogError):
    """git failed or the folder is not a repository; the message says what to do."""


def git(root: Path, *args: str) -> str:
    """Run git in ``root``; its output, or GitError saying what failed."""
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise GitError("git is not installed") from exc
    if done.returncode != 0:
        raise GitError(f"git {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def changed_files(root: Path, ref: str) -> list[str]:
    """Files changed between ``ref`` and the work tree (committed, staged, unstaged, new)."""
    try:
        git(root, "rev-parse", "--verify", "--quiet", ref + "^{commit}")
    except GitError:
        raise GitError(
            f"{ref!r} is not a commit here; fetch it first (e.g. `git fetch origin main`)"
        ) from None
    base = git(root, "merge-base", ref, "HEAD").strip() or ref
    files = set(git(root, "diff", "--name-only", "--relative", base).splitlines())
    files |= set(git(root, "ls-files", "--others", "--exclude-standard").splitlines())
    return sorted(f for f in files if f)


def changed_datasets(root: Path, ref: str) -> list[str]:
    """Ids of datasets whose folder changed since ``ref``; a change to catalog.yaml (the
    vocabularies, limits) concerns every dataset."""
    ids: set[str] = set()
    everything = False
    for f in changed_files(root, ref):
        parts = f.split("/")
        if f == "catalog.yaml":
            everything = True
        elif len(parts) >= 4 and parts[0] == "datasets":
            ids.add(f"{parts[1]}/{parts[2]}")
    if everything:
        base = root / "datasets"
        ids |= {
            f"{d.parent.name}/{d.name}" for d in base.glob("*/*") if (d / "dataset.yaml").is_file()
        }
    return sorted(ids)


@dataclass(frozen=True)
class Commit:
    """One commit touching a dataset's folder."""

    sha: str
    date: str  # ISO 8601 with offset
    subject: str
    folder: str = ""  # the dataset's folder as of the commit (it may have moved since)


def histories(
    root: Path, folders: list[str], hidden: Callable[[str], bool] | None = None
) -> dict[str, list[Commit]]:
    """Commits touching each folder (newest first), from one ``git log`` over datasets/.

    ``hidden`` says, from the text of a dataset.yaml, whether the entry was kept off the
    site: a commit then counts in a folder's history only if that folder's dataset.yaml,
    as of the commit, was not hidden (so a dataset made public later does not show the
    subjects of commits made while it was unlisted)."""
    out: dict[str, list[Commit]] = {f: [] for f in folders}
    if not folders:
        return out
    try:
        log = git(
            root,
            "-c",
            "core.quotePath=false",
            "log",
            "--format=%x1e%H%x1f%cI%x1f%s",
            "--raw",
            "--no-abbrev",
            "--no-renames",
            "--",
            "datasets",
        )
    except GitError:
        return out
    records = [_record(r) for r in log.split("\x1e")[1:]]
    similar = _similar(root)
    texts = _blobs(root, {b for _, _, ys, _ in records for b in ys.values()}) if hidden else {}
    state: dict[str, str] = {}  # folder → its dataset.yaml blob, as of the commit
    every: dict[str, list[Commit]] = {}  # each folder's shown commits, oldest first
    for commit, touched, yamls, removed in reversed(records):  # oldest first
        moves = _moves(yamls, removed, similar)
        for old, new in moves.items():  # a moved dataset keeps its history
            every[new] = every.pop(old, [])
        state.update(yamls)
        for folder in touched - moves.keys():
            if hidden is None or not hidden(texts.get(state.get(folder, ""), "")):
                shown = Commit(commit.sha, commit.date, commit.subject, folder)
                every.setdefault(folder, []).append(shown)
    for folder in out:
        out[folder] = every.get(folder, [])[::-1]
    return out


def _moves(
    added: dict[str, str],
    removed: dict[str, str],
    similar: Callable[[str, str], bool] = lambda _a, _b: True,
) -> dict[str, str]:
    """Folders a commit moved (old → new): a dataset.yaml removed from one folder and
    added to another with the same bytes, or the only removal and addition of the commit
    when their texts are ``similar`` (as git's rename detection: half the text the same)."""
    new = {folder: blob for folder, blob in added.items() if blob and folder not in removed}
    gone = {folder: blob for folder, blob in removed.items() if added.get(folder) == ""}
    moves: dict[str, str] = {}
    for old, blob in gone.items():  # the same bytes (the same name first, if several)
        same = [f for f, b in new.items() if b == blob and f not in moves.values()]
        same.sort(key=lambda f: f.rsplit("/", 1)[-1] != old.rsplit("/", 1)[-1])
        if same:
            moves[old] = same[0]
    rest_old = [f for f in gone if f not in moves]
    rest_new = [f for f in new if f not in moves.values()]
    if len(rest_old) == 1 and len(rest_new) == 1 and similar(gone[rest_old[0]], new[rest_new[0]]):
        moves[rest_old[0]] = rest_new[0]
    return moves


def _similar(root: Path) -> Callable[[str, str], bool]:
    """Whether two blobs' texts are at least half the same (git's default rename score)."""

    def check(a: str, b: str) -> bool:
        texts = _blobs(root, {a, b})
        left, right = texts.get(a, ""), texts.get(b, "")
        return difflib.SequenceMatcher(None, left, right, autojunk=False).ratio() >= 0.5

    return check


_NO_BLOB = "0" * 40


def _record(record: str) -> tuple[Commit, set[str], dict[str, str], dict[str, str]]:
    """One commit of ``git log --raw``: the commit, the dataset folders it touched, the
    blob of each dataset.yaml it wrote ("" when it deleted one), and the blob each deleted
    or changed dataset.yaml had before."""
    head, _, body = record.partition("\n")
    sha, date, subject = [*head.split("\x1f"), "", ""][:3]
    touched: set[str] = set()
    yamls: dict[str, str] = {}
    before: dict[str, str] = {}
    for line in body.splitlines():
        meta, _, path = line.partition("\t")
        fields = meta.split()
        parts = path.strip('"').split("/")
        if not line.startswith(":") or len(fields) < 4 or len(parts) < 4:
            continue
        folder = "/".join(parts[:3])
        touched.add(folder)
        if len(parts) == 4 and parts[3] == "dataset.yaml":
            yamls[folder] = "" if fields[3] == _NO_BLOB else fields[3]
            if fields[2] != _NO_BLOB:
                before[folder] = fields[2]
    return Commit(sha, date, subject), touched, yamls, before


def _blobs(root: Path, shas: set[str]) -> dict[str, str]:
    """The text of each blob, from one ``git cat-file --batch``."""
    wanted = sorted(s for s in shas if s)
    if not wanted:
        return {}
    done = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=root,
        input="\n".join(wanted).encode() + b"\n",
        capture_output=True,
        check=False,
    )
    data, texts, at = done.stdout, {}, 0
    while at < len(data):
        line_end = data.index(b"\n", at)
        header = data[at:line_end].split()
        at = line_end + 1
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        texts[header[0].decode()] = data[at : at + size].decode("utf-8", "replace")
        at += size + 1
    return texts


def head(root: Path) -> str | None:
    """The commit checked out, or None outside a repository."""
    try:
        return git(root, "rev-parse", "HEAD").strip()
    except GitError:
        return None


def head_time(root: Path) -> int | None:
    """The time of the last commit (seconds since the epoch), or None."""
    try:
        return int(git(root, "log", "-1", "--format=%ct").strip())
    except (GitError, ValueError):
        return None


def dirty_folders(root: Path) -> set[str]:
    """Dataset folders with uncommitted changes (their 'modified' is the build time)."""
    try:
        out = git(root, "status", "--porcelain", "--", "datasets")
    except GitError:
        return set()
    folders = set()
    for line in out.splitlines():
        parts = line[3:].strip('"').split("/")
        if len(parts) >= 3:
            folders.add("/".join(parts[:3]))
    return folders


def is_shallow(root: Path) -> bool:
    """A shallow clone: its history stops short, so versions counted from it would not be
    the repository's."""
    try:
        return git(root, "rev-parse", "--is-shallow-repository").strip() == "true"
    except GitError:
        return False


def tree_at(root: Path, sha: str, folder: str) -> dict[str, str]:
    """The files of ``folder`` at commit ``sha``: path relative to the folder → blob."""
    try:
        listing = git(
            root, "-c", "core.quotePath=false", "ls-tree", "-r", "--full-tree", sha, "--", folder
        )
    except GitError:
        return {}
    out = {}
    for line in listing.splitlines():
        meta, _, path = line.partition("\t")
        fields = meta.split()
        if len(fields) == 3 and fields[1] == "blob" and path.startswith(folder + "/"):
            out[path[len(folder) + 1 :]] = fields[2]
    return out


def blob_text(root: Path, blob: str) -> str | None:
    """A blob's text (None if it cannot be read)."""
    return _blobs(root, {blob}).get(blob)


def write_blob(root: Path, blob: str, target: Path) -> bool:
    """Stream a blob into ``target`` (a data file can be gigabytes); False on failure."""
    with target.open("wb") as out:
        done = subprocess.run(
            ["git", "cat-file", "blob", blob],
            cwd=root,
            stdout=out,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    return done.returncode == 0


def moved_from(root: Path, sha: str, folder: str) -> str | None:
    """The folder whose dataset.yaml commit ``sha`` moved to ``folder`` (git's rename
    detection), or None."""
    try:
        out = git(
            root,
            "-c",
            "core.quotePath=false",
            "diff",
            "--name-status",
            "-M",
            f"{sha}^",
            sha,
            "--",
            "datasets",
        )
    except GitError:  # the first commit, or no parent here
        return None
    for line in out.splitlines():
        status, _, paths = line.partition("\t")
        old, _, new = paths.partition("\t")
        if (
            status.startswith("R")
            and new == f"{folder}/dataset.yaml"
            and old.endswith("/dataset.yaml")
        ):
            return old.removesuffix("/dataset.yaml")
    return None
