"""Files of the site tree: hard links where the file system allows them, copies elsewhere.

Cached outputs and cached pages are placed in the staging site by hard link (no bytes
copied); a file system without links gets copies."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

from catalog.core.model import Config


def file_digest(path: Path) -> str:
    """BLAKE2b (160 bits) of a file's bytes, in hex."""
    h = hashlib.blake2b(digest_size=20)
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def link_file(source: Path, target: Path) -> None:
    """``target`` as a hard link to ``source``, or a copy of it."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def link_tree(source: Path, target: Path) -> None:
    """Every file under ``source`` linked (or copied) under ``target``, but dot-files:
    a cache entry's bookkeeping (cache.py), never published."""
    target.mkdir(parents=True, exist_ok=True)
    with os.scandir(source) as entries:
        for item in entries:
            if item.name.startswith("."):
                continue
            dest = target / item.name
            if item.is_dir(follow_symlinks=False):
                link_tree(Path(item.path), dest)
            else:
                link_file(Path(item.path), dest)


# --- downloads on object storage ----------------------------------------------------------
# With catalog.yaml's files_url, downloads leave the pages' tree for a second tree (uploaded
# to an S3-compatible bucket). Their keys hold a digest of their bytes, so an address never
# serves other bytes than it did: caches may keep them forever, and a page of the previous
# site still finds its files while the new one deploys.


def file_key(dataset_id: str, f: dict[str, Any]) -> str:
    """A download's key in the files tree: ``datasets/<agency>/<dataset>/<digest>/<name>``."""
    return f"datasets/{dataset_id}/{f['digest'][:16]}/{f['path']}"


def kept_key(dataset_id: str, resource: str, sha256: str) -> str:
    """Where an old version's CSV is kept (catalog.yaml's keep_old_files), in whichever tree
    holds the downloads: the same key as the current CSV's on object storage."""
    return f"datasets/{dataset_id}/{sha256[:16]}/{resource}.csv"


def kept_url(config: Config, dataset_id: str, resource: str, sha256: str) -> str:
    """The permanent address of a version's CSV (``kept_key``)."""
    return (config.files_url or config.base_url) + kept_key(dataset_id, resource, sha256)


def bulk_key(version: str, name: str) -> str:
    """A bulk file's key: ``bulk/<version of the build's inputs>/<name>``."""
    return f"bulk/{version[:16]}/{name}"


def download_url(config: Config, dataset_id: str, f: dict[str, Any]) -> str:
    """The absolute address of a dataset's download ``f`` ({"path", "digest", ...})."""
    if config.files_url:
        return config.files_url + file_key(dataset_id, f)
    return f"{config.base_url}datasets/{dataset_id}/{f['path']}"


def move_downloads(moves: list[tuple[Path, Path]]) -> None:
    """Move each (from, to) file, making folders as needed."""
    for source, target in moves:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)


def stable_url(config: Config, dataset_id: str, f: dict[str, Any]) -> str:
    """A download's address that always serves the current version: on object storage the
    ``latest`` alias `catalog upload` keeps, else the file beside the dataset's page."""
    if config.files_url:
        return f"{config.files_url}datasets/{dataset_id}/latest/{f['path']}"
    return download_url(config, dataset_id, f)
