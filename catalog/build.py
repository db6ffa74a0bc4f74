"""The build, top to bottom: load → validate → gate → transform → render → index → publish.

Nothing is written to the output folder until everything has been loaded and validated;
the new site is assembled aside and swapped in whole, so a failed build leaves the last
good site untouched.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import gitinfo
from .cache import Cache, fingerprint
from .load import load_catalog
from .model import Catalog, Dataset
from .outputs import api_dataset, atom, data_json, dump, sitemap, write_bulk, write_catalog_tables
from .package import DatasetOutput, build_dataset
from .problems import Problem, has_errors
from .publish import publish, staging_dir
from .render import render_all
from .site import Entry, Site, iso_from_epoch
from .validate import validate

# spawn, not fork: vl-convert runs threads, and a forked copy of them can deadlock
SPAWN = multiprocessing.get_context("spawn")

Progress = Callable[[str], None]


class BuildFailed(Exception):
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
    # 1. load
    loaded = load_catalog(root)
    if base_url:
        config = dataclasses.replace(loaded.catalog.config, base_url=base_url.rstrip("/") + "/")
        loaded = dataclasses.replace(loaded, catalog=dataclasses.replace(loaded.catalog, config=config))
    catalog = loaded.catalog
    # 2. validate, 3. gate: errors stop the build before anything is written
    problems = validate(loaded, jobs=jobs)
    if has_errors(problems):
        raise BuildFailed(problems)
    # 4. transform each public dataset (cached by content hash)
    cache = Cache(cache_dir or root / ".cache" / "build")
    outputs, transformed = transform_all(catalog, cache, jobs, say)
    # 5. the site's view of the catalog: dates and history from git
    site = assemble(catalog, outputs, build_time(root))
    staging = staging_dir(out)
    try:
        place_outputs(cache, site, staging)
        listed = render_all(site, staging)
        if any(e.output and e.output.charts for e in site.public):
            write_vega_runtime(staging / "static", cache.folder)
        write_metadata(site, staging, listed)
        # 6. index for search
        if search:
            from .search import index_site

            say("indexing for search")
            index_site(staging)
        # 7. publish: swap the new site in whole
        publish(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    cache.prune()
    return BuildReport(out, len(site.entries), transformed, len(outputs) - transformed, len(listed), time.monotonic() - started, tuple(problems))


# --- transform ---------------------------------------------------------------------------

_worker_catalog: Catalog | None = None


def _init_worker(catalog: Catalog) -> None:
    global _worker_catalog
    _worker_catalog = catalog


def _transform_in_worker(ident: str, folder: str) -> dict[str, object]:
    assert _worker_catalog is not None
    ds = _worker_catalog.dataset(ident)
    assert ds is not None
    return build_dataset(_worker_catalog, ds, Path(folder)).to_json()


def transform_all(catalog: Catalog, cache: Cache, jobs: int, say: Progress) -> tuple[dict[str, DatasetOutput], int]:
    outputs: dict[str, DatasetOutput] = {}
    todo: list[tuple[Dataset, str]] = []
    for ds in catalog.datasets:
        if not ds.is_public:
            continue
        fp = fingerprint(catalog, ds)
        hit = cache.get(ds, fp)
        if hit is not None:
            outputs[ds.id] = hit
        else:
            todo.append((ds, fp))
    if not todo:
        return outputs, 0
    if jobs > 1 and len(todo) > 1:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=SPAWN, initializer=_init_worker, initargs=(catalog,)) as pool:
            for n, (ds, fp) in enumerate(todo, 1):

                def make(folder: Path, ident: str = ds.id) -> DatasetOutput:
                    return DatasetOutput.from_json(pool.submit(_transform_in_worker, ident, str(folder)).result())

                outputs[ds.id] = cache.put(ds, fp, make)
                say(f"[{n}/{len(todo)}] {ds.id}")
    else:
        for n, (ds, fp) in enumerate(todo, 1):
            outputs[ds.id] = cache.put(ds, fp, lambda folder, d=ds: build_dataset(catalog, d, folder))  # type: ignore[misc]
            say(f"[{n}/{len(todo)}] {ds.id}")
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


def assemble(catalog: Catalog, outputs: dict[str, DatasetOutput], epoch: int) -> Site:
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
        entries.append(Entry(ds, agency, modified, issued, tuple(commits), outputs.get(ds.id)))
    entries.sort(key=lambda e: (e.ds.title.lower(), e.id))
    return Site(catalog, tuple(entries), built)


def _utc(date: str) -> str:
    import datetime as dt

    return dt.datetime.fromisoformat(date).astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def place_outputs(cache: Cache, site: Site, staging: Path) -> None:
    """Hard-link (or copy) each dataset's cached files into the staging site."""
    for e in site.public:
        source = cache.entry(e.ds)
        target = staging / e.url
        for f in sorted(source.rglob("*")):
            if f.name in ("output.json", "fingerprint") or not f.is_file():
                continue
            dest = target / f.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(f, dest)
            except OSError:
                shutil.copy2(f, dest)


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


def write_metadata(site: Site, staging: Path, listed: list[tuple[str, str]]) -> None:
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
    (staging / "build.json").write_text(json.dumps({"built": site.built, "datasets": len(site.entries), "base_url": site.config.base_url}, sort_keys=True) + "\n", "utf-8")
