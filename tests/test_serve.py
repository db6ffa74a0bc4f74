"""The preview server: the site under its base path, the 404 page, nothing outside."""

from __future__ import annotations

import http.client
import threading
from pathlib import Path

from catalog.commands.serve import make_server


def test_serves_under_the_base_path(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("home")
    (tmp_path / "404.html").write_text("not here")
    server = make_server(tmp_path, port=0, base_path="/catalog/")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]

        def ask(method: str, path: str) -> tuple[int, str, bytes]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request(method, path)
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            return resp.status, resp.getheader("Location") or "", body

        assert ask("GET", "/") == (302, "/catalog/", b"")
        assert ask("HEAD", "/")[:2] == (302, "/catalog/")
        assert ask("GET", "/catalog/") == (200, "", b"home")
        assert ask("HEAD", "/catalog/")[0] == 200
        assert ask("GET", "/catalog/nope/") == (404, "", b"not here")
        assert ask("GET", "/index.html") == (404, "", b"not here")  # outside the base path
        assert ask("HEAD", "/elsewhere")[0] == 404
        assert ask("GET", "/catalog/../../etc/passwd")[0] == 404
    finally:
        server.shutdown()
        server.server_close()
