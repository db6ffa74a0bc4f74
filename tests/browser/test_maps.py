"""A map of hundreds of areas, whose Vega-Lite file links its shapes, in a real browser."""

from __future__ import annotations

import threading
from pathlib import Path

from conftest import CatalogMaker
from playwright.sync_api import Page, expect
from test_maps import add_towns, deaths_csv, deaths_meta, town_names

from browser.conftest import Watch
from catalog.commands.serve import make_server
from catalog.site.build import build


def test_a_map_with_linked_shapes_is_interactive_under_a_sub_path(
    make: CatalogMaker, tmp_path: Path, page: tuple[Page, Watch]
) -> None:
    """The page's runtime reads the 900 areas' TopoJSON from the boundary dataset, relative
    to the spec's folder, under the site's sub-path and its Content-Security-Policy."""
    add_towns(make, side=30, detail=8)
    values = {n: str(i + 10) for i, n in enumerate(town_names(900)) if i % 3}
    make.dataset("dph/deaths", csv=deaths_csv(values), meta=deaths_meta())
    build(make.root, tmp_path / "site", search=False)
    server = make_server(tmp_path / "site", port=0, base_path="/catalog/")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    p, w = page
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/catalog/"
        for path in ("datasets/dph/deaths/", "datasets/dph/deaths/charts/overdose-deaths-by-town/"):
            p.goto(base + path)
            p.wait_for_selector(".chart-view.interactive svg", timeout=30_000)
            shapes = p.locator(".vega-target svg .mark-shape path")
            expect(shapes).to_have_count(900, timeout=15_000)
        assert w.clean(), (w.errors, w.foreign, w.failed)
    finally:
        server.shutdown()
        server.server_close()
