"""Validate: every rule over the loaded catalog, collected as Problems.

``validate`` never raises for bad input; each rule returns its findings.  The build calls
the same function, so the build stops on exactly what ``catalog validate`` prints.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import codeowners
from .checks import charts, exemptions, metadata, tabular
from .load import Loaded, load_catalog
from .model import Catalog, Dataset
from .problems import Problem, sort_problems

# spawn, not fork: a forked copy of another library's threads can deadlock
SPAWN = multiprocessing.get_context("spawn")


def validate(loaded: Loaded, only: Iterable[str] | None = None, *, jobs: int = 1, progress: Callable[[str], None] | None = None) -> list[Problem]:
    """All problems of a loaded catalog; ``only`` limits dataset rules to those ids (the
    catalog-wide rules always run)."""
    catalog = loaded.catalog
    wanted = set(only) if only is not None else None
    problems: list[Problem] = [p for p in loaded.problems if wanted is None or _concerns(p, wanted, catalog)]
    problems += metadata.check_config(catalog)
    problems += codeowners.check(catalog)
    for agency in catalog.agencies:
        if wanted is None or any(i.startswith(agency.slug + "/") for i in wanted):
            problems += metadata.check_agency(agency)
    chosen = [ds for ds in catalog.datasets if wanted is None or ds.id in wanted]
    if jobs > 1 and len(chosen) > 1:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=SPAWN) as pool:
            for ds, found in zip(chosen, pool.map(_check_dataset_at, [catalog.root] * len(chosen), [d.id for d in chosen]), strict=True):
                problems += found
                if progress:
                    progress(ds.id)
    else:
        for ds in chosen:
            problems += check_dataset(catalog, ds)
            if progress:
                progress(ds.id)
    return sort_problems(set(problems))


def check_dataset(catalog: Catalog, ds: Dataset) -> list[Problem]:
    out: list[Problem] = []
    out += metadata.check_dataset(catalog, ds)
    out += exemptions.check_metadata(catalog, ds)
    out += charts.check_charts(ds)
    if ds.is_public:
        for res in ds.resources:
            out += tabular.check_resource(catalog, ds, res)
            out += exemptions.check_data(catalog, ds, res)
    elif catalog.config.repository == "private":
        for res in ds.resources:  # private repository: data may be kept, still checked
            out += tabular.check_resource(catalog, ds, res)
    return out


def _check_dataset_at(root: str, ident: str) -> list[Problem]:
    catalog = load_catalog(Path(root)).catalog
    ds = catalog.dataset(ident)
    return check_dataset(catalog, ds) if ds else []


def _concerns(p: Problem, wanted: set[str], catalog: Catalog) -> bool:
    """Does a loading problem belong to one of the wanted datasets (or to the catalog)?"""
    parts = p.path.split("/")
    if len(parts) >= 3 and parts[0] == "datasets":
        candidate = f"{parts[1]}/{parts[2]}"
        if catalog.dataset(candidate) is not None or (Path(catalog.root) / "datasets" / parts[1] / parts[2]).is_dir():
            return candidate in wanted
    return True
