"""The size of what a build publishes, against the host's limit (catalog.yaml's
``limits.site_mb``; GitHub Pages takes 1 GB): reported by every build, a warning at 80 %,
and past the limit a problem that stops the build before anything is published."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from catalog.core.model import Limits
from catalog.core.problems import Problem, problem
from catalog.site.entries import Site

MB = 1_048_576
WARN_SHARE = 0.8


@dataclass(frozen=True)
class Sizes:
    """Bytes of each published tree, and the datasets whose downloads weigh most."""

    pages: int
    files: int | None  # the tree for object storage (None: downloads are in the pages)
    largest: tuple[tuple[str, int], ...]  # (dataset id, bytes of its downloads), largest first
    limit_mb: float  # limits.site_mb


def tree_bytes(folder: Path) -> int:
    """Bytes of every file under ``folder`` (links counted as the host counts them: whole)."""
    total = 0
    for base, _dirs, names in os.walk(folder):
        total += sum(os.lstat(os.path.join(base, n)).st_size for n in names)
    return total


def measure(site: Site, pages: Path, files: Path | None, top: int = 5) -> Sizes:
    """The pages' tree, the downloads' tree and the ``top`` largest datasets, in bytes."""
    weights = [
        (e.id, sum(f["bytes"] for r in e.output.resources for f in r.files.values()))
        for e in site.public
        if e.output is not None
    ]
    weights.sort(key=lambda w: (-w[1], w[0]))
    files_bytes = tree_bytes(files) if files else None
    return Sizes(tree_bytes(pages), files_bytes, tuple(weights[:top]), site.config.limits.site_mb)


def largest_text(sizes: Sizes) -> str:
    """The largest datasets, for a message: ``id (n MB), ...``."""
    return ", ".join(f"{ident} ({size / MB:,.1f} MB)" for ident, size in sizes.largest) or "none"


def budget(limits: Limits, sizes: Sizes) -> list[Problem]:
    """A problem when the pages' tree passes the limit (error) or 80 % of it (warning)."""
    limit = limits.site_mb * MB
    size, largest = sizes.pages / MB, largest_text(sizes)
    if sizes.pages > limit:
        return [
            problem(
                "site-too-large", "catalog.yaml", size=size, limit=limits.site_mb, largest=largest
            )
        ]
    if sizes.pages > WARN_SHARE * limit:
        share = 100 * sizes.pages / limit
        return [
            problem(
                "site-near-limit",
                "catalog.yaml",
                size=size,
                share=share,
                limit=limits.site_mb,
                largest=largest,
            )
        ]
    return []
