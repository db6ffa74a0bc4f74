"""What the browser benchmarks share: the built site served on 127.0.0.1 and Debian's
Chromium started headless with the flags this machine needs."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Playwright

from catalog.commands.serve import make_server

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--enable-precise-memory-info",  # performance.memory in whole bytes
]


@contextmanager
def served(site: Path, base_path: str = "/", ranges: bool = True) -> Iterator[str]:
    """The site's address while it is served (under ``base_path``)."""
    server = make_server(site, port=0, base_path=base_path, ranges=ranges)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{base_path}"
    finally:
        server.shutdown()
        server.server_close()


def chromium(p: Playwright) -> Browser:
    return p.chromium.launch(
        executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=FLAGS
    )
