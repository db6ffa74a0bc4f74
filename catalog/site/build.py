"""The build, top to bottom: load → validate → gate → transform → render → index → publish.

Nothing is written to the output folder until everything has been loaded and validated;
the new site is assembled aside and swapped in whole, so a failed build leaves the last
good site untouched. Unchanged datasets reuse their validation results and outputs from
the cache; a build whose inputs are all unchanged stops at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path

from catalog.core.errors import CatalogError
from catalog.io import gitinfo
from catalog.core import workers
from catalog.site.cache import Cache, code_hash, file_digest, fingerprint
from catalog.load.loader import load_catalog
from catalog.core.model import Catalog, Dataset
from catalog.site.outputs import api_dataset, atom, data_json, dump, sitemap, write_bulk, write_catalog_tables
from catalog.site.package import DatasetOutput, build_dataset
from catalog.core.problems import Problem, has_errors, problem
from catalog.site.publish import publish, staging_dir
from catalog.site.render import TEMPLATES, render_all
from catalog.site.entries import Entry, Site, iso_from_epoch
from catalog.site.transform import UnpublishableData
from catalog.checks.validate import validate

Progress = Callable[[str], None]


class BuildFailed(CatalogError):
    """Validation found errors; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{sum(p.severity == 'error' for p in problems)} validation errors")
        self.problems = problems


@dataclass(frozen=True)
class BuildReport:
    out: Path
    datasets: int
    transformed: int
    reused: int
    pages: int
    seconds: float
    warnings: tuple[Problem, ...]
    up_to_date: bool = False


def build(
    root: Path,
    out: Path | None = None,
    *,
    base_url: str | None = None,
    jobs: int = 1,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    search: bool = True,
) -> BuildReport:
    started = time.monotonic()
    say = progress or (lambda _msg: None)
    root = root.resolve()
    out = (out or root / "site").resolve()
    cache = Cache(cache_dir or root / ".cache" / "build")

    def stage(name: str) -> None:
        say(f"{name} ({time.monotonic() - started:.1f}s)")

    # 0. nothing changed since the published build: nothing to do
    digests: dict[str, str] = {}
    inputs = inputs_fingerprint(root, base_url, search, digests)
    if _published_fingerprint(out) == inputs:
        return BuildReport(out, 0, 0, 0, 0, time.monotonic() - started, (), up_to_date=True)
    # 1. load
    stage("loading")
    memo = cache.load_memo()
    loaded = load_catalog(root, memo)
    cache.store_memo({k: v for k, v in memo.items() if (root / k).is_file()})
    if base_url:
        config = dataclasses.replace(loaded.catalog.config, base_url=base_url.rstrip("/") + "/")
        loaded = dataclasses.replace(loaded, catalog=dataclasses.replace(loaded.catalog, config=config))
    catalog = loaded.catalog
    prints = {ds.id: fingerprint(catalog, ds, digests) for ds in catalog.datasets}
    # 2. validate (unchanged datasets reuse their results), 3. gate: errors stop the build
    stage("validating")
    reuse = {i: found for i, fp in prints.items() if (found := cache.problems(i, fp)) is not None}
    fresh: dict[str, list[Problem]] = {}
    problems = validate(loaded, jobs=jobs, reuse=reuse, record=fresh)
    for ident, found in fresh.items():
        cache.store_problems(ident, prints[ident], found)
    if has_errors(problems):
        raise BuildFailed(problems)
    # 4. transform each public dataset (cached by content hash)
    stage("transforming")
    try:
        outputs, transformed = transform_all(catalog, cache, prints, jobs, say)
    except UnpublishableData as exc:  # validation should have refused it: stop, saying where
        raise BuildFailed([*problems, unpublishable_problem(exc)]) from None
    # 5. the site's view of the catalog: dates and history from git
    site = assemble(catalog, outputs, build_time(root), prints)
    staging = staging_dir(out)
    try:
        place_outputs(cache, site, staging)
        stage("rendering")
        listed = render_all(site, staging, page_cache=cache.folder / "pages")
        if any(e.output and e.output.charts for e in site.public):
            write_vega_runtime(staging / "static", cache.folder)
        # 6. index for search (Pagefind reads the pages while the metadata files are written)
        indexer = None
        if search:
            from catalog.site.search import finish_indexing, start_indexing

            stage("indexing for search")
            indexer = start_indexing(staging)
        stage("writing metadata and bulk files")
        try:
            write_metadata(site, staging, listed, inputs)
        finally:
            if indexer is not None:
                finish_indexing(indexer)
        # 7. publish: swap the new site in whole
        publish(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    cache.prune()
    return BuildReport(out, len(site.entries), transformed, len(outputs) - transformed, len(listed), time.monotonic() - started, tuple(problems))


def inputs_fingerprint(root: Path, base_url: str | None, search: bool, digests: dict[str, str] | None = None) -> str:
    """Everything a build reads: the catalog's files, the code, the templates, the git
    commit (dates and history) and the options. Equal fingerprints, equal sites.
    ``digests`` receives each catalog file's digest (path relative to the root)."""
    h = hashlib.blake2b(digest_size=20)
    h.update(json.dumps([code_hash(), base_url, search, os.environ.get("SOURCE_DATE_EPOCH"), gitinfo.head(root)]).encode())
    for base in (root / "catalog.yaml", root / "datasets", TEMPLATES):
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for f in files:
            digest = file_digest(f)
            h.update(f.as_posix().encode())
            h.update(digest.encode())
            if digests is not None and f.is_relative_to(root):
                digests[f.relative_to(root).as_posix()] = digest
    h.update(",".join(sorted(gitinfo.dirty_folders(root))).encode())
    return h.hexdigest()


def unpublishable_problem(exc: UnpublishableData) -> Problem:
    return problem("unpublishable-value", exc.path, row=exc.row, field=exc.field, name=exc.field, cell=exc.cell, reason=exc.reason)


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


def transform_all(catalog: Catalog, cache: Cache, prints: dict[str, str], jobs: int, say: Progress) -> tuple[dict[str, DatasetOutput], int]:
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
                futures = {pool.submit(_transform_in_worker, ds.id, str(folders[ds.id])): ds for ds in todo}
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


def build_time(root: Path) -> int:
    """SOURCE_DATE_EPOCH, else the last commit's time, else the newest input file's mtime."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.isdigit():
        return int(env)
    head = gitinfo.head_time(root)
    if head is not None:
        return head
    files = [root / "catalog.yaml", *(root / "datasets").rglob("*")]
    return int(max((p.stat().st_mtime for p in files if p.is_file()), default=0))


def assemble(catalog: Catalog, outputs: dict[str, DatasetOutput], epoch: int, prints: dict[str, str] | None = None) -> Site:
    built = iso_from_epoch(epoch)
    root = Path(catalog.root)
    listed = [ds for ds in catalog.datasets if ds.access_level != "non-public" or catalog.config.list_non_public]
    history = gitinfo.histories(root, [ds.folder for ds in listed])
    dirty = gitinfo.dirty_folders(root)
    entries = []
    for ds in listed:
        commits = history.get(ds.folder, [])
        modified = built if (ds.folder in dirty or not commits) else _utc(commits[0].date)
        issued = ds.issued or (commits[-1].date[:10] if commits else modified[:10])
        agency = catalog.agency(ds.agency)
        assert agency is not None, f"{ds.id} has no agency"  # validation guarantees it
        entries.append(Entry(ds, agency, modified, issued, tuple(commits), outputs.get(ds.id), (prints or {}).get(ds.id, "")))
    entries.sort(key=lambda e: (e.ds.title.lower(), e.id))
    return Site(catalog, tuple(entries), built)


def _utc(date: str) -> str:
    import datetime as dt

    return dt.datetime.fromisoformat(date).astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def place_outputs(cache: Cache, site: Site, staging: Path) -> None:
    """Hard-link (or copy) each dataset's cached files into the staging site."""
    for e in site.public:
        _link_tree(cache.entry(e.ds), staging / e.url)


def _link_tree(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with os.scandir(source) as entries:
        for item in entries:
            if item.name in ("output.json", "fingerprint"):
                continue
            dest = target / item.name
            if item.is_dir(follow_symlinks=False):
                _link_tree(Path(item.path), dest)
                continue
            try:
                os.link(item.path, dest)
            except OSError:
                shutil.copy2(item.path, dest)


def write_vega_runtime(static: Path, cache_folder: Path) -> None:
    """Vega, Vega-Lite and Vega-Embed as one script served from the site (vl-convert's
    offline bundle), cached by vl-convert's version."""
    from importlib.metadata import version

    import vl_convert as vlc

    cached = cache_folder / f"vega-{version('vl-convert-python')}.js"
    if not cached.is_file():
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_text(vlc.javascript_bundle(None), "utf-8")  # type: ignore[arg-type]  # None: the default snippet (window globals)
        os.replace(tmp, cached)
    static.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, static / "vega.js")


def write_metadata(site: Site, staging: Path, listed: list[tuple[str, str]], inputs: str) -> None:
    (staging / "data.json").write_text(dump(data_json(site)), "utf-8")
    api = staging / "api" / "datasets"
    records = []
    for e in site.entries:
        record = api_dataset(site, e)
        records.append(record)
        target = staging / e.api_url
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump(record), "utf-8")
    api.mkdir(parents=True, exist_ok=True)
    (staging / "api" / "datasets.json").write_text(dump(records), "utf-8")
    (staging / "sitemap.xml").write_text(sitemap(site, listed), "utf-8")
    (staging / "feed.xml").write_text(atom(site), "utf-8")
    write_catalog_tables(site, staging)
    write_bulk(site, staging)
    (staging / ".nojekyll").write_text("", "utf-8")
    (staging / "build.json").write_text(json.dumps({"built": site.built, "datasets": len(site.entries), "base_url": site.config.base_url, "inputs": inputs}, sort_keys=True) + "\n", "utf-8")
