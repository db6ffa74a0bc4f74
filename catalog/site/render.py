"""Render: the one Jinja environment and the pages of the site.

Templates get small contexts computed here; no template computes data.  Every page links
relatively (``root``) so the site works from any sub-path; absolute URLs come from base_url.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from catalog.core.escape import embed_snippet, script_json
from catalog.core.names import base_path_of
from catalog.site.cache import Cache, code_hash
from catalog.site.entries import Entry, Site, category_slug
from catalog.site.files import link_file
from catalog.site.pages import (
    FACETS,
    TEMPLATE_CONTEXTS,
    AgenciesPage,
    ApiPage,
    CategoriesPage,
    EmbedPage,
    NotFoundPage,
    PageContext,
    SearchPage,
    agency_cards,
    agency_page,
    az_page,
    category_links,
    category_page,
    changes_page,
    content_security_policy,
    dataset_page,
    index_page,
    versions_page,
)
from catalog.site.pages import (
    card as card_of,
)
from catalog.site.text import markdown_html, plain_text

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def human_bytes(n: int | None) -> str:
    """A size for people: ``1.2 MB``."""
    if n is None:
        return ""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size:,.1f} GB"


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    """The Jinja environment of the templates (autoescaped, with the site's filters)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["bytes"] = human_bytes
    env.filters["number"] = lambda n: (
        f"{n:,}" if isinstance(n, int) else ("" if n is None else str(n))
    )
    env.filters["markdown"] = lambda text: Markup(markdown_html(text))
    env.filters["plain"] = plain_text
    env.filters["script_json"] = script_json
    env.filters["embed_snippet"] = embed_snippet
    env.globals["content_security_policy"] = content_security_policy
    env.filters["category_slug"] = category_slug
    cards: dict[tuple[str, str], Markup] = {}

    def card(e: Any, root: str) -> Markup:
        """A dataset's card (templates/_macros.html), rendered once per build however many
        lists show it (home, all datasets, its agency, its category)."""
        key = (e.id, root)
        if key not in cards:
            macro = env.get_template("_macros.html").module.card  # type: ignore[attr-defined]
            cards[key] = Markup(macro(card_of(e), root))
        return cards[key]

    env.globals["card"] = card
    return env


@dataclass(frozen=True)
class Page:
    """One page to write: where, from which template, with which context (computed only
    when the page is rendered)."""

    path: str  # output file, relative to the site root, e.g. "datasets/dph/x/index.html"
    template: str
    context: Callable[[], PageContext]
    lastmod: str | None = None  # for the sitemap; None: not listed
    key: str | None = None  # what the page depends on, for the page cache; None: always render


def root_of(path: str) -> str:
    """The relative path from a page back to the site root."""
    depth = path.count("/")
    return "../" * depth if depth else "./"


def pages(site: Site, salt: str = "") -> Iterator[Page]:
    """Every page of the site, in the order they are written."""
    yield Page("index.html", "index.html", partial(index_page, site), site.built)
    yield Page("datasets/index.html", "list.html", partial(az_page, site), site.built)
    cards = agency_cards(site)
    yield Page("agencies/index.html", "agencies.html", partial(AgenciesPage, cards), site.built)
    for card in cards:
        yield Page(
            f"{card.path}index.html",
            "list.html",
            partial(agency_page, site, card.agency),
            site.built,
        )
    links = category_links(site)
    yield Page(
        "categories/index.html", "categories.html", partial(CategoriesPage, links), site.built
    )
    for link in links:
        yield Page(
            f"{link.path}index.html",
            "list.html",
            partial(category_page, site, link.label),
            site.built,
        )
    # installing the explorer changes every dataset page
    config_key = f"{site.config!r}|explorer={site.explorer}"
    for e in site.entries:
        shas = [c.sha for c in e.history]
        depends = f"{salt}|{config_key}|{e.fingerprint}|{e.modified}|{e.issued}|{shas}|{e.agency!r}"
        key = hashlib.blake2b(depends.encode(), digest_size=20).hexdigest()
        yield Page(
            f"{e.url}index.html", "dataset.html", partial(dataset_page, site, e), e.modified, key
        )
        if e.versions:
            versions = partial(versions_page, site, e)
            yield Page(
                f"{e.url}changes/index.html", "versions.html", versions, e.modified, f"{key}-v"
            )
        for c in e.output.charts if e.output else []:
            chart_page = partial(embed_page, site, e, c)
            yield Page(
                f"{e.url}charts/{c['slug']}/index.html",
                "embed.html",
                chart_page,
                e.modified,
                f"{key}-{c['slug']}",
            )
    yield Page("search/index.html", "search.html", partial(SearchPage, FACETS), site.built)
    yield Page("changes/index.html", "changes.html", partial(changes_page, site), site.built)
    example = site.entries[0].api_url if site.entries else None
    yield Page("api/index.html", "api.html", partial(ApiPage, example), site.built)


def embed_page(site: Site, e: Entry, c: dict[str, Any]) -> EmbedPage:
    """A chart's embeddable page."""
    return EmbedPage(
        dataset_page(site, e), c, site.absolute(e.url), site.absolute(f"{e.url}charts/{c['slug']}/")
    )


def templates_hash(templates: Path) -> str:
    """A digest of every template file (names and bytes): part of each cached page's key."""
    h = hashlib.blake2b(digest_size=20)
    for f in sorted(p for p in templates.rglob("*") if p.is_file()):
        h.update(f.relative_to(templates).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def render_all(
    site: Site, staging: Path, templates: Path = TEMPLATES, cache: Cache | None = None
) -> list[tuple[str, str]]:
    """Write every page; return (url path, lastmod) pairs for the sitemap. Dataset and
    chart pages whose inputs are unchanged are taken from the build cache (sealed)."""
    env = environment(templates)
    written: set[str] = set()
    listed: list[tuple[str, str]] = []
    common = {"site": site, "config": site.config}
    used: set[str] = set()
    salt = templates_hash(templates) + code_hash()
    for page in pages(site, salt):
        if page.path in written:
            raise RuntimeError(f"two pages would be written to {page.path}")
        written.add(page.path)
        target = staging / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        name = f"pages/{page.key}.html" if cache is not None and page.key else None
        cached = cache.file(name) if cache is not None and name else None
        if cached is not None:
            link_file(cached, target)
        else:
            context = page.context()
            assert isinstance(context, TEMPLATE_CONTEXTS[page.template]), (
                page.template,
                type(context),
            )
            html = env.get_template(page.template).render(
                **common, page=context, root=root_of(page.path), page_path=page.path
            )
            target.write_text(html, "utf-8")
            if cache is not None and name:
                cache.keep(name, target)
        if name:
            used.add(Path(name).name)
        if page.lastmod:
            listed.append((page.path.removesuffix("index.html"), page.lastmod))
    if cache is not None and (cache.folder / "pages").is_dir():
        for old in (cache.folder / "pages").iterdir():
            if old.name.removesuffix(".seal") not in used:
                old.unlink(missing_ok=True)
    base_path = base_path_of(site.config.base_url)  # the 404 page is served at any depth
    not_found = env.get_template("404.html").render(
        **common, page=NotFoundPage(), root=base_path, page_path="404.html"
    )
    (staging / "404.html").write_text(not_found, "utf-8")
    static = templates / "static"
    if static.is_dir():
        shutil.copytree(static, staging / "static", dirs_exist_ok=True)
    (staging / "robots.txt").write_text(
        f"User-agent: *\nAllow: /\nSitemap: {site.absolute('sitemap.xml')}\n", "utf-8"
    )
    return listed
