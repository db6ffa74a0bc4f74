"""Worker processes that hold the loaded catalog, for validation and transforms.

Processes are spawned, not forked: vl-convert runs threads, and a forked copy of them can
deadlock. Each worker receives the catalog once, when it starts, not with every task.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from catalog.core.model import Catalog, Dataset

MIN_TASKS = 4  # fewer tasks than this run in-process: a pool costs about a second to start

_catalog: Catalog | None = None


def _start(catalog: Catalog) -> None:
    global _catalog
    _catalog = catalog


def worth_a_pool(jobs: int, tasks: int) -> bool:
    """Is a process pool worth its start-up for this many tasks?"""
    return jobs > 1 and tasks >= MIN_TASKS


def pool(catalog: Catalog, jobs: int) -> ProcessPoolExecutor:
    """A pool of spawned worker processes that each hold the catalog."""
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start,
        initargs=(catalog,),
    )


def dataset(ident: str) -> tuple[Catalog, Dataset]:
    """In a worker: the catalog and one of its datasets."""
    assert _catalog is not None, "not in a worker started by workers.pool()"
    ds = _catalog.dataset(ident)
    assert ds is not None, f"no dataset {ident}"
    return _catalog, ds
