"""Browser tests: the built example site served on 127.0.0.1, driven in Debian's Chromium
through Playwright. Every page is watched for console errors and for requests to any host
other than the local server; screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import REPO
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from catalog.commands.serve import make_server

ARTIFACTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = pytest.mark.browser


def chromium_path() -> str:
    path = (
        os.environ.get("CATALOG_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path:
        pytest.fail(
            "Chromium is not installed: `./run test` installs Debian's chromium package "
            "(apt-get install chromium)"
        )
    return path


@dataclass
class Served:
    url: str
    root: Path


@pytest.fixture(scope="session")
def served(example: Path) -> Iterator[Served]:
    # served under the base URL's path, as on GitHub Pages: proves the sub-path works
    server = make_server(example, port=0, base_path="/open-data-catalog/")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Served(f"http://127.0.0.1:{server.server_address[1]}/open-data-catalog/", example)
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True
    )
    yield browser
    browser.close()


@dataclass
class Watch:
    """What a page did that it must not: console errors, requests leaving 127.0.0.1."""

    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def clean(self) -> bool:
        return not (self.errors or self.foreign or self.failed)


def watch(page: Page) -> Watch:
    w = Watch()
    page.on(
        "console",
        lambda m: (
            w.errors.append(f"{m.type}: {m.text} @ {m.location.get('url', '')}")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: w.errors.append(f"pageerror: {e}"))

    def on_request(req) -> None:  # type: ignore[no-untyped-def]
        host = urlparse(req.url).hostname
        if req.url.startswith(("data:", "blob:", "about:")):
            return
        if host not in ("127.0.0.1",):
            w.foreign.append(req.url)

    page.on("request", on_request)

    def on_failed(req) -> None:  # type: ignore[no-untyped-def]
        # Chromium cancels a page's pending favicon fetch when the page navigates or closes
        # (net::ERR_ABORTED): the browser's own doing, not a failure of the site
        if req.url.endswith("/favicon.svg") and req.failure == "net::ERR_ABORTED":
            return
        w.failed.append(f"{req.url} ({req.failure})")

    page.on("requestfailed", on_failed)
    return w


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, Watch]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
    p = context.new_page()
    w = watch(p)
    yield p, w
    context.close()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
