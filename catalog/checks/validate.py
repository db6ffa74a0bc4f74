"""Validate: every rule over the loaded catalog, collected as Problems.

``validate`` never raises for bad input; each rule returns its findings.  The build calls
the same function, so the build stops on exactly what ``catalog validate`` prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from catalog.checks import areas, charts, codeowners, exemptions, metadata, tabular
from catalog.core import workers
from catalog.core.model import Catalog, Dataset
from catalog.core.problems import Problem, problem, sort_problems
from catalog.io.filebytes import FileBytes
from catalog.load.loader import Loaded


def validate(
    loaded: Loaded,
    only: Iterable[str] | None = None,
    *,
    jobs: int = 1,
    progress: Callable[[str], None] | None = None,
    reuse: Mapping[str, list[Problem]] | None = None,
    record: dict[str, list[Problem]] | None = None,
) -> list[Problem]:
    """All problems of a loaded catalog; ``only`` limits dataset rules to those ids (the
    catalog-wide rules always run). ``reuse`` gives known results of unchanged datasets
    (the build's cache); ``record`` receives each dataset's results."""
    catalog = loaded.catalog
    wanted = _wanted(catalog, only)
    problems: list[Problem] = [
        p for p in loaded.problems if wanted is None or _concerns(p, wanted, catalog)
    ]
    problems += metadata.check_config(catalog)
    problems += metadata.check_tables(catalog)
    problems += metadata.check_former(catalog)
    problems += codeowners.check(catalog)
    for agency in catalog.agencies:
        if wanted is None or any(i.startswith(agency.slug + "/") for i in wanted):
            problems += metadata.check_agency(agency)
    chosen = [ds for ds in catalog.datasets if wanted is None or ds.id in wanted]
    known = reuse or {}
    todo = [ds for ds in chosen if ds.id not in known]
    for ds in chosen:
        if ds.id in known:
            problems += known[ds.id]
    results: dict[str, list[Problem]] = {}
    if workers.worth_a_pool(jobs, len(todo)):
        with workers.pool(catalog, jobs) as pool:
            for ds, found in zip(
                todo,
                pool.map(
                    _check_in_worker,
                    [d.id for d in todo],
                    chunksize=max(1, len(todo) // (jobs * 8)),
                ),
                strict=True,
            ):
                results[ds.id] = found
                if progress:
                    progress(ds.id)
    else:
        for ds in todo:
            results[ds.id] = check_dataset(catalog, ds)
            if progress:
                progress(ds.id)
    for found in results.values():
        problems += found
    if record is not None:
        record.update(results)
    return sort_problems(set(problems))


def _check_in_worker(ident: str) -> list[Problem]:
    return check_dataset(*workers.dataset(ident))


def check_dataset(catalog: Catalog, ds: Dataset) -> list[Problem]:
    """Every rule over one dataset. A rule that fails unexpectedly is reported as an
    ``internal-error`` of that dataset; the other rules still run."""
    out: list[Problem] = []
    out += _rule(metadata.check_dataset, ds.path, "the metadata", catalog, ds)
    out += _rule(exemptions.check_metadata, ds.path, "the exemption rules", catalog, ds)
    out += _rule(charts.check_charts, ds.path, "the charts", catalog, ds)
    if ds.boundaries and ds.is_public:
        out += _rule(areas.check_boundaries, ds.boundaries.path, "the boundary file", catalog, ds)
    if ds.is_public:
        for res in ds.resources:
            # read once, for every check; a compressed file's data no further than the limit
            limit = int(catalog.config.limits.max_file_mb * tabular.MB)
            data = FileBytes(Path(catalog.root) / res.path, limit=limit)
            refused = _rule(tabular.refusals, res.path, "the data file", catalog, ds, res, data)
            if refused:  # a file that cannot (or must not) be read as CSV
                out += refused
                continue
            out += _rule(
                tabular.check_resource,
                res.path,
                "the data against its schema",
                catalog,
                ds,
                res,
                data,
            )
            out += _rule(
                exemptions.check_data,
                res.path,
                "the data for protected values",
                catalog,
                ds,
                res,
                data,
            )
    elif catalog.config.repository == "private":
        for res in ds.resources:  # private repository: data may be kept, still checked
            out += _rule(
                tabular.check_resource, res.path, "the data against its schema", catalog, ds, res
            )
    return out


def _rule(rule: Callable[..., list[Problem]], path: str, what: str, *args: Any) -> list[Problem]:
    try:
        return rule(*args)
    except Exception as exc:  # noqa: BLE001 - one rule's fault must not hide the others' findings
        return [problem("internal-error", path, what=what, error=f"{type(exc).__name__}: {exc}")]


def _wanted(catalog: Catalog, only: Iterable[str] | None) -> set[str] | None:
    """The datasets to check: those named, and those whose maps are drawn on one of them
    (a changed boundary file can break them)."""
    if only is None:
        return None
    wanted = set(only)
    return wanted | areas.mapped_on(catalog, wanted)


def _concerns(p: Problem, wanted: set[str], catalog: Catalog) -> bool:
    """Does a loading problem belong to one of the wanted datasets (or to the catalog)?"""
    parts = p.path.split("/")
    if len(parts) >= 3 and parts[0] == "datasets":
        candidate = f"{parts[1]}/{parts[2]}"
        if (
            catalog.dataset(candidate) is not None
            or (Path(catalog.root) / "datasets" / parts[1] / parts[2]).is_dir()
        ):
            return candidate in wanted
    return True
