"""What git knows: changed datasets, dates and change history of a folder."""

from __future__ import annotations

import subprocess
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


def histories(root: Path, folders: list[str]) -> dict[str, list[Commit]]:
    """Commits touching each folder (newest first), from one ``git log`` over datasets/."""
    out: dict[str, list[Commit]] = {f: [] for f in folders}
    if not folders:
        return out
    try:
        log = git(
            root,
            "log",
            "--format=%x1e%H%x1f%cI%x1f%s",
            "--name-only",
            "--no-renames",
            "--",
            "datasets",
        )
    except GitError:
        return out
    for record in log.split("\x1e")[1:]:
        head, _, names = record.partition("\n")
        sha, date, subject = [*head.split("\x1f"), "", ""][:3]
        commit = Commit(sha, date, subject)
        touched = set()
        for name in names.splitlines():
            parts = name.split("/")
            if len(parts) >= 4:
                touched.add("/".join(parts[:3]))
        for folder in touched:
            if folder in out:
                out[folder].append(commit)
    return out


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
