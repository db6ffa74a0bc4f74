"""A small static server for the built site, on 127.0.0.1 only (previews and tests).

It serves the site under the path of its base URL (``/open-data-catalog/`` for a GitHub
Pages project site), as the real host will, so a preview also proves that the site works
from a sub-path; ``/`` redirects there, and unknown paths get the site's 404 page.
"""

from __future__ import annotations

import functools
import http.server
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under its base path; unknown paths get the site's 404 page."""

    extensions_map = {  # noqa: RUF012 - the base class declares it an instance variable
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".parquet": "application/vnd.apache.parquet",
        ".json": "application/json",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".svg": "image/svg+xml",
    }
    base_path = "/"
    ranges = True  # answer a single byte range with 206, as GitHub Pages and object storage do

    def end_headers(self) -> None:
        if self.ranges:
            self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def translate_path(self, path: str) -> str:
        clean = urlsplit(path).path
        if not clean.startswith(self.base_path):
            return str(Path(self.directory) / ".outside-the-base-path" / "missing")
        return super().translate_path("/" + clean[len(self.base_path) :])

    def _redirect_root(self) -> bool:
        if self.base_path != "/" and urlsplit(self.path).path in ("", "/"):
            self.send_response(302)
            self.send_header("Location", self.base_path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        return False

    def do_GET(self) -> None:
        if not self._redirect_root() and not self._send_range():
            super().do_GET()

    def _send_range(self) -> bool:
        """Answer ``Range: bytes=a-b`` (or ``a-``, ``-n``) for a file with only those bytes;
        False when the request is for anything else (the whole file is sent)."""
        header = self.headers.get("Range")
        match = _RANGE.fullmatch(header.strip()) if header and self.ranges else None
        path = Path(self.translate_path(self.path))
        if match is None or not path.is_file():
            return False
        size = path.stat().st_size
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        elif last:
            start, end = max(size - int(last), 0), size - 1
        else:
            return False
        if start >= size or start > end:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        with path.open("rb") as fh:
            fh.seek(start)
            left = end - start + 1
            while left > 0:
                chunk = fh.read(min(left, 1 << 20))
                if not chunk:
                    break
                self.wfile.write(chunk)
                left -= len(chunk)
        return True

    def do_HEAD(self) -> None:
        if not self._redirect_root():
            super().do_HEAD()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def log_message(self, format: str, *args: Any) -> None:  # quiet by default
        pass


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def make_server(
    site: Path, port: int = 8000, host: str = "127.0.0.1", base_path: str = "/", ranges: bool = True
) -> http.server.ThreadingHTTPServer:
    """A threading HTTP server for the built site at ``site``, on 127.0.0.1; ``ranges=False``
    answers every request with the whole file (as some hosts do)."""
    handler = functools.partial(
        type("SiteHandler", (Handler,), {"base_path": base_path, "ranges": ranges}),
        directory=str(site),
    )
    return http.server.ThreadingHTTPServer((host, port), handler)
