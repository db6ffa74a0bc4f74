"""Render: the one Jinja environment and the pages of the site.

Templates get small contexts computed here; no template computes data.  Every page links
relatively (``root``) so the site works from any sub-path; absolute URLs come from base_url.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from catalog.core import contract
from catalog.site.cache import code_hash
from catalog.site.outputs import categories, json_ld, license_url
from catalog.core.names import base_path_of
from catalog.site.entries import Entry, Site, category_slug
from catalog.site.text import markdown_html, plain_text

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def human_bytes(n: int | None) -> str:
    if n is None:
        return ""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size:,.1f} GB"


def script_json(data: Any) -> Markup:
    """JSON safe inside <script>: '<', '>', '&' and U+2028/9 escaped, so '</script>' can't close it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    for a, b in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(a, b)
    return Markup(text)


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["bytes"] = human_bytes
    env.filters["number"] = lambda n: f"{n:,}" if isinstance(n, int) else ("" if n is None else str(n))
    env.filters["markdown"] = lambda text: Markup(markdown_html(text))
    env.filters["plain"] = plain_text
    env.filters["script_json"] = script_json
    env.filters["category_slug"] = category_slug
    cards: dict[tuple[str, str], Markup] = {}

    def card(e: Any, root: str) -> Markup:
        """A dataset's card (templates/_macros.html), rendered once per build however many
        lists show it (home, all datasets, its agency, its category)."""
        key = (e.id, root)
        if key not in cards:
            cards[key] = Markup(env.get_template("_macros.html").module.card(e, root))  # type: ignore[attr-defined]
        return cards[key]

    env.globals["card"] = card
    return env


@dataclass(frozen=True)
class Page:
    path: str  # output file, relative to the site root, e.g. "datasets/dph/x/index.html"
    template: str
    context: Callable[[], dict[str, Any]]  # computed only when the page is rendered
    lastmod: str | None = None  # for the sitemap; None: not listed
    key: str | None = None  # what the page depends on, for the page cache; None: always render


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def root_of(path: str) -> str:
    depth = path.count("/")
    return "../" * depth if depth else "./"


def pages(site: Site, salt: str = "") -> Iterator[Page]:
    cats = categories(site)
    agencies = sorted(site.catalog.agencies, key=lambda a: a.name)
    counts = {a.slug: len(site.by_agency(a.slug)) for a in agencies}
    yield Page(
        "index.html",
        "index.html",
        lambda: {"categories": cats, "agencies": [(a, counts[a.slug]) for a in agencies if counts[a.slug]], "recent": site.recent(8), "count": len(site.entries), "public": len(site.public)},
        site.built,
    )
    yield Page(
        "datasets/index.html",
        "list.html",
        lambda: {"title": "All datasets, A–Z", "entries": site.entries, "intro": "Every dataset in the catalog, in alphabetical order.", "groups": az_groups(site.entries)},
        site.built,
    )
    yield Page("agencies/index.html", "agencies.html", lambda: {"agencies": [(a, counts[a.slug]) for a in agencies]}, site.built)
    for a in agencies:
        yield Page(f"agencies/{a.slug}/index.html", "list.html", lambda a=a: {"title": a.name, "entries": site.by_agency(a.slug), "intro": a.description, "agency": a, "groups": []}, site.built)  # type: ignore[misc]
    yield Page("categories/index.html", "categories.html", lambda: {"categories": cats}, site.built)
    for name, slug, _ in cats:
        yield Page(f"categories/{slug}/index.html", "list.html", partial(_category_context, site, name), site.built)
    config_key = repr(site.config)
    for e in site.entries:
        key = hashlib.blake2b(f"{salt}|{config_key}|{e.fingerprint}|{e.modified}|{e.issued}|{[c.sha for c in e.history]}|{e.agency!r}".encode(), digest_size=20).hexdigest()
        yield Page(f"{e.url}index.html", "dataset.html", lambda e=e: dataset_context(site, e), e.modified, key)  # type: ignore[misc]
        for c in e.output.charts if e.output else []:

            def embed(e: Entry = e, c: dict[str, Any] = c) -> dict[str, Any]:
                return {**dataset_context(site, e), "c": c, "dataset_url": site.absolute(e.url), "absolute": site.absolute(f"{e.url}charts/{c['slug']}/")}

            yield Page(f"{e.url}charts/{c['slug']}/index.html", "embed.html", embed, e.modified, f"{key}-{c['slug']}")
    yield Page("search/index.html", "search.html", dict, site.built)
    yield Page("api/index.html", "api.html", lambda: {"example": site.entries[0] if site.entries else None}, site.built)


def _category_context(site: Site, name: str) -> dict[str, Any]:
    return {"title": name, "entries": site.by_category(name), "intro": f"Datasets in the category {name}.", "groups": []}


def az_groups(entries: tuple[Entry, ...]) -> list[tuple[str, list[Entry]]]:
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        first = e.ds.title[:1].upper()
        groups.setdefault(first if first.isalpha() else "0-9", []).append(e)
    return sorted(groups.items())


def dataset_context(site: Site, e: Entry) -> dict[str, Any]:
    ds = e.ds
    spdx = ds.license or site.config.default_license
    fields = []
    for res in ds.resources:
        for f in res.schema.fields:
            fields.append((res, f))
    profiles = {}
    if e.output:
        for r in e.output.resources:
            profiles[r.name] = {p.name: p for p in r.profile}
    year = e.modified[:4]
    citation = f"{e.agency.name}. ({year}). {ds.title} [Data set]. {site.config.publisher}. " f"{site.absolute(e.url)}"
    return {
        "e": e,
        "ds": ds,
        "agency": e.agency,
        "license": spdx,
        "license_url": license_url(spdx),
        "periodicity": contract.UPDATE_FREQUENCIES.get(ds.update_frequency, ""),
        "fields": fields,
        "profiles": profiles,
        "citation": citation,
        "jsonld": json_ld(site, e),
        "absolute": site.absolute(e.url),
    }


def templates_hash(templates: Path) -> str:
    h = hashlib.blake2b(digest_size=20)
    for f in sorted(p for p in templates.rglob("*") if p.is_file()):
        h.update(f.relative_to(templates).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def render_all(site: Site, staging: Path, templates: Path = TEMPLATES, page_cache: Path | None = None) -> list[tuple[str, str]]:
    """Write every page; return (url path, lastmod) pairs for the sitemap. Dataset and
    chart pages whose inputs are unchanged are taken from ``page_cache``."""
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
        cached = page_cache / f"{page.key}.html" if page_cache is not None and page.key else None
        if cached is not None and cached.is_file():
            _link(cached, target)
        else:
            html = env.get_template(page.template).render(**common, **page.context(), root=root_of(page.path), page_path=page.path)
            target.write_text(html, "utf-8")
            if cached is not None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(target, cached)
        if cached is not None:
            used.add(cached.name)
        if page.lastmod:
            listed.append((page.path.removesuffix("index.html"), page.lastmod))
    if page_cache is not None and page_cache.is_dir():
        for old in page_cache.glob("*.html"):
            if old.name not in used:
                old.unlink(missing_ok=True)
    base_path = base_path_of(site.config.base_url)  # the 404 page is served at any depth
    (staging / "404.html").write_text(env.get_template("404.html").render(**common, root=base_path, page_path="404.html"), "utf-8")
    static = templates / "static"
    if static.is_dir():
        shutil.copytree(static, staging / "static", dirs_exist_ok=True)
    (staging / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {site.absolute('sitemap.xml')}\n", "utf-8")
    return listed
