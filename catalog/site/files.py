"""Files of the site tree: hard links where the file system allows them, copies elsewhere.

Cached outputs and cached pages are placed in the staging site by hard link (no bytes
copied); a file system without links gets copies."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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
