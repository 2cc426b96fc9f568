"""A local HTTP server that speaks Ollama's ``/api/*`` protocol, for wire-level tests.

No Ollama binary is needed: the real ``ollama`` client (and anything else speaking HTTP)
talks to a real socket on 127.0.0.1 and gets the documented JSON and NDJSON shapes, the
real error bodies (404 for a model not pulled, 400 for tools on a model without them, an
``{"error"}`` line mid-stream) and real timing fields in nanoseconds. Faults are injected
per path so retry, timeout and fallback code is exercised against the network, not mocks.

Example:
    >>> with FakeOllama() as server:                                # doctest: +SKIP
    ...     server.chat_handler = lambda body: FakeReply(content="hi")
    ...     ollama.Client(host=server.url).chat("gemma3:4b", [...])
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from ._fake_models import (
    FakeModel,
    FakeReply,
    HTTPError,
    duration_seconds,
    example_for_schema,
    hash_embedding,
    normalize_name,
)
from ._fake_openai import OPENAI_ROUTES
from ._fake_routes import ROUTES, Route

__all__ = ["FakeModel", "FakeOllama", "FakeReply", "default_models"]

ChatHandler = Callable[[dict[str, Any]], "FakeReply | str"]
GenerateHandler = Callable[[dict[str, Any]], str]
EmbedHandler = Callable[[str, list[str]], list[list[float]]]


def default_models() -> dict[str, FakeModel]:
    """The models a fresh server has "pulled": one of each Gemma kind the library uses."""
    return {
        "gemma3:4b": FakeModel.gemma3_4b(),
        "gemma4:e4b": FakeModel.gemma4_e4b(),
        "functiongemma:latest": FakeModel.functiongemma(),
        "embeddinggemma:latest": FakeModel.embeddinggemma(),
        "shieldgemma:2b": FakeModel.shieldgemma_2b(),
    }


@dataclass
class _Fault:
    kind: str  # "fail" | "hang" | "midstream"
    status: int = 500
    error: str = ""
    seconds: float = 0.0


class FakeOllama:
    """A programmable Ollama server on ``127.0.0.1`` (random port, background thread).

    Args:
        models: Models present locally, keyed by name (``gemma3`` means ``gemma3:latest``);
            :func:`default_models` when ``None``.
        version: What ``/api/version`` reports.

    Attributes:
        url: ``http://127.0.0.1:PORT``, valid after :meth:`start`.
        chat_handler: ``body -> FakeReply | str`` for ``/api/chat``; echoes the last user
            message when ``None`` (or answers JSON matching ``format`` when one is given).
        generate_handler: ``body -> str`` for ``/api/generate``; echoes the prompt when
            ``None``.
        embed_handler: ``(model, texts) -> vectors`` for ``/api/embed``; deterministic
            hashed unit vectors when ``None``.
        requests: ``(path, json_body)`` of every request received, faults included.
        registry: Models ``/api/pull`` can fetch (the local ones plus the defaults).
        stream_delay: Seconds to sleep between streamed chunks.
        api_key: When set, ``/v1`` requests must send ``Authorization: Bearer <key>``
            (401 otherwise), to test OpenAI-compatible clients' key handling.
    """

    def __init__(
        self, models: Mapping[str, FakeModel] | None = None, *, version: str = "0.13.5"
    ) -> None:
        chosen = default_models() if models is None else models
        self.models: dict[str, FakeModel] = {normalize_name(k): v for k, v in chosen.items()}
        self.registry: dict[str, FakeModel] = {
            **{normalize_name(k): v for k, v in default_models().items()},
            **self.models,
        }
        self.version = version
        self.chat_handler: ChatHandler | None = None
        self.generate_handler: GenerateHandler | None = None
        self.embed_handler: EmbedHandler | None = None
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.stream_delay = 0.0
        self.api_key: str | None = None
        self.url = ""
        self.loaded: dict[str, float] = {}  # model -> expiry (epoch seconds)
        self._faults: dict[str, deque[_Fault]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> FakeOllama:
        """Bind a free port on 127.0.0.1 and serve in a daemon thread."""
        if self._server is not None:
            return self
        fake = self

        class Handler(_Handler):
            server_fake = fake

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), daemon=True, name="fake-ollama"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOllama:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``, the form ``OLLAMA_HOST`` usually takes."""
        return self.url.removeprefix("http://")

    # -- programming -----------------------------------------------------------------

    def add_model(self, name: str, model: FakeModel) -> None:
        """Make ``name`` present locally (as if pulled)."""
        with self._lock:
            self.models[normalize_name(name)] = model
            self.registry[normalize_name(name)] = model

    def remove_model(self, name: str) -> None:
        """Forget a local model, so requests for it answer 404."""
        with self._lock:
            self.models.pop(normalize_name(name), None)

    def fail_next(self, path: str, status: int, error: str, times: int = 1) -> None:
        """Answer the next ``times`` requests to ``path`` with ``status`` and ``{"error"}``."""
        with self._lock:
            queue = self._faults.setdefault(path, deque())
            queue.extend(_Fault("fail", status=status, error=error) for _ in range(times))

    def hang_next(self, path: str, seconds: float) -> None:
        """Sleep ``seconds`` before answering the next request to ``path``."""
        with self._lock:
            self._faults.setdefault(path, deque()).append(_Fault("hang", seconds=seconds))

    def error_mid_stream(self, path: str, error: str) -> None:
        """Break the next streamed answer on ``path`` with an ``{"error": ...}`` line."""
        with self._lock:
            self._faults.setdefault(path, deque()).append(_Fault("midstream", error=error))

    def count(self, path: str) -> int:
        """How many requests ``path`` received."""
        with self._lock:
            return sum(1 for p, _ in self.requests if p == path)

    def bodies(self, path: str) -> list[dict[str, Any]]:
        """The JSON bodies received on ``path``, oldest first."""
        with self._lock:
            return [b for p, b in self.requests if p == path]

    # -- plumbing used by the routes ---------------------------------------------------

    def route(self, method: str, path: str) -> Route | None:
        """The function answering ``method path`` (``HEAD`` is answered like ``GET``)."""
        key = ("GET" if method == "HEAD" else method, path)
        return ROUTES.get(key) or OPENAI_ROUTES.get(key)

    def _record(self, path: str, body: dict[str, Any]) -> _Fault | None:
        with self._lock:
            self.requests.append((path, body))
            queue = self._faults.get(path)
            return queue.popleft() if queue else None

    def _model(self, name: Any) -> tuple[str, FakeModel]:
        if not isinstance(name, str) or not name:
            raise HTTPError(400, "model is required")
        key = normalize_name(name)
        with self._lock:
            model = self.models.get(key)
        if model is None:
            raise HTTPError(404, f'model "{name}" not found, try pulling it first')
        return key, model

    def _touch(self, key: str, keep_alive: Any) -> int:
        """Mark ``key`` loaded per ``keep_alive``; return the load time in ns."""
        seconds = duration_seconds(keep_alive)
        with self._lock:
            was_loaded = self.loaded.get(key, 0.0) > time.time()
            if seconds == 0:
                self.loaded.pop(key, None)
            else:
                self.loaded[key] = math.inf if seconds < 0 else time.time() + seconds
        return 50_000 if was_loaded else 1_000_000

    def _chat_reply(self, body: dict[str, Any]) -> FakeReply:
        if self.chat_handler is not None:
            reply = self.chat_handler(body)
            return FakeReply(content=reply) if isinstance(reply, str) else reply
        last = next(
            (
                str(m.get("content") or "")
                for m in reversed(body.get("messages") or [])
                if m.get("role") == "user"
            ),
            "",
        )
        fmt = body.get("format")
        return FakeReply(content=example_for_schema(fmt, last) if fmt else last)

    def _generate_text(self, body: dict[str, Any]) -> str:
        if self.generate_handler is not None:
            return self.generate_handler(body)
        prompt = str(body.get("prompt") or "")
        fmt = body.get("format")
        return example_for_schema(fmt, prompt) if fmt else prompt

    def _embed(self, key: str, model: FakeModel, texts: list[str]) -> list[list[float]]:
        if self.embed_handler is not None:
            return self.embed_handler(key, texts)
        return [hash_embedding(t, model.embedding_length or 768) for t in texts]


class _Handler(BaseHTTPRequestHandler):
    """Parses requests, applies injected faults and writes JSON / chunked NDJSON."""

    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes; without this, Nagle's algorithm and
    # delayed ACKs add ~40 ms to every keep-alive request
    disable_nagle_algorithm = True
    server_fake: FakeOllama
    answered = False

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionResetError, BrokenPipeError):  # client went away: not an error
            return

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        return

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def _dispatch(self, method: str) -> None:
        fake = self.server_fake
        path = urlsplit(self.path).path
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise ValueError("body is not an object")
        except ValueError as exc:
            fake._record(path, {"_raw": raw.decode("utf-8", "replace")})
            self.send_json(400, {"error": f"invalid request body: {exc}"})
            return
        fault = fake._record(path, body)
        if fault is not None and fault.kind == "hang":
            time.sleep(fault.seconds)
            fault = None
        if fault is not None and fault.kind == "fail":
            self.send_error_body(path, fault.status, fault.error)
            return
        route = fake.route(method, path)
        if route is None:
            self.send_text(404, "404 page not found")
            return
        self.answered = False
        try:
            route(fake, self, body, fault.error if fault is not None else None)
        except HTTPError as exc:
            self.send_error_body(path, exc.status, exc.message)
        except (BrokenPipeError, ConnectionResetError):
            return
        except Exception as exc:  # a test's handler raised: say so instead of hanging up
            if self.answered:
                raise
            self.send_error_body(path, 500, f"fake server handler failed: {exc!r}")

    # -- writers -----------------------------------------------------------------------

    def send_error_body(self, path: str, status: int, message: str) -> None:
        """Ollama's ``{"error": ...}``, or OpenAI's nested error object on ``/v1``."""
        if path.startswith("/v1/"):
            kind = "invalid_request_error" if status < 500 else "api_error"
            payload: dict[str, Any] = {
                "error": {"message": message, "type": kind, "param": None, "code": None}
            }
        else:
            payload = {"error": message}
        self.send_json(status, payload)

    def send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.answered = True
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_text(self, status: int, text: str) -> None:
        data = text.encode()
        self.answered = True
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_stream(
        self,
        lines: Iterable[str],
        *,
        content_type: str = "application/x-ndjson",
        error_line: Callable[[str], str] | None = None,
        midstream: str | None = None,
    ) -> None:
        """Write ``lines`` as HTTP/1.1 chunks; after the first, inject ``midstream``."""
        self.answered = True
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        delay = self.server_fake.stream_delay
        for index, line in enumerate(lines):
            self._chunk(line)
            if midstream is not None and index == 0:
                make = error_line or (lambda e: json.dumps({"error": e}) + "\n")
                self._chunk(make(midstream))
                break
            if delay:
                time.sleep(delay)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _chunk(self, text: str) -> None:
        data = text.encode()
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()
