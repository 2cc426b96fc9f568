"""LlamaCppRuntime construction, validation and introspection (no weights are loaded)."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import pytest

from gemma_agents.calls._types import ToolSpec
from gemma_agents.exceptions import ConfigError, RuntimeUnavailable, UnsupportedFeature
from gemma_agents.runtime.base import Message

pytest.importorskip("llama_cpp")

from gemma_agents.runtime._llamacpp_options import find_stop, holdback, parse_options
from gemma_agents.runtime.llamacpp import LlamaCppRuntime, family_from_metadata


def _gguf(path: Path, **meta: str) -> Path:
    """Write a header-only GGUF (no tensors) with string metadata."""

    def s(text: str) -> bytes:
        raw = text.encode()
        return struct.pack("<Q", len(raw)) + raw

    body = b"".join(s(k.replace("__", ".")) + struct.pack("<I", 8) + s(v) for k, v in meta.items())
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, len(meta)) + body)
    return path


@pytest.mark.parametrize(
    ("meta", "family"),
    [
        ({"general__architecture": "gemma3", "general__name": "Gemma 3 270m"}, "gemma3"),
        (
            {"general__architecture": "gemma3", "general__name": "functiongemma-270m-it"},
            "functiongemma",
        ),
        ({"general__architecture": "gemma3n", "general__name": "x"}, "gemma3n"),
        ({"general__architecture": "gemma4", "general__name": "Gemma 4 E4B"}, "gemma4"),
    ],
)
def test_family_detected_from_gguf_metadata(tmp_path: Path, meta: dict, family: str) -> None:
    rt = LlamaCppRuntime(str(_gguf(tmp_path / "m.gguf", **meta)), n_threads=1)
    assert rt.family == family
    assert rt.capabilities().family == family
    assert rt._llama is None  # construction never loads weights


def test_family_falls_back_to_file_name_then_gemma3(tmp_path: Path) -> None:
    named = _gguf(tmp_path / "gemma-4-E2B-it-Q4_K_M.gguf", general__architecture="unknownarch")
    assert LlamaCppRuntime(str(named), n_threads=1).family == "gemma4"
    other = _gguf(tmp_path / "tinyllama.gguf", general__architecture="llama")
    assert LlamaCppRuntime(str(other), n_threads=1).family == "gemma3"
    assert family_from_metadata({}) is None


def test_explicit_family_wins_and_is_validated(tmp_path: Path) -> None:
    path = str(_gguf(tmp_path / "m.gguf", general__architecture="gemma3"))
    rt = LlamaCppRuntime(path, family="functiongemma", n_threads=1)
    assert rt.render([Message("system", "dev")]).startswith("<start_of_turn>developer\n")
    with pytest.raises(ConfigError, match="unknown Gemma family"):
        LlamaCppRuntime(path, family="mistral", n_threads=1)


def test_bad_paths_name_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.gguf"
    with pytest.raises(ConfigError, match=str(missing)):
        LlamaCppRuntime(str(missing))
    fake = tmp_path / "fake.gguf"
    fake.write_text("not a model")
    with pytest.raises(ConfigError, match="is not a GGUF file"):
        LlamaCppRuntime(str(fake))


def test_threads_from_argument_env_and_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(_gguf(tmp_path / "m.gguf", general__architecture="gemma3"))
    assert LlamaCppRuntime(path, n_threads=3).n_threads == 3
    monkeypatch.setenv("GEMMA_AGENTS_THREADS", "5")
    assert LlamaCppRuntime(path).n_threads == 5
    monkeypatch.setenv("GEMMA_AGENTS_THREADS", "many")
    with pytest.raises(ConfigError, match="GEMMA_AGENTS_THREADS"):
        LlamaCppRuntime(path)
    monkeypatch.delenv("GEMMA_AGENTS_THREADS")
    assert LlamaCppRuntime(path).n_threads >= 1
    with pytest.raises(ConfigError, match="n_threads"):
        LlamaCppRuntime(path, n_threads=0)
    with pytest.raises(ConfigError, match="n_ctx"):
        LlamaCppRuntime(path, n_ctx=8)


def test_missing_llama_cpp_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # as if not installed
    with pytest.raises(RuntimeUnavailable, match=r"gemma-agents\[embedded\]"):
        LlamaCppRuntime("gemma3-270m")


def test_tools_and_images_are_refused_clearly(tmp_path: Path) -> None:
    rt = LlamaCppRuntime(str(_gguf(tmp_path / "m.gguf", general__architecture="gemma3")))
    with pytest.raises(UnsupportedFeature, match="does not support tools"):
        rt.chat([Message("user", "hi")], tools=[ToolSpec("f")])
    with pytest.raises(UnsupportedFeature, match="text-only"):
        rt.chat([Message("user", "look", images=[b"\x89PNG"])])


def test_capabilities_and_health_without_loading(tmp_path: Path) -> None:
    path = _gguf(tmp_path / "m.gguf", general__architecture="gemma3")
    rt = LlamaCppRuntime(str(path), n_ctx=2048)
    caps = rt.capabilities()
    assert (caps.tools, caps.json_schema, caps.embedding, caps.context_length) == (
        False,
        True,
        True,
        2048,
    )
    health = rt.health()
    assert health.ok and health.runtime == "llamacpp" and "m.gguf" in health.detail
    path.unlink()
    gone = rt.health()
    assert not gone.ok and "missing" in gone.detail and gone.fix
    assert rt._llama is None
    assert "LlamaCppRuntime(" in repr(rt)


def test_embed_rejects_a_bare_string(tmp_path: Path) -> None:
    rt = LlamaCppRuntime(str(_gguf(tmp_path / "m.gguf", general__architecture="gemma3")))
    with pytest.raises(ConfigError, match="list of texts"):
        rt.embed("hello")  # type: ignore[arg-type]
    assert rt.embed([]) == []


# --- options mapping and stop handling (pure helpers) ------------------------------------


def test_options_map_ollama_vocabulary() -> None:
    opts = parse_options(
        {"temperature": 0, "top_k": 5, "num_predict": 7, "stop": "END", "seed": 3, "num_ctx": 9},
        constrained=False,
    )
    assert opts.max_tokens == 7 and opts.stops == ("END",) and opts.seed == 3
    assert opts.params["temperature"] == 0.0 and opts.params["top_k"] == 5
    assert opts.params["repeat_penalty"] == 1.1 and opts.unknown == ()
    assert parse_options({"max_tokens": 4}, constrained=False).max_tokens == 4
    assert parse_options({"num_predict": -1}, constrained=False).max_tokens is None
    assert parse_options(None, constrained=True).params["repeat_penalty"] == 1.0
    assert parse_options({"repeat_penalty": 1.3}, constrained=True).params["repeat_penalty"] == 1.3
    assert parse_options({"flux": 1}, constrained=False).unknown == ("flux",)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"temperature": "hot"}, "temperature='hot' must be a number"),
        ({"num_predict": 2.5}, "must be a whole number"),
        ({"top_k": True}, "must be a number"),
        ({"stop": ["ok", 3]}, "must be a string or a list of strings"),
        ({"seed": "x"}, "seed='x' must be a number"),
    ],
)
def test_bad_option_values_are_config_errors(options: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_options(options, constrained=False)


def test_holdback_and_find_stop() -> None:
    stops = ("<end_of_turn>", "```tool_output")
    assert holdback("answer <end_", stops) == len("<end_")
    assert holdback("answer ``", stops) == 2
    assert holdback("answer", stops) == 0
    assert find_stop("ab<end_of_turn>cd", stops) == 2
    assert find_stop("x```tool_output<end_of_turn>", stops) == 1
    assert find_stop("no stop here", stops) is None
    # only stops that end after `start` are searched for
    assert find_stop("<end_of_turn> and more", stops, start=20) is None
