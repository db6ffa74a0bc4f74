"""Publish: swap the fully assembled staging folder into place.

On Linux the swap is one atomic ``renameat2(RENAME_EXCHANGE)``: there is no moment without
a complete site, and a build killed at any point leaves the previous site serving.
Elsewhere it falls back to two renames.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    done: int = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return done == 0


def staging_dir(out: Path) -> Path:
    """A fresh folder beside ``out`` (same filesystem, so the swap is a rename)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for pattern in (f".{out.name}-staging-*", f".{out.name}-retired-*"):
        for old in out.parent.glob(pattern):
            shutil.rmtree(old, ignore_errors=True)  # left by a build that was killed
    path = out.parent / f".{out.name}-staging-{os.getpid()}"
    path.mkdir()
    return path


def publish(staging: Path, out: Path) -> None:
    """Swap ``staging`` in as ``out`` whole (atomically where the system can), keeping no half
    site."""
    if out.exists() and not out.is_dir():
        raise OSError(f"{out} exists and is not a folder")
    if out.is_dir() and _exchange(staging, out):
        _remove_later(staging, out)  # now holds the previous site
        return
    previous = out.parent / f".{out.name}-previous-{os.getpid()}"
    if out.exists():
        os.replace(out, previous)
    os.replace(staging, out)
    if previous.exists():
        _remove_later(previous, out)


def _remove_later(folder: Path, out: Path) -> None:
    """Delete the previous site in a process of its own, so the build ends without waiting
    (thousands of files take a third of a second); a leftover is removed by the next build."""
    retired = out.parent / f".{out.name}-retired-{os.getpid()}"
    try:
        os.replace(folder, retired)
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)",
                str(retired),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        shutil.rmtree(retired if retired.exists() else folder, ignore_errors=True)
