"""What each page template is given: one frozen context type per template, built here.

Templates only lay these out; everything a page shows that takes computing — links,
labels, dates, the data dictionary's constraint text, the columns withheld — is computed
in Python, once. Every template also receives ``site``, ``config``, ``root`` (the path
back to the site root) and ``page_path``.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from dataclasses import dataclass
from typing import Any

from catalog.core.model import Agency, Dataset, Field, Resource
from catalog.site import changes
from catalog.site.entries import Entry, Site
from catalog.site.files import kept_url
from catalog.site.history import Version
from catalog.site.outputs import json_ld, license_url
from catalog.site.text import plain_text
from catalog.site.transform import ColumnProfile, ResourceOutput


@dataclass(frozen=True)
class Crumb:
    """One step of a breadcrumb trail: its label, and its path (None: this page)."""

    label: str
    path: str | None = None


@dataclass(frozen=True)
class Card:
    """A dataset in a list: one markup (templates/_macros.html), on list pages and in search
    results, which fill a copy of it from the same facts (Pagefind's metadata)."""

    url: str
    title: str
    category: str
    archived: bool
    restricted: bool
    access_label: str
    agency: str
    updated: str
    rows: str  # "1,234", or "" when no data is published
    summary: str

    @property
    def meta(self) -> str:
        """The card's line of facts, as search results show it."""
        return " · ".join(
            [
                self.agency,
                self.category,
                f"Updated {self.updated}",
                *([f"{self.rows} rows"] if self.rows else []),
            ]
        )


def card(e: Entry) -> Card:
    """The card of a dataset."""
    text = plain_text(e.ds.description)
    return Card(
        url=e.url,
        title=e.ds.title,
        category=e.ds.category,
        archived=e.ds.archived,
        restricted=not e.ds.is_public,
        access_label=e.ds.access_level.capitalize(),
        agency=e.agency.name,
        updated=e.modified_date,
        rows=f"{e.output.rows:,}" if e.output else "",
        summary=text[:220] + ("…" if len(text) > 220 else ""),
    )


# what the search page's card template is made from: every part present, to be filled
TEMPLATE_CARD = Card("", "", "", True, True, "", "", "", "", "")


@dataclass(frozen=True)
class Link:
    """A link to a list page, with the number of datasets it lists."""

    label: str
    path: str
    count: int


@dataclass(frozen=True)
class AgencyCard:
    """An agency on the agencies page."""

    agency: Agency
    path: str
    count: int


@dataclass(frozen=True)
class IndexPage:
    """index.html: the home page."""

    categories: tuple[Link, ...]
    agencies: tuple[Link, ...]
    recent: tuple[Entry, ...]
    count: int
    public: int


@dataclass(frozen=True)
class ListPage:
    """list.html: datasets A–Z, an agency's or a category's datasets."""

    title: str
    intro: str
    entries: tuple[Entry, ...]
    groups: tuple[tuple[str, tuple[Entry, ...]], ...] = ()  # by first letter, for A–Z
    agency: Agency | None = None

    @property
    def crumbs(self) -> tuple[Crumb, ...]:
        return (Crumb(self.title),)


@dataclass(frozen=True)
class AgenciesPage:
    """agencies.html."""

    agencies: tuple[AgencyCard, ...]
    crumbs: tuple[Crumb, ...] = (Crumb("Agencies"),)


@dataclass(frozen=True)
class CategoriesPage:
    """categories.html."""

    categories: tuple[Link, ...]
    crumbs: tuple[Crumb, ...] = (Crumb("Categories"),)


@dataclass(frozen=True)
class Download:
    """One file of a resource, as the downloads list shows it."""

    label: str
    path: str  # as the dataset page links it
    bytes: int
    absolute: str


@dataclass(frozen=True)
class FieldRow:
    """One published column in the data dictionary, with its profile."""

    field: Field
    type_label: str
    constraints: str
    profile: ColumnProfile | None


@dataclass(frozen=True)
class Dictionary:
    """The data dictionary of one resource."""

    resource: Resource
    rows: tuple[FieldRow, ...]
    profiled: bool  # the resource was published: profile columns are shown
    withheld: str  # "1 column is withheld from publication (CGS 14-10)." or ""


@dataclass(frozen=True)
class ResourceView:
    """One published resource: its downloads, notes and preview."""

    output: ResourceOutput
    downloads: tuple[Download, ...]
    urls: dict[str, str]  # format → absolute address, for the snippets
    odd_numbers: tuple[ColumnProfile, ...]  # columns holding NaN or infinity
    explore: Explore | None = None  # the explorer's files (None: no explorer)


@dataclass(frozen=True)
class Explore:
    """What the explorer reads: the published Parquet (with its size, saving a request) and
    CSV files, addressed as the page links them."""

    parquet: str
    parquet_bytes: int
    csv: str


@dataclass(frozen=True)
class VersionView:
    """One version in a dataset's Changes section, with a sample of its changed rows."""

    number: str
    date: str
    subject: str
    what: str
    level: str
    samples: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...]  # (resource, key, cells)
    files: tuple[VersionFile, ...] = ()  # a public version's CSVs as published then


@dataclass(frozen=True)
class VersionFile:
    """A version's published CSV: its size and SHA-256, and its permanent address when
    catalog.yaml keeps old files (else "")."""

    resource: str
    bytes: int
    sha256: str
    url: str = ""


@dataclass(frozen=True)
class HistoryItem:
    """One commit in a dataset's change history."""

    date: str
    subject: str


@dataclass(frozen=True)
class DatasetPage:
    """dataset.html: one dataset, public or not."""

    e: Entry
    ds: Dataset
    agency: Agency
    agency_path: str
    category_path: str
    license: str
    license_url: str
    summary: str  # the description as plain text, cut for the meta description
    resources: tuple[ResourceView, ...]
    dictionaries: tuple[Dictionary, ...]
    citation: str
    jsonld: dict[str, Any]
    absolute: str
    history: tuple[HistoryItem, ...]  # commits, where there are no versions (a shallow clone)
    versions: tuple[VersionView, ...]
    bibtex: str
    filters: tuple[tuple[str, tuple[str, ...]], ...]  # Pagefind's facet filters: (facet, values)
    card: Card  # what search results show of it (Pagefind's metadata)

    @property
    def crumbs(self) -> tuple[Crumb, ...]:
        return (Crumb(self.agency.name, self.agency_path), Crumb(self.ds.title))


@dataclass(frozen=True)
class EmbedPage:
    """embed.html: one chart, standalone, for an iframe."""

    dataset: DatasetPage
    c: dict[str, Any]
    dataset_url: str
    absolute: str


@dataclass(frozen=True)
class SearchPage:
    """search.html."""

    facets: tuple[tuple[str, str], ...]  # (key, label), as the dataset pages file them
    template_card: Card = TEMPLATE_CARD
    crumbs: tuple[Crumb, ...] = (Crumb("Search"),)


@dataclass(frozen=True)
class ApiPage:
    """api.html: the developers page."""

    example_api_url: str | None
    crumbs: tuple[Crumb, ...] = (Crumb("Developers"),)


@dataclass(frozen=True)
class ChangedDataset:
    """One version in the catalog's "What changed" page."""

    title: str
    path: str  # the dataset page, from the site root
    agency: str
    version: VersionView


@dataclass(frozen=True)
class ChangesPage:
    """changes.html: every version of the last week that changed data, newest first."""

    since: str  # ISO date
    items: tuple[ChangedDataset, ...]
    more: bool = False  # more versions than listed changed data this week
    crumbs: tuple[Crumb, ...] = (Crumb("What changed"),)


@dataclass(frozen=True)
class VersionsPage:
    """versions.html: every version of one dataset, with its changes and files."""

    e: Entry
    dataset_path: str  # the dataset's page, from the site root
    agency_path: str
    versions: tuple[VersionView, ...]

    @property
    def crumbs(self) -> tuple[Crumb, ...]:
        return (
            Crumb(self.e.agency.name, self.agency_path),
            Crumb(self.e.ds.title, self.dataset_path),
            Crumb("Versions"),
        )


@dataclass(frozen=True)
class NotFoundPage:
    """404.html."""


def content_security_policy(page: object, files_url: str | None = None) -> str:
    """A page's Content-Security-Policy (a meta tag, as GitHub Pages sets no headers):
    scripts, styles, images and fetches only from the site itself (and fetches from the
    origin of ``files_url``, where downloads live on object storage), no inline script or
    style, no plug-ins; the search page may also compile Pagefind's WebAssembly."""
    script = "'self' 'wasm-unsafe-eval'" if isinstance(page, SearchPage) else "'self'"
    connect = (origin_of(files_url),) if files_url else ()
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script}",
            "style-src 'self'",
            "img-src 'self'",
            "connect-src " + " ".join(("'self'", *connect)),
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


def origin_of(url: str) -> str:
    """``https://files.example.gov/data/`` → ``https://files.example.gov``."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


PageContext = (
    IndexPage
    | ListPage
    | AgenciesPage
    | CategoriesPage
    | DatasetPage
    | EmbedPage
    | SearchPage
    | ApiPage
    | ChangesPage
    | VersionsPage
    | NotFoundPage
)
TEMPLATE_CONTEXTS: dict[str, type] = {
    "index.html": IndexPage,
    "list.html": ListPage,
    "agencies.html": AgenciesPage,
    "categories.html": CategoriesPage,
    "dataset.html": DatasetPage,
    "embed.html": EmbedPage,
    "search.html": SearchPage,
    "api.html": ApiPage,
    "changes.html": ChangesPage,
    "versions.html": VersionsPage,
    "404.html": NotFoundPage,
}

# the facets of the search page: (key, label), and what each dataset files under them
FACETS = (
    ("agency", "Agency"),
    ("category", "Category"),
    ("keyword", "Keyword"),
    ("frequency", "Update frequency"),
    ("access", "Access level"),
    ("format", "File format"),
)
FORMAT_LABELS = {"csv": "CSV", "parquet": "Parquet", "json": "JSON"}


# --- building them --------------------------------------------------------------------------


def index_page(site: Site) -> IndexPage:
    """The home page's categories, agencies and recent datasets."""
    return IndexPage(
        categories=category_links(site),
        agencies=tuple(Link(c.agency.name, c.path, c.count) for c in agency_cards(site) if c.count),
        recent=tuple(site.recent(8)),
        count=len(site.entries),
        public=len(site.public),
    )


def agency_cards(site: Site) -> tuple[AgencyCard, ...]:
    """Every agency, by name, with its number of listed datasets."""
    agencies = sorted(site.catalog.agencies, key=lambda a: a.name)
    return tuple(
        AgencyCard(a, site.agency_path(a.slug), len(site.by_agency(a.slug))) for a in agencies
    )


def category_links(site: Site) -> tuple[Link, ...]:
    """Every category of the vocabulary that lists at least one dataset, in its order."""
    counts: dict[str, int] = {}
    for e in site.entries:
        counts[e.ds.category] = counts.get(e.ds.category, 0) + 1
    return tuple(
        Link(c, site.category_path(c), counts[c]) for c in site.config.categories if c in counts
    )


def az_page(site: Site) -> ListPage:
    """Every dataset, A–Z, grouped by first letter."""
    groups: dict[str, list[Entry]] = {}
    for e in site.entries:
        first = e.ds.title[:1].upper()
        groups.setdefault(first if first.isalpha() else "0-9", []).append(e)
    intro = "Every dataset in the catalog, in alphabetical order."
    return ListPage(
        "All datasets, A–Z",
        intro,
        site.entries,
        tuple((k, tuple(v)) for k, v in sorted(groups.items())),
    )


def agency_page(site: Site, agency: Agency) -> ListPage:
    """One agency's datasets."""
    return ListPage(
        agency.name, agency.description, tuple(site.by_agency(agency.slug)), agency=agency
    )


def category_page(site: Site, name: str) -> ListPage:
    """One category's datasets."""
    return ListPage(name, f"Datasets in the category {name}.", tuple(site.by_category(name)))


def dataset_page(site: Site, e: Entry) -> DatasetPage:
    """Everything a dataset's page shows."""
    ds = e.ds
    spdx = site.license_of(ds)
    citation = (
        f"{e.agency.name}. ({e.modified[:4]}). {ds.title} [Data set]. {site.config.publisher}. "
        f"{site.absolute(e.url)}"
    )
    return DatasetPage(
        e=e,
        ds=ds,
        agency=e.agency,
        agency_path=site.agency_path(e.agency.slug),
        category_path=site.category_path(ds.category),
        license=spdx,
        license_url=license_url(spdx),
        summary=plain_text(ds.description)[:300],
        resources=tuple(
            _resource_view(site, e, r) for r in (e.output.resources if e.output else [])
        ),
        dictionaries=tuple(_dictionary(e, res) for res in ds.resources),
        citation=changes.citation(site, e, citation),
        jsonld=json_ld(site, e),
        absolute=site.absolute(e.url),
        history=tuple(HistoryItem(c.date[:10], c.subject) for c in e.history[:20]),
        versions=tuple(_version_view(v) for v in e.versions[:20]),
        bibtex=changes.bibtex(site, e),
        filters=filters(e),
        card=card(e),
    )


WEEK_LISTED = 100  # versions listed on the "What changed" page (every dataset's feed has all)


def changes_page(site: Site, days: int = 7) -> ChangesPage:
    """The newest versions of the last ``days`` days (to the build's time) that changed
    data, at most WEEK_LISTED of them."""
    import datetime as dt

    built = dt.datetime.fromisoformat(site.built.replace("Z", "+00:00"))
    since = (built - dt.timedelta(days=days)).date().isoformat()
    items, more = changes.newest_changes(site, WEEK_LISTED, since)
    return ChangesPage(
        since,
        tuple(ChangedDataset(e.ds.title, e.url, e.agency.name, _version_view(v)) for e, v in items),
        more,
    )


def versions_page(site: Site, e: Entry) -> VersionsPage:
    """A dataset's page of versions: all of them, each with its CSVs' hashes."""
    keep = site.config.keep_old_files
    views = []
    for v in e.versions:
        files = tuple(
            VersionFile(
                str(f["resource"]),
                int(f["bytes"]),
                str(f["sha256"]),
                kept_url(site.config, e.id, f["resource"], f["sha256"]) if keep else "",
            )
            for f in v.files
        )
        views.append(dataclasses.replace(_version_view(v), files=files))
    return VersionsPage(e, e.url, site.agency_path(e.agency.slug), tuple(views))


def _version_view(v: Version) -> VersionView:
    samples = tuple(
        (
            r.name,
            ", ".join(s["key"]),
            tuple((c["column"], c["before"], c["after"]) for c in s["cells"]),
        )
        for r in v.resources
        if r.rows
        for s in r.rows.get("samples", [])
    )
    return VersionView(v.number, v.date[:10], v.summary, changes.summary(v), v.level, samples)


def filters(e: Entry) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """What a dataset files under each search facet."""
    ds = e.ds
    values: dict[str, list[str]] = {
        "agency": [e.agency.name],
        "category": [ds.category],
        "keyword": list(ds.keywords),
        "frequency": [ds.update_frequency],
        "access": [ds.access_level],
        "format": list(e.formats),
    }
    return tuple((key, tuple(values[key])) for key, _ in FACETS)


def _resource_view(site: Site, e: Entry, r: ResourceOutput) -> ResourceView:
    order = [fmt for fmt in FORMAT_LABELS if fmt in r.files] + sorted(
        set(r.files) - set(FORMAT_LABELS)
    )
    urls = {fmt: site.download(e, r.files[fmt]) for fmt in order}
    downloads = tuple(
        Download(
            FORMAT_LABELS.get(fmt, fmt.upper()),
            site.download_href(e, r.files[fmt]),
            r.files[fmt]["bytes"],
            urls[fmt],
        )
        for fmt in order
    )
    explore = None
    if site.explorer and "parquet" in r.files and "csv" in r.files:
        explore = Explore(
            site.download_href(e, r.files["parquet"]),
            r.files["parquet"]["bytes"],
            site.download_href(e, r.files["csv"]),
        )
    return ResourceView(r, downloads, urls, tuple(p for p in r.profile if p.non_finite), explore)


def _dictionary(e: Entry, res: Resource) -> Dictionary:
    profiles: dict[str, ColumnProfile] = {}
    if e.output:
        for r in e.output.resources:
            if r.name == res.name:
                profiles = {p.name: p for p in r.profile}
    rows = tuple(
        FieldRow(f, _type_label(f), _constraints_text(f), profiles.get(f.name))
        for f in res.schema.public_fields
    )
    return Dictionary(res, rows, bool(profiles), _withheld(res))


def _type_label(f: Field) -> str:
    return f"{f.type} ({f.format})" if f.format and f.format != "default" else f.type


def _constraints_text(f: Field) -> str:
    parts = []
    for k, v in sorted(f.constraints.items()):
        parts.append(f"{k}: {', '.join(map(str, v)) if isinstance(v, (list, tuple)) else v}")
    text = "; ".join(parts)
    if f.min_cell:
        text += ("; " if f.constraints else "") + f"counts below {f.min_cell} suppressed"
    return text


def _withheld(res: Resource) -> str:
    withheld = [f for f in res.schema.fields if f.protected]
    if not withheld:
        return ""
    authorities = ", ".join(dict.fromkeys(f.exemption for f in withheld if f.exemption))
    verb = "s are" if len(withheld) != 1 else " is"
    return f"{len(withheld)} column{verb} withheld from publication ({authorities})."
