"""Fixtures for the tools tests: the first-party packs (loaded the way plugins are) and a
real HTTP server on 127.0.0.1 for the SSRF and fetch tests."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from typing import Any

import pytest

from gemma_agents.tools import load_pack


@pytest.fixture(scope="session")
def packs() -> dict[str, ModuleType]:
    """Every first-party pack module, loaded by path like any plugin."""
    return {
        name: load_pack(name)
        for name in ("calculator", "clock", "http_fetch", "files", "shell", "memory")
    }


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Handler(BaseHTTPRequestHandler):
    server_version = "TestHTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def _send(
        self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.requests.append(("GET", self.path, dict(self.headers)))  # type: ignore[attr-defined]
        port = self.server.server_address[1]
        if self.path == "/page":
            html = (
                "<html><head><title>Test page</title><style>p{color:red}</style>"
                "<script>alert('x')</script></head><body><h1>Hello</h1>"
                "<p>Some <b>bold</b> text and a <a href='/docs/a'>relative link</a>.</p>"
                "<ul><li>one</li><li>two</li></ul></body></html>"
            )
            self._send(200, html.encode(), "text/html; charset=utf-8")
        elif self.path == "/json":
            self._send(200, b'{"b": [1, 2], "a": "x"}', "application/json")
        elif self.path == "/secret":
            self._send(200, b"TOP SECRET", "text/plain")
        elif self.path == "/redirect-to-secret":
            self._send(302, b"", "text/plain", {"Location": f"http://127.0.0.1:{port}/secret"})
        elif self.path == "/redirect-local":
            self._send(301, b"", "text/plain", {"Location": "/json"})
        elif self.path == "/loop":
            self._send(302, b"", "text/plain", {"Location": "/loop"})
        elif self.path == "/echo-host":
            self._send(200, self.headers.get("Host", "").encode(), "text/plain")
        elif self.path == "/big":
            self._send(200, b"x" * 3_000_000, "text/plain")
        elif self.path == "/binary":
            self._send(200, bytes(range(256)) * 4, "image/png")
        else:
            self._send(404, b"not found", "text/plain")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self.server.requests.append(("POST", self.path, dict(self.headers)))  # type: ignore[attr-defined]
        if self.path == "/post-redirect":
            self._send(303, b"", "text/plain", {"Location": "/json"})
            return
        reply = {"received": body.decode(), "type": self.headers.get("Content-Type")}
        self._send(200, json.dumps(reply).encode(), "application/json")


@pytest.fixture(scope="module")
def http_server() -> Iterator[ThreadingHTTPServer]:
    """A real HTTP server on 127.0.0.1 (a free port); ``.requests`` records what arrived."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
