"""The build, top to bottom: load → validate → gate → transform → render → index → publish.

Nothing is written to the output folder until everything has been loaded and validated;
the new site is assembled aside and swapped in whole, so a failed build leaves the last
good site untouched. Unchanged datasets reuse their validation results and outputs from
the cache; a build whose inputs are all unchanged stops at once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path

from catalog.checks.validate import validate
from catalog.core import workers
from catalog.core.errors import CatalogError
from catalog.core.model import Catalog, Dataset
from catalog.core.problems import Problem, has_errors, problem
from catalog.io import gitinfo
from catalog.load.loader import Loaded, load_catalog
from catalog.load.memo import pruned
from catalog.site.budget import Sizes, budget, measure
from catalog.site.cache import Cache, code_hash, fingerprint
from catalog.site.charts import write_vega_runtime
from catalog.site.entries import Site, assemble, build_time
from catalog.site.explorer import node_modules, write_vendor
from catalog.site.files import (
    bulk_key,
    file_digest,
    file_key,
    kept_key,
    link_file,
    link_tree,
    move_downloads,
)
from catalog.site.history import History, kept_file, metadata_only
from catalog.site.legacy import write_legacy
from catalog.site.outputs import write_metadata
from catalog.site.package import DatasetOutput, build_dataset
from catalog.site.publish import publish, staging_dir
from catalog.site.render import TEMPLATES, render_all
from catalog.site.transform import UnpublishableData

Progress = Callable[[str], None]


class BuildFailed(CatalogError):
    """Validation found errors; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{sum(p.severity == 'error' for p in problems)} validation errors")
        self.problems = problems


@dataclass(frozen=True)
class BuildReport:
    """What a build did: counts, time, problems and the trees it wrote."""

    out: Path
    datasets: int
    transformed: int
    reused: int
    pages: int
    seconds: float
    warnings: tuple[Problem, ...]
    up_to_date: bool = False
    discarded: int = 0  # cache entries whose seal did not hold, made again
    sizes: Sizes | None = None  # what was published, against limits.site_mb
    files_out: Path | None = None  # the downloads' tree, with files_url


def build(
    root: Path,
    out: Path | None = None,
    *,
    base_url: str | None = None,
    jobs: int = 1,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    search: bool = True,
    files_out: Path | None = None,
) -> BuildReport:
    """Build the site of the catalog at ``root`` into ``out`` (default ``root/site``); with
    catalog.yaml's ``files_url``, the downloads into ``files_out`` (default ``out``'s
    name + ``-files``, beside it)."""
    started = time.monotonic()
    say = progress or (lambda _msg: None)

    def stage(name: str) -> None:
        say(f"{name} ({time.monotonic() - started:.1f}s)")

    root = root.resolve()
    out = (out or root / "site").resolve()
    cache = Cache(cache_dir or root / ".cache" / "build")
    # 0. nothing changed since the published build: nothing to do
    digests: dict[str, str] = {}
    inputs = inputs_fingerprint(root, base_url, search, digests)
    if _published_fingerprint(out) == inputs:
        return BuildReport(out, 0, 0, 0, 0, time.monotonic() - started, (), up_to_date=True)
    stage("loading")  # 1.
    loaded = _load(root, cache, base_url)
    catalog = loaded.catalog
    prints = {ds.id: fingerprint(catalog, ds, digests) for ds in catalog.datasets}
    stage("validating")  # 2. (unchanged datasets reuse their results); 3. errors stop here
    problems = _validate(loaded, cache, prints, jobs)
    stage("transforming")  # 4. each public dataset, cached by content hash
    try:
        outputs, transformed = transform_all(catalog, cache, prints, jobs, say)
    except UnpublishableData as exc:  # validation should have refused it: stop, saying where
        raise BuildFailed([*problems, unpublishable_problem(exc)]) from None
    site = assemble(catalog, outputs, build_time(root), prints)  # 5. dates and history from git
    site, told = with_versions(site, root, cache)
    problems = [*problems, *told]
    modules = node_modules(root)
    site = dataclasses.replace(site, version=inputs, explorer=modules is not None)
    if modules is None and site.public:
        problems = [*problems, problem("explorer-unavailable", "js/package.json")]
    files_out = (files_out or out.parent / f"{out.name}-files").resolve()
    staging = staging_dir(out)
    files_staging = staging_dir(files_out) if catalog.config.files_url else None
    try:
        place_outputs(cache, site, staging)
        stage("rendering")  # 6.
        listed = render_all(site, staging, cache=cache)
        if any(e.output and e.output.charts for e in site.public):
            write_vega_runtime(staging / "static", cache)
        if modules is not None and site.public:
            write_vendor(staging / "static", modules)
        stage("indexing for search and writing metadata and bulk files")  # 7. side by side
        with _indexing(staging, search):
            write_metadata(
                site, staging, listed, inputs, {e.id: cache.entry(e.ds) for e in site.public}, cache
            )
        write_legacy(site, staging, files_staging)  # the old portal's addresses
        if files_staging is not None:  # downloads to the tree for object storage
            move_downloads(download_moves(site, staging, files_staging))
            with contextlib.suppress(OSError):
                (staging / "bulk").rmdir()  # emptied
        place_kept_files(cache, site, files_staging or staging)
        sizes = measure(site, staging, files_staging)
        over = budget(catalog.config.limits, sizes)
        if has_errors(over):  # past the host's limit: publish nothing
            raise BuildFailed([*problems, *over])
        problems = [*problems, *over]
        if files_staging is not None:
            publish(files_staging, files_out)  # 8. swap the new trees in whole, files first
        publish(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if files_staging is not None:
            shutil.rmtree(files_staging, ignore_errors=True)
        raise
    cache.prune()
    seconds = time.monotonic() - started
    return BuildReport(
        out,
        len(site.entries),
        transformed,
        len(outputs) - transformed,
        len(listed),
        seconds,
        tuple(problems),
        discarded=cache.discarded,
        sizes=sizes,
        files_out=files_out if files_staging is not None else None,
    )


def _load(root: Path, cache: Cache, base_url: str | None) -> Loaded:
    """The catalog, unchanged dataset.yaml files taken from the cache's memo; ``base_url``
    overrides catalog.yaml's."""
    memo = cache.load_memo()
    loaded = load_catalog(root, memo)
    cache.store_memo(pruned(memo, root))
    if not base_url:
        return loaded
    config = dataclasses.replace(loaded.catalog.config, base_url=base_url.rstrip("/") + "/")
    return dataclasses.replace(loaded, catalog=dataclasses.replace(loaded.catalog, config=config))


def _validate(loaded: Loaded, cache: Cache, prints: dict[str, str], jobs: int) -> list[Problem]:
    """Every problem (an unchanged dataset's from the cache); BuildFailed on errors."""
    reuse = {i: found for i, fp in prints.items() if (found := cache.problems(i, fp)) is not None}
    fresh: dict[str, list[Problem]] = {}
    problems = validate(loaded, jobs=jobs, reuse=reuse, record=fresh)
    for ident, found in fresh.items():
        cache.store_problems(ident, prints[ident], found)
    if has_errors(problems):
        raise BuildFailed(problems)
    return problems


@contextlib.contextmanager
def _indexing(staging: Path, search: bool) -> Iterator[None]:
    """Pagefind indexes the pages while the block writes other files (both cores busy)."""
    if not search:
        yield
        return
    from catalog.site.search import finish_indexing, start_indexing

    indexer = start_indexing(staging)
    try:
        yield
    finally:
        finish_indexing(indexer, staging)


def inputs_fingerprint(
    root: Path, base_url: str | None, search: bool, digests: dict[str, str] | None = None
) -> str:
    """Everything a build reads: the catalog's files, the code, the templates, the git
    commit (dates and history) and the options. Equal fingerprints, equal sites.
    ``digests`` receives each catalog file's digest (path relative to the root)."""
    h = hashlib.blake2b(digest_size=20)
    explorer = node_modules(root) is not None  # installing it later changes the site
    h.update(
        json.dumps(
            [
                code_hash(),
                base_url,
                search,
                os.environ.get("SOURCE_DATE_EPOCH"),
                gitinfo.head(root),
                explorer,
            ]
        ).encode()
    )
    for base in (root / "catalog.yaml", root / "datasets", TEMPLATES):
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for f in files:
            digest = file_digest(f)
            # names relative to the checkout or the package: the same commit, the same
            # fingerprint, in any folder
            h.update(
                (f.relative_to(root) if f.is_relative_to(root) else f.relative_to(TEMPLATES.parent))
                .as_posix()
                .encode()
            )
            h.update(digest.encode())
            if digests is not None and f.is_relative_to(root):
                digests[f.relative_to(root).as_posix()] = digest
    h.update(",".join(sorted(gitinfo.dirty_folders(root))).encode())
    return h.hexdigest()


def with_versions(site: Site, root: Path, cache: Cache) -> tuple[Site, list[Problem]]:
    """Each entry's versions from git; none from a shallow clone, which says so."""
    if not any(e.history for e in site.entries):
        return site, []
    if gitinfo.is_shallow(root):
        return site, [problem("history-incomplete", "catalog.yaml")]
    history = History(root, cache, keep_files=site.config.keep_old_files)
    entries = []
    for e in site.entries:
        found = history.versions(e.ds.folder, list(e.history))
        entries.append(
            dataclasses.replace(
                e, versions=found if e.output is not None else found.mapped(metadata_only)
            )
        )
    history.save()
    return dataclasses.replace(site, entries=tuple(entries)), []


def place_kept_files(cache: Cache, site: Site, tree: Path) -> None:
    """catalog.yaml's keep_old_files: each public version's CSV, from the cache, at its
    permanent key in the downloads' tree (already there when it is the current file)."""
    if not site.config.keep_old_files:
        return
    for e in site.public:
        for v in e.versions:
            for f in v.files:
                target = tree / kept_key(e.id, f["resource"], f["sha256"])
                source = kept_file(cache, f["sha256"])
                if source is not None and not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    link_file(source, target)


def unpublishable_problem(exc: UnpublishableData) -> Problem:
    """The Problem for a cell no typed download can carry (file, row, field)."""
    return problem(
        "unpublishable-value",
        exc.path,
        row=exc.row,
        field=exc.field,
        name=exc.field,
        cell=exc.cell,
        reason=exc.reason,
    )


def _published_fingerprint(out: Path) -> str | None:
    try:
        value = json.loads((out / "build.json").read_text("utf-8")).get("inputs")
        return value if isinstance(value, str) and (out / "index.html").is_file() else None
    except (OSError, ValueError, AttributeError):
        return None


# --- transform ---------------------------------------------------------------------------


def _transform_in_worker(ident: str, folder: str) -> dict[str, object]:
    catalog, ds = workers.dataset(ident)
    return build_dataset(catalog, ds, Path(folder)).to_json()


def transform_all(
    catalog: Catalog, cache: Cache, prints: dict[str, str], jobs: int, say: Progress
) -> tuple[dict[str, DatasetOutput], int]:
    """Every public dataset's outputs: from the cache, or built (in parallel) and cached."""
    outputs: dict[str, DatasetOutput] = {}
    todo: list[Dataset] = []
    for ds in catalog.datasets:
        if not ds.is_public:
            continue
        hit = cache.get(ds, prints[ds.id])
        if hit is not None:
            outputs[ds.id] = hit
        else:
            todo.append(ds)
    if not todo:
        return outputs, 0
    folders = {ds.id: cache.begin(ds) for ds in todo}
    try:
        if workers.worth_a_pool(jobs, len(todo)):
            with workers.pool(catalog, jobs) as pool:
                futures = {
                    pool.submit(_transform_in_worker, ds.id, str(folders[ds.id])): ds for ds in todo
                }
                for n, future in enumerate(as_completed(futures), 1):
                    ds = futures[future]
                    outputs[ds.id] = DatasetOutput.from_json(future.result())
                    cache.commit(ds, prints[ds.id], folders[ds.id], outputs[ds.id])
                    say(f"[{n}/{len(todo)}] {ds.id}")
        else:
            for n, ds in enumerate(todo, 1):
                outputs[ds.id] = build_dataset(catalog, ds, folders[ds.id])
                cache.commit(ds, prints[ds.id], folders[ds.id], outputs[ds.id])
                say(f"[{n}/{len(todo)}] {ds.id}")
    finally:
        for folder in folders.values():
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
    return outputs, len(todo)


# --- the site's view ---------------------------------------------------------------------


def download_moves(site: Site, staging: Path, files: Path) -> list[tuple[Path, Path]]:
    """Where each download moves, from the pages' tree to the files tree: the datasets'
    files under keys holding their digest, the bulk files under the build's version."""
    moves = []
    for e in site.public:
        assert e.output is not None
        for r in e.output.resources:
            for f in r.files.values():
                moves.append((staging / e.url / f["path"], files / file_key(e.id, f)))
    bulk = staging / "bulk"
    for done in sorted(bulk.iterdir()) if bulk.is_dir() else []:
        moves.append((done, files / bulk_key(site.version, done.name)))
    return moves


def place_outputs(cache: Cache, site: Site, staging: Path) -> None:
    """Hard-link (or copy) each dataset's cached files into the staging site."""
    for e in site.public:
        link_tree(cache.entry(e.ds), staging / e.url)
