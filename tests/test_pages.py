"""Page contexts: every page template is given one typed context, built in Python, and
renders with it (StrictUndefined: a name the context lacks is an error)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from conftest import REPO

from catalog.load.loader import load_catalog
from catalog.site.entries import assemble
from catalog.site.history import Version
from catalog.site.package import DatasetOutput
from catalog.site.pages import TEMPLATE_CONTEXTS, NotFoundPage
from catalog.site.render import TEMPLATES, environment, pages, root_of

PARTIALS = {"base.html", "_macros.html", "_chart.html"}


def test_every_page_template_has_a_context_type() -> None:
    files = {p.name for p in TEMPLATES.glob("*.html")} - PARTIALS
    assert files == set(TEMPLATE_CONTEXTS)


def test_every_template_renders_with_its_context_type(example: Path) -> None:
    """The example catalog's pages, contexts built from its outputs (the build's cache)."""
    catalog = load_catalog(REPO).catalog
    outputs = {}
    for ds in catalog.datasets:
        manifest = example.parent / "cache" / "datasets" / ds.id / ".output.json"
        if manifest.is_file():
            outputs[ds.id] = DatasetOutput.from_json(json.loads(manifest.read_text("utf-8")))
    site = assemble(catalog, outputs, 1735689600)
    # one dataset with versions, whatever the depth of this clone's history
    version = Version(
        "1.1.0", "c" * 40, "2025-01-01T00:00:00Z", "Monthly update", "minor", None, (), (),
        ({"resource": "data", "format": "csv", "bytes": 10, "sha256": "a" * 64},),
    )  # fmt: skip
    first = dataclasses.replace(site.entries[0], versions=(version,))
    site = dataclasses.replace(site, entries=(first, *site.entries[1:]))
    env = environment()
    rendered: dict[str, int] = {}
    for page in pages(site):
        context = page.context()
        assert isinstance(context, TEMPLATE_CONTEXTS[page.template]), page.path
        html = env.get_template(page.template).render(
            site=site,
            config=site.config,
            page=context,
            root=root_of(page.path),
            page_path=page.path,
        )
        assert html.startswith("<!doctype html>")
        rendered[page.template] = rendered.get(page.template, 0) + 1
    html = env.get_template("404.html").render(
        site=site, config=site.config, page=NotFoundPage(), root="/", page_path="404.html"
    )
    assert "Page not found" in html
    assert set(rendered) == set(TEMPLATE_CONTEXTS) - {"404.html"}
    assert rendered["dataset.html"] == len(site.entries) and rendered["embed.html"] >= 5
