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


def test_answers_byte_ranges_as_static_hosts_do(tmp_path: Path) -> None:
    data = bytes(range(256)) * 40
    (tmp_path / "data.parquet").write_bytes(data)
    servers = [make_server(tmp_path, port=0), make_server(tmp_path, port=0, ranges=False)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:

        def ask(which: int, header: str) -> tuple[int, str, bytes]:
            port = servers[which].server_address[1]
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/data.parquet", headers={"Range": header} if header else {})
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            return resp.status, resp.getheader("Content-Range") or "", body

        size = len(data)
        assert ask(0, "bytes=10-19") == (206, f"bytes 10-19/{size}", data[10:20])
        assert ask(0, "bytes=10000-") == (206, f"bytes 10000-{size - 1}/{size}", data[10000:])
        assert ask(0, "bytes=-8") == (206, f"bytes {size - 8}-{size - 1}/{size}", data[-8:])
        assert ask(0, "bytes=10-999999") == (206, f"bytes 10-{size - 1}/{size}", data[10:])
        assert ask(0, f"bytes={size}-")[:2] == (416, f"bytes */{size}")
        assert ask(0, "bytes=1-2,5-6") == (200, "", data)  # several ranges: the whole file
        assert ask(0, "") == (200, "", data)
        assert ask(1, "bytes=10-19") == (200, "", data)  # a host without ranges
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
