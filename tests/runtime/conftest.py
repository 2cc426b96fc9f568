"""Fixtures for runtime tests: a real fake-Ollama HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gemma_agents.testing.fake_ollama import FakeOllama


@pytest.fixture
def fake_ollama() -> Iterator[FakeOllama]:
    """A fresh fake Ollama server with the default Gemma models, stopped afterwards."""
    with FakeOllama() as server:
        yield server


@pytest.fixture
def ollama_host(fake_ollama: FakeOllama, monkeypatch: pytest.MonkeyPatch) -> FakeOllama:
    """The fake server, also published as ``OLLAMA_HOST`` (what users configure)."""
    monkeypatch.setenv("OLLAMA_HOST", fake_ollama.url)
    return fake_ollama


@pytest.fixture
def refused_url() -> str:
    """A 127.0.0.1 URL nothing listens on: the port was bound, then released."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
