"""What the site shows: each dataset with its agency, dates, history and outputs.

Built once per build from the model, git history and the transform outputs; pages, feeds
and metadata files all read from these entries, so they agree with each other.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.core import contract
from catalog.core.model import Agency, Catalog, Config, Dataset
from catalog.core.names import slugify
from catalog.core.yamlfile import parse_yaml
from catalog.io import gitinfo
from catalog.io.gitinfo import Commit
from catalog.site.files import bulk_key, download_url
from catalog.site.history import Version
from catalog.site.package import DatasetOutput


@dataclass(frozen=True)
class Entry:
    """One dataset as the site shows it: its agency, dates, history, versions and outputs."""

    ds: Dataset
    agency: Agency
    modified: str  # ISO 8601 date-time
    issued: str  # ISO 8601 date
    history: tuple[Commit, ...]
    output: DatasetOutput | None  # None unless public
    fingerprint: str = ""  # of the dataset's files (the build cache's key)
    versions: Sequence[Version] = ()  # newest first, read when used (catalog/site/history.py)

    @property
    def id(self) -> str:
        return self.ds.id

    @property
    def url(self) -> str:
        """Path of the dataset page, relative to the site root."""
        return f"datasets/{self.ds.id}/"

    @property
    def api_url(self) -> str:
        return f"api/datasets/{self.ds.id}.json"

    @property
    def modified_date(self) -> str:
        return self.modified[:10]

    @property
    def periodicity(self) -> str:
        return contract.UPDATE_FREQUENCIES.get(self.ds.update_frequency, "irregular")

    @property
    def formats(self) -> tuple[str, ...]:
        if not self.output or not self.output.resources:
            return ()
        has_json = any("json" in r.files for r in self.output.resources)
        return ("CSV", "Parquet", "JSON") if has_json else ("CSV", "Parquet")


@dataclass(frozen=True)
class Site:
    """Everything a build shows: the catalog, its listed entries and the build's time."""

    catalog: Catalog
    entries: tuple[Entry, ...]  # every dataset listed on the site, sorted by title
    built: str  # ISO 8601 build time (from git or SOURCE_DATE_EPOCH)
    version: str = ""  # the build's inputs fingerprint: the bulk files' folder on object storage
    explorer: bool = False  # the explorer's modules are served (static/vendor/)

    @property
    def config(self) -> Config:
        return self.catalog.config

    def by_agency(self, slug: str) -> list[Entry]:
        return [e for e in self.entries if e.ds.agency == slug]

    def by_category(self, category: str) -> list[Entry]:
        return [e for e in self.entries if e.ds.category == category]

    @property
    def public(self) -> list[Entry]:
        return [e for e in self.entries if e.output is not None]

    def recent(self, n: int = 10) -> list[Entry]:
        return sorted(
            (e for e in self.entries if not e.ds.archived),
            key=lambda e: (e.modified, e.id),
            reverse=True,
        )[:n]

    def absolute(self, path: str) -> str:
        """The absolute URL of a path of the site."""
        return self.catalog.config.base_url + path

    def download(self, e: Entry, f: dict[str, Any]) -> str:
        """The absolute address of one of a dataset's downloads."""
        return download_url(self.config, e.id, f)

    def download_href(self, e: Entry, f: dict[str, Any]) -> str:
        """A download's address as the dataset page links it: beside the page, or on
        object storage."""
        return self.download(e, f) if self.config.files_url else f["path"]

    def bulk(self, name: str, root: str = "") -> str:
        """A bulk file's address from a page whose way to the site root is ``root`` (or
        absolute, with ``root`` the base URL)."""
        if self.config.files_url:
            return self.config.files_url + bulk_key(self.version, name)
        return f"{root}bulk/{name}"

    def agency_path(self, slug: str) -> str:
        """Path of an agency's page, relative to the site root."""
        return f"agencies/{slug}/"

    def category_path(self, category: str) -> str:
        """Path of a category's page, relative to the site root."""
        return f"categories/{category_slug(category)}/"

    def license_of(self, ds: Dataset) -> str:
        """The dataset's licence (SPDX id): its own, or the catalog's default."""
        return self.catalog.license_of(ds)


def iso_from_epoch(epoch: int) -> str:
    """An ISO 8601 UTC time (``...Z``) from seconds since the epoch."""
    return (
        dt.datetime.fromtimestamp(epoch, dt.UTC)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z")
    )


def category_slug(category: str) -> str:
    """The URL slug of a category's page."""
    return slugify(category) or "other"


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


def assemble(
    catalog: Catalog,
    outputs: dict[str, DatasetOutput],
    epoch: int,
    prints: dict[str, str] | None = None,
) -> Site:
    """The site's entries: listed datasets with their agency, git dates and history, outputs."""
    built = iso_from_epoch(epoch)
    root = Path(catalog.root)
    listed = [
        ds
        for ds in catalog.datasets
        if ds.access_level != "non-public" or catalog.config.list_non_public
    ]
    hidden = None if catalog.config.list_non_public else _unlisted
    history = gitinfo.histories(root, [ds.folder for ds in listed], hidden)
    dirty = gitinfo.dirty_folders(root)
    entries = []
    for ds in listed:
        commits = history.get(ds.folder, [])
        modified = built if (ds.folder in dirty or not commits) else _utc(commits[0].date)
        issued = ds.issued or (commits[-1].date[:10] if commits else modified[:10])
        agency = catalog.agency(ds.agency)
        assert agency is not None, f"{ds.id} has no agency"  # validation guarantees it
        entries.append(
            Entry(
                ds,
                agency,
                modified,
                issued,
                tuple(commits),
                outputs.get(ds.id),
                (prints or {}).get(ds.id, ""),
            )
        )
    entries.sort(key=lambda e: (e.ds.title.lower(), e.id))
    return Site(catalog, tuple(entries), built)


def _unlisted(text: str) -> bool:
    """Was this version of a dataset.yaml kept off the site (a non-public entry, or one
    that cannot be read)? Its commits then stay out of the public history."""
    doc, _ = parse_yaml(text, "dataset.yaml")
    return doc is None or doc.data.get("access_level") not in ("public", "restricted public")


def _utc(date: str) -> str:
    import datetime as dt

    return (
        dt.datetime.fromisoformat(date)
        .astimezone(dt.UTC)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z")
    )
