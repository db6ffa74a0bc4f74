"""The explorer in Chromium: filters, sorts, groups and pages over all rows of a published
resource; the view lives in the address; the download holds exactly the rows shown, byte
for byte as published; it works by keyboard alone, passes axe, fetches only from the local
origins, and treats odd names and hostile cells as text."""

from __future__ import annotations

import re
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import CatalogMaker, dataset_yaml
from playwright.sync_api import Browser, Page

from catalog.commands.serve import make_server
from catalog.site.build import build

from .conftest import Served, Watch, screenshot, watch

CRASHES = "datasets/dot/traffic-crashes-2023/"


def records(data: bytes) -> list[bytes]:
    """A CSV's records as bytes (line endings kept), split only outside quotes."""
    out, start, quoted = [], 0, False
    for i, b in enumerate(data):
        if b == 0x22:
            quoted = not quoted
        elif b == 0x0A and not quoted:
            out.append(data[start : i + 1])
            start = i + 1
    if start < len(data):
        out.append(data[start:])
    return out


def settle(p: Page) -> str:
    """Wait for the explorer to finish its work; its row count."""
    p.wait_for_selector(".explorer[data-ms]:not([aria-busy])", timeout=60_000)
    return p.inner_text(".explorer-count")


def open_explorer(p: Page, url: str) -> str:
    p.goto(url)
    p.get_by_role("button", name=re.compile("Explore all rows")).click()
    return settle(p)


def test_filter_sort_and_download_exactly_those_rows(
    page: tuple[Page, Watch], served: Served
) -> None:
    p, w = page
    assert open_explorer(p, served.url + CRASHES) == "6,000 of 6,000 rows"
    assert p.locator(".explorer-table tbody tr").count() == 50
    assert p.locator("table.preview:not(.explorer-table)").is_hidden()  # the table replaces it
    # collision type is one of two values, picked from the list with their counts
    p.locator(".explorer").get_by_label("Column", exact=True).select_option(label="collision_type")
    p.locator(".explorer").get_by_label("Rows where it").select_option("in")
    p.locator(".explorer").get_by_label(re.compile(r"^ Rear-end \(\d")).check()
    p.locator(".explorer").get_by_label(re.compile(r"^ Angle \(\d")).check()
    p.get_by_role("button", name="Add filter").click()
    settle(p)
    # and injuries from 1 to 3
    p.locator(".explorer").get_by_label("Column", exact=True).select_option(label="injuries")
    p.locator(".explorer").get_by_label("Rows where it").select_option("range")
    p.locator(".explorer").get_by_role("textbox", name="from").fill("1")
    p.locator(".explorer").get_by_role("textbox", name="to").fill("3")
    p.get_by_role("button", name="Add filter").click()
    settle(p)
    # newest first: the header's button sorts ascending, then descending
    p.get_by_role("button", name="crash_datetime: sort ascending").click()
    settle(p)
    p.get_by_role("button", name="crash_datetime: sort descending").click()
    count = settle(p)
    assert p.get_attribute("th[aria-sort]", "aria-sort") == "descending"

    df = pd.read_parquet(served.root / CRASHES / "crashes.parquet")
    want = df[df["collision_type"].isin(["Rear-end", "Angle"]) & df["injuries"].between(1, 3)]
    want = want.sort_values("crash_datetime", ascending=False, kind="stable", na_position="last")
    assert count == f"{len(want):,} of 6,000 rows match"
    shown = p.locator(".explorer-table tbody tr td:first-child").all_inner_texts()
    assert shown == list(want["crash_id"][:50])

    with p.expect_download() as got:
        p.get_by_role("button", name="Download these rows (CSV)").click()
    published = records((served.root / CRASHES / "crashes.csv").read_bytes())
    expected = published[0] + b"".join(published[1 + i] for i in want.index)
    assert Path(got.value.path()).read_bytes() == expected

    # the view is in the address: opening it restores the same view
    link = p.url
    assert "explore=crashes" in urllib.parse.unquote(link)
    p.goto("about:blank")
    p.goto(link)
    assert settle(p) == count
    assert p.get_attribute("th[aria-sort]", "aria-sort") == "descending"
    assert p.locator(".explorer-filters li").count() == 2
    assert p.locator(".explorer-table tbody tr td:first-child").all_inner_texts() == shown
    code = p.locator(".explorer-snippets")
    code.locator("summary").click()
    assert 'df["collision_type"].isin(["Rear-end", "Angle"])' in code.inner_text()
    assert w.clean(), (w.errors, w.foreign, w.failed)


def test_group_page_and_download_the_groups(page: tuple[Page, Watch], served: Served) -> None:
    p, w = page
    open_explorer(p, served.url + CRASHES)
    p.locator(".explorer").get_by_label("Group by").select_option("town")
    p.locator(".explorer").get_by_label("count, sum and mean of").select_option("injuries")
    p.get_by_role("button", name="Apply").click()
    count = settle(p)
    df = pd.read_parquet(served.root / CRASHES / "crashes.parquet")
    groups = df.groupby("town", dropna=False).agg(
        rows=("town", "size"), sum=("injuries", "sum"), mean=("injuries", "mean")
    )
    groups = groups.reset_index().sort_values("rows", ascending=False, kind="stable")
    assert count == f"{len(groups):,} groups of 6,000 rows"
    first = p.locator(".explorer-table tbody tr").first.locator("td").all_inner_texts()
    assert first[:3] == [
        groups["town"].iloc[0],
        f"{groups['rows'].iloc[0]:,}",
        f"{groups['sum'].iloc[0]:,}",
    ]
    if len(groups) > 50:
        p.get_by_role("button", name="Next").click()
        settle(p)
        assert (
            p.locator(".explorer-table tbody tr td:first-child").first.inner_text()
            == groups["town"].iloc[50]
        )
    with p.expect_download() as got:
        p.get_by_role("button", name="Download these rows (CSV)").click()
    lines = Path(got.value.path()).read_text("utf-8").splitlines()
    assert lines[0] == "town,rows,sum of injuries,mean of injuries"
    assert len(lines) == len(groups) + 1
    town, rows, total, _ = lines[1].split(",")
    assert (town, int(rows), float(total)) == (
        groups["town"].iloc[0],
        groups["rows"].iloc[0],
        groups["sum"].iloc[0],
    )
    assert w.clean(), (w.errors, w.foreign, w.failed)


def test_keyboard_only(page: tuple[Page, Watch], served: Served) -> None:
    p, _ = page
    p.goto(served.url + CRASHES)
    for _ in range(200):  # Tab through the page to the explorer's button
        p.keyboard.press("Tab")
        if p.evaluate("document.activeElement.className") == "explore-open":
            break
    else:
        pytest.fail("the explorer's button is not reachable by Tab")
    p.keyboard.press("Enter")
    settle(p)
    assert p.evaluate("document.activeElement.textContent") == "Explore all rows"
    for _ in range(40):  # on to the sort button of the first column
        p.keyboard.press("Tab")
        if p.evaluate("document.activeElement.getAttribute('aria-label') || ''").startswith(
            "crash_id: sort"
        ):
            break
    else:
        pytest.fail("the column headers' sort buttons are not reachable by Tab")
    p.keyboard.press("Enter")
    settle(p)
    assert p.get_attribute("th[aria-sort]", "aria-sort") == "ascending"
    # focus stays on the header just used
    assert (
        p.evaluate("document.activeElement.getAttribute('aria-label')")
        == "crash_id: sort descending"
    )


def test_explorer_passes_axe_and_fetches_only_locally(
    page: tuple[Page, Watch], served: Served
) -> None:
    p, w = page
    open_explorer(p, served.url + CRASHES)
    p.locator(".explorer").get_by_label("Column", exact=True).select_option(label="town")
    p.locator(".explorer").get_by_label("Rows where it").select_option("contains")
    p.locator(".explorer").get_by_label("Text").fill("hart")
    p.get_by_role("button", name="Add filter").click()
    settle(p)
    p.locator(".explorer-snippets summary").click()
    screenshot(p, "explorer")
    violations = Axe().run(p).response["violations"]
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert w.clean(), (w.errors, w.foreign, w.failed)


def test_before_it_is_opened_a_page_loads_only_a_small_script(
    browser: Browser, served: Served
) -> None:
    context = browser.new_context()
    p = context.new_page()
    fetched: list[str] = []
    p.on("request", lambda r: fetched.append(r.url))
    p.goto(served.url + CRASHES)
    p.wait_for_load_state("networkidle")
    assert any(u.endswith("static/explore.js") for u in fetched)
    assert not [
        u
        for u in fetched
        if "/explorer/" in u or "/vendor/" in u or u.endswith((".parquet", ".csv"))
    ]
    context.close()


def test_without_javascript_the_static_preview_stays(browser: Browser, served: Served) -> None:
    context = browser.new_context(java_script_enabled=False)
    p = context.new_page()
    p.goto(served.url + CRASHES)
    assert p.locator("table.preview tbody tr").count() == 100
    assert p.locator("button.explore-open").count() == 0
    context.close()


# --- odd resources ----------------------------------------------------------------------

ODD_NAMES = ["id", "town name", 'say "hi"', "naïve ✓", "__proto__", "constructor", "<b>x</b>"]
PAYLOAD = '<img src=x onerror="window.pwned=1">'


@pytest.fixture(scope="module")
def odd_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("odd")
    make = CatalogMaker(root / "catalog")
    fields = [{"name": n, "type": "integer" if n == "id" else "string"} for n in ODD_NAMES]
    rows = "".join(
        f'{i},Hartford,"{PAYLOAD.replace(chr(34), chr(34) * 2)}",n,x{i},c,y\n'
        for i in range(1, 121)
    )
    header = ",".join('"say ""hi"""' if n == 'say "hi"' else n for n in ODD_NAMES)
    make.dataset("dot/odd", csv=header + "\n" + rows, meta=_meta("Odd names", fields))
    make.dataset(
        "dot/one",
        csv="n\n" + "".join(f"{i}\n" for i in range(5)),
        meta=_meta("One column", [{"name": "n", "type": "integer"}]),
    )
    make.dataset(
        "dot/empty",
        csv="a,b\n",
        meta=_meta("No rows", [{"name": "a", "type": "string"}, {"name": "b", "type": "integer"}]),
    )
    wide = [{"name": f"c{k:03d}", "type": "integer"} for k in range(300)]
    make.dataset(
        "dot/wide",
        csv=",".join(f["name"] for f in wide)
        + "\n"
        + "".join(",".join(str(r * k) for k in range(300)) + "\n" for r in range(60)),
        meta=_meta("Three hundred columns", wide),
    )
    build(make.root, root / "site", cache_dir=root / "cache", jobs=1, search=False)
    server = make_server(root / "site", port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _meta(title: str, fields: list[dict[str, str]]) -> dict[str, object]:
    meta = dataset_yaml(title=title)
    meta["resources"][0]["schema"] = {"fields": fields}
    return meta


def test_odd_names_and_hostile_cells_are_text(page: tuple[Page, Watch], odd_site: str) -> None:
    p, w = page
    dialogs: list[str] = []
    p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    assert open_explorer(p, odd_site + "datasets/dot/odd/") == "120 of 120 rows"
    headers = p.locator(".explorer-table thead th").all_inner_texts()
    assert headers == ODD_NAMES
    assert p.locator(".explorer-table tbody td").nth(2).inner_text() == PAYLOAD
    assert p.locator(".explorer-table img, .explorer-table b").count() == 0
    # filter and sort on the odd columns
    p.locator(".explorer").get_by_label("Column", exact=True).select_option(label="__proto__")
    p.locator(".explorer").get_by_label("Rows where it").select_option("contains")
    p.locator(".explorer").get_by_label("Text").fill("x1")
    p.get_by_role("button", name="Add filter").click()
    assert settle(p) == "32 of 120 rows match"  # x1, x10–x19, x100–x120
    p.get_by_role("button", name='say "hi": sort ascending').click()
    settle(p)
    # a link naming columns that are not there, or not read at all, is said and ignored
    p.goto(
        odd_site
        + "datasets/dot/odd/#explore=data&q="
        + '{"f":[["gone","contains","x"]],"s":["constructor","desc"]}'
    )
    settle(p)
    assert (
        'Ignored from the link: a filter: column "gone" is not in this resource.'
        in p.inner_text(".explorer-note")
    )
    assert p.get_attribute("th[aria-sort]", "aria-sort") == "descending"
    p.goto("about:blank")
    p.goto(odd_site + "datasets/dot/odd/#explore=data&q=%7B%22f%22%3A")
    settle(p)
    assert "could not be read" in p.inner_text(".explorer-note")
    assert p.evaluate("window.pwned") is None and dialogs == []
    assert w.clean(), (w.errors, w.foreign, w.failed)


@pytest.mark.parametrize(
    ("path", "count", "columns"),
    [("one", "5 of 5 rows", 1), ("empty", "0 of 0 rows", 2), ("wide", "60 of 60 rows", 300)],
)
def test_small_empty_and_wide_resources(
    page: tuple[Page, Watch], odd_site: str, path: str, count: str, columns: int
) -> None:
    p, w = page
    assert open_explorer(p, odd_site + f"datasets/dot/{path}/") == count
    assert p.locator(".explorer-table thead th").count() == columns
    p.locator(".explorer").get_by_label("Group by").select_option(index=1)
    p.get_by_role("button", name="Apply").click()
    assert "groups of" in settle(p)
    assert w.clean(), (w.errors, w.foreign, w.failed)


def test_a_host_without_ranges_still_works(browser: Browser, served: Served) -> None:
    server = make_server(served.root, port=0, base_path="/open-data-catalog/", ranges=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        p = browser.new_page()
        w = watch(p)
        url = f"http://127.0.0.1:{server.server_address[1]}/open-data-catalog/{CRASHES}"
        assert open_explorer(p, url) == "6,000 of 6,000 rows"
        p.get_by_role("button", name="town: sort ascending").click()
        settle(p)
        assert w.clean(), (w.errors, w.foreign, w.failed)
        p.close()
    finally:
        server.shutdown()
        server.server_close()
