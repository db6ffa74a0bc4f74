"""Index the assembled site for static full-text search with Pagefind (its binary ships in
the pagefind wheel and runs offline)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from catalog.core.errors import CatalogError


class SearchIndexError(CatalogError):
    pass


def start_indexing(site: Path) -> subprocess.Popen[str]:
    """Start Pagefind on the site's pages; it runs while the build writes other files."""
    # only dataset pages carry data-pagefind-body; reading the rest would be wasted time
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--glob", "datasets/*/*/index.html", "--quiet"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_indexing(proc: subprocess.Popen[str]) -> None:
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SearchIndexError(f"pagefind failed: {err.strip() or out.strip()}")


def index_site(site: Path) -> None:
    finish_indexing(start_indexing(site))
