"""The public's journeys through the example site in a real browser."""

from __future__ import annotations

import json
import urllib.request

import pytest
from axe_playwright_python.sync_playwright import Axe
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page, expect

from browser.conftest import Served, Watch, screenshot, watch

MAP_SLUG = "lead-poisoning-per-1-000-children-tested-by-planning-region-latest-year"
PAGE_TYPES = {
    "home": "",
    "dataset": "datasets/dot/traffic-crashes-2023/",
    "restricted": "datasets/despp/state-police-incident-reports/",
    "list": "datasets/",
    "agency": "agencies/dot/",
    "category": "categories/transportation/",
    "categories": "categories/",
    "agencies": "agencies/",
    "search": "search/?q=traffic",
    "api": "api/",
    "changes": "changes/",
    "embed": "datasets/dot/hourly-traffic-counts/charts/vehicles-per-month-all-stations/",
    "not-found": "no/such/page/",
    "map": "datasets/dph/lead-poisoning-by-region/charts/" + MAP_SLUG + "/",
    "boundaries": "datasets/opm/ct-planning-regions/",
}


def results(page: Page) -> list[str]:
    page.wait_for_function(
        "() => (c => c && !c.textContent.startsWith('Searching'))"
        "(document.getElementById('search-count'))"
    )
    return page.locator("#search-results li h3 a").all_inner_texts()


def test_home_search_facet_dataset_downloads(page: tuple[Page, Watch], served: Served) -> None:
    p, w = page
    p.goto(served.url)
    p.get_by_label("Search 12 datasets").fill("traffic")
    p.get_by_role("button", name="Search").last.click()
    p.wait_for_url("**/search/?q=traffic")
    found = results(p)
    assert set(found) == {
        "Traffic Crashes, 2023",
        "Hourly Traffic Counts at Continuous Count Stations",
    }
    p.locator("fieldset.facet", has_text="Keyword").get_by_label("crashes (1)").check()
    p.wait_for_function("() => document.querySelectorAll('#search-results li').length === 1")
    assert "keyword=crashes" in p.url
    p.get_by_role("link", name="Traffic Crashes, 2023").click()
    expect(p.get_by_role("heading", level=1)).to_have_text("Traffic Crashes, 2023")
    for name in ("CSV", "Parquet", "JSON"):
        href = p.get_by_role("link", name=name, exact=True).get_attribute("href")
        with urllib.request.urlopen(
            served.url + "datasets/dot/traffic-crashes-2023/" + href
        ) as resp:
            body = resp.read()
            assert resp.status == 200 and len(body) > 1000
    package_href = p.get_by_role("link", name="datapackage.json").get_attribute("href")
    with urllib.request.urlopen(
        served.url + "datasets/dot/traffic-crashes-2023/" + package_href
    ) as resp:
        assert json.loads(resp.read())["resources"][0]["path"] == "crashes.csv"
    assert w.clean(), (w.errors, w.foreign, w.failed)


def test_search_ranks_facets_and_sorts(page: tuple[Page, Watch], served: Served) -> None:
    p, w = page
    p.goto(served.url + "search/?q=deaths")
    assert results(p)[0] in ("Drug Overdose Deaths by Town", "Death Certificate Records")
    # archived datasets are excluded by default and included on request
    p.goto(served.url + "search/?q=revenue+sharing")
    assert results(p) == []
    p.get_by_label("Include archived datasets").check()
    p.wait_for_function("() => document.querySelectorAll('#search-results li').length > 0")
    assert results(p) == ["Municipal Revenue Sharing Grants, 2012–2017"]
    # column names and descriptions are searchable
    p.goto(served.url + "search/?q=icu_admissions")
    assert results(p) == ["Weekly Respiratory Illness Hospitalizations"]
    # no query, two agencies selected (multi-select is OR within a facet), sorted by title
    p.goto(
        served.url
        + "search/?agency=Department+of+Transportation"
        + "&agency=Office+of+Policy+and+Management&sort=title"
    )
    assert results(p) == [
        "Connecticut Planning Regions (Boundaries)",
        "Hourly Traffic Counts at Continuous Count Stations",
        "Town Population Estimates",
        "Traffic Crashes, 2023",
    ]
    counts = p.locator("fieldset.facet", has_text="Category").inner_text()
    assert "Transportation (2)" in counts
    # an agency facet keeps offering the other agencies (disjunctive counts)
    assert (
        "Department of Public Health (4)"
        in p.locator("fieldset.facet", has_text="Agency").inner_text()
    )
    expect(p.locator("#search-more")).to_be_hidden()
    assert w.clean(), (w.errors, w.foreign, w.failed)


def test_keyboard_only_search_and_facets(page: tuple[Page, Watch], served: Served) -> None:
    p, w = page
    p.goto(served.url + "search/")
    results(p)
    p.locator("#search-q").focus()
    p.keyboard.type("enrollment")
    p.keyboard.press("Enter")
    p.wait_for_function("() => document.querySelectorAll('#search-results li').length === 1")
    # Tab to the first facet checkbox and toggle it with the space bar
    for _ in range(40):
        p.keyboard.press("Tab")
        if p.evaluate(
            "document.activeElement && document.activeElement.type === 'checkbox' && "
            "document.activeElement.name === 'agency'"
        ):
            break
    else:
        pytest.fail("no facet checkbox reachable by Tab")
    p.keyboard.press("Space")
    p.wait_for_function("() => new URLSearchParams(location.search).has('agency')")
    assert p.evaluate("document.activeElement.checked") is True
    # keep tabbing: the result link is reachable and opens with Enter
    for _ in range(60):
        p.keyboard.press("Tab")
        if p.evaluate(
            "document.activeElement && document.activeElement.closest('#search-results') !== null"
        ):
            break
    p.keyboard.press("Enter")
    expect(p.get_by_role("heading", level=1)).to_have_text(
        "Public School Enrollment by District and Grade"
    )
    assert w.clean(), (w.errors, w.foreign, w.failed)


def test_browsing_works_without_javascript(browser: Browser, served: Served) -> None:
    context = browser.new_context(java_script_enabled=False)
    p = context.new_page()
    p.goto(served.url + "search/")
    assert (
        "Search needs JavaScript" in p.locator("noscript").inner_text()
        or p.get_by_text("Search needs JavaScript").count()
    )
    p.goto(served.url)
    p.get_by_role("link", name="Transportation 2", exact=True).click()
    p.get_by_role("link", name="Traffic Crashes, 2023").click()
    assert p.locator("figure.chart img").first.evaluate(
        "img => img.complete && img.naturalWidth > 0"
    )
    p.goto(served.url + "datasets/")
    assert p.locator("ul.cards li").count() == 12
    context.close()


def test_embed_loads_inside_an_iframe_of_another_page(
    browser: Browser, served: Served, tmp_path_factory: pytest.TempPathFactory
) -> None:
    import threading

    from catalog.commands.serve import make_server

    other = tmp_path_factory.mktemp("other-site")
    # the embed code exactly as a reader copies it from the dataset page
    page = BeautifulSoup(
        (served.root / PAGE_TYPES["dataset"] / "index.html").read_text(), "html.parser"
    )
    snippet = page.select_one("details.embed code").get_text()
    assert snippet.startswith('<iframe src="http') and snippet.endswith("></iframe>")
    snippet = snippet.replace(
        "https://example.github.io/open-data-catalog/", served.url
    )  # the site as served here
    (other / "index.html").write_text(
        '<!doctype html><html lang="en"><title>Blog</title><link rel="icon" href="data:,"><h1>My '
        f"post</h1>{snippet}"
    )
    server = make_server(other, port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        context = browser.new_context()
        p = context.new_page()
        w = watch(p)
        p.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        frame = p.frame_locator("iframe")
        expect(frame.locator(".chart-view.interactive svg").first).to_be_visible(
            timeout=15_000
        )  # the Vega runtime took over
        assert frame.locator(".embed-source a").first.get_attribute("target") == "_top"
        screenshot(p, "embed-in-iframe")
        assert w.clean(), (w.errors, w.foreign, w.failed)
        context.close()
    finally:
        server.shutdown()
        server.server_close()


def test_chart_table_matches_chart(page: tuple[Page, Watch], served: Served) -> None:
    p, _ = page
    p.goto(served.url + PAGE_TYPES["embed"])
    spec = json.loads(
        urllib.request.urlopen(
            served.url
            + "datasets/dot/hourly-traffic-counts/charts/vehicles-per-month-all-stations.vl.json"
        ).read()
    )
    p.get_by_text("Data table for this chart").click()
    rows = p.locator("table.chart-table tbody tr").all_inner_texts()
    assert len(rows) == len(spec["data"]["values"]) == 12


@pytest.mark.parametrize("name", sorted(PAGE_TYPES))
def test_every_page_type_is_clean_and_accessible(
    page: tuple[Page, Watch], served: Served, name: str
) -> None:
    p, w = page
    p.goto(served.url + PAGE_TYPES[name])
    if name == "search":
        results(p)
    if name in ("embed", "dataset", "map", "boundaries"):
        p.wait_for_selector(".chart-view.interactive", timeout=15_000)
    screenshot(p, name)
    violations = Axe().run(p).response["violations"]
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    if (
        name == "not-found"
    ):  # the page itself answers 404, which Chromium logs; nothing else may fail
        w.errors = [e for e in w.errors if not e.endswith("@ " + p.url)]
    assert w.clean(), (w.errors, w.foreign, w.failed)


def test_mobile_journey(browser: Browser, served: Served) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    p = context.new_page()
    w = watch(p)
    p.goto(served.url)
    p.get_by_label("Search 12 datasets").fill("population")
    p.get_by_label("Search 12 datasets").press("Enter")
    assert results(p) == ["Town Population Estimates"]
    p.get_by_role("link", name="Town Population Estimates").tap()
    expect(p.get_by_role("heading", level=1)).to_have_text("Town Population Estimates")
    width = p.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    screenshot(p, "mobile-dataset")
    assert w.clean(), (w.errors, w.foreign, w.failed)
    context.close()


def test_search_results_show_the_same_card_as_the_lists(
    page: tuple[Page, Watch], served: Served
) -> None:
    """One card markup: a search result's card and the A–Z page's card of the same
    restricted dataset have the same parts, badge and line of facts."""
    p, w = page
    p.goto(served.url + "datasets/")
    listed = p.locator("li.card", has_text="State Police Incident Reports")
    badge = listed.locator(".badge.restricted").inner_text()
    facts = listed.locator(".meta").inner_text()
    p.goto(served.url + "search/?q=incident")
    results(p)
    found = p.locator("#search-results li.card", has_text="State Police Incident Reports")
    assert found.locator(".badge.restricted").inner_text() == badge == "Restricted public"
    assert found.locator(".meta").inner_text() == facts
    assert found.get_attribute("data-category") == listed.get_attribute("data-category")
    assert w.clean(), w


def test_content_security_policy_blocks_injected_script(
    page: tuple[Page, Watch], served: Served
) -> None:
    """Every page carries a CSP that Chromium enforces: an inline script put into the page
    does not run (and is reported), while the site's own scripts and charts work."""
    p, w = page
    pages = sorted(served.root.rglob("*.html"))
    assert len(pages) > 20
    for html in pages:
        doc = BeautifulSoup(html.read_text("utf-8"), "html.parser")
        meta = doc.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        csp = str(meta["content"]) if meta else ""
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, html
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, html
    p.goto(served.url + PAGE_TYPES["dataset"])
    p.wait_for_selector(".chart-view.interactive", timeout=15_000)
    assert w.clean(), (w.errors, w.foreign, w.failed)
    p.evaluate(
        """() => {
        window.injected = false;
        const s = document.createElement("script");
        s.textContent = "window.injected = true";
        document.body.appendChild(s);
        const d = document.createElement("div");
        d.setAttribute("style", "color: red");
        document.body.appendChild(d);
    }"""
    )
    assert p.evaluate("() => window.injected") is False
    assert any("inline script" in e and "Content Security Policy" in e for e in w.errors)
    assert any("inline style" in e for e in w.errors)


def test_chart_tooltips_work_under_the_policy(page: tuple[Page, Watch], served: Served) -> None:
    p, w = page
    p.goto(served.url + PAGE_TYPES["embed"])
    p.wait_for_selector(".chart-view.interactive svg", timeout=15_000)
    tooltip = p.locator("#vg-tooltip-element")
    mark = p.locator(".vega-target svg .mark-rect path, .vega-target svg .mark-symbol path")
    mark.first.hover()
    expect(tooltip).to_be_visible(timeout=5_000)
    assert tooltip.inner_text().strip()
    p.locator(".embed-source").hover()  # off the chart: hidden by style.css's rules
    expect(tooltip).to_be_hidden(timeout=5_000)
    assert w.clean(), (w.errors, w.foreign, w.failed)


def test_a_choropleth_is_interactive_offline_and_names_each_area(
    page: tuple[Page, Watch], served: Served
) -> None:
    """The map's spec carries its shapes and values inline: the page's Vega runtime draws
    the nine regions with nothing fetched but the site's own files, and hovering a region
    names it and its value (or says it is suppressed)."""
    p, w = page
    p.goto(served.url + PAGE_TYPES["map"])
    p.wait_for_selector(".chart-view.interactive svg", timeout=15_000)
    shapes = p.locator(".vega-target svg .mark-shape path")
    assert shapes.count() == 9
    spec = json.loads(
        urllib.request.urlopen(
            served.url + "datasets/dph/lead-poisoning-by-region/charts/" + MAP_SLUG + ".vl.json"
        ).read()
    )
    text = json.dumps(spec)
    assert "http" not in text.replace("https://vega.github.io/schema/vega-lite/", "")
    tips = set()
    tooltip = p.locator("#vg-tooltip-element")
    for i in range(9):
        shapes.nth(i).hover(force=True)
        expect(tooltip).to_be_visible(timeout=5_000)
        tips.add(tooltip.inner_text().strip())
    assert any("Northwest Hills" in t and "Suppressed" in t for t in tips), tips
    assert any("Western Connecticut" in t and "8.51" in t for t in tips), tips
    p.get_by_text("Data table for this chart").click()
    rows = p.locator("table.chart-table tbody tr").all_inner_texts()
    assert len(rows) == 9 and "Northwest Hills\tSuppressed" in rows
    assert w.clean(), (w.errors, w.foreign, w.failed)
