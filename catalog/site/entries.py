"""What the site shows: each dataset with its agency, dates, history and outputs.

Built once per build from the model, git history and the transform outputs; pages, feeds
and metadata files all read from these entries, so they agree with each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from catalog.core import contract
from catalog.io.gitinfo import Commit
from catalog.core.names import slugify
from catalog.core.model import Agency, Catalog, Config, Dataset
from catalog.site.package import DatasetOutput


@dataclass(frozen=True)
class Entry:
    ds: Dataset
    agency: Agency
    modified: str  # ISO 8601 date-time
    issued: str  # ISO 8601 date
    history: tuple[Commit, ...]
    output: DatasetOutput | None  # None unless public
    fingerprint: str = ""  # of the dataset's files (the build cache's key)

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
    def license(self) -> str:
        return self.ds.license or ""

    @property
    def modified_date(self) -> str:
        return self.modified[:10]

    @property
    def periodicity(self) -> str:
        return contract.UPDATE_FREQUENCIES.get(self.ds.update_frequency, "irregular")

    @property
    def formats(self) -> tuple[str, ...]:
        return ("CSV", "Parquet", "JSON") if self.output and self.output.resources else ()


@dataclass(frozen=True)
class Site:
    catalog: Catalog
    entries: tuple[Entry, ...]  # every dataset listed on the site, sorted by title
    built: str  # ISO 8601 build time (from git or SOURCE_DATE_EPOCH)

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
        return sorted((e for e in self.entries if not e.ds.archived), key=lambda e: (e.modified, e.id), reverse=True)[:n]

    def absolute(self, path: str) -> str:
        return self.catalog.config.base_url + path


def iso_from_epoch(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def category_slug(category: str) -> str:
    return slugify(category) or "other"
