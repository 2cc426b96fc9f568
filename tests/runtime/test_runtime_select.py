"""Model strings and get_runtime(): parsing, explicit backends and ``auto``."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gemma_agents.exceptions import ConfigError, RuntimeUnavailable
from gemma_agents.runtime import ModelRef, get_runtime, parse_model_string
from gemma_agents.runtime.base import ChatResult, Message
from gemma_agents.runtime.ollama import OllamaRuntime
from gemma_agents.runtime.openai import OpenAICompatRuntime
from gemma_agents.testing.fake_ollama import FakeModel, FakeOllama
from gemma_agents.testing.scripted import ScriptedRuntime


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("auto", ModelRef("auto")),
        (" AUTO ", ModelRef("auto")),
        ("ollama:gemma3:4b", ModelRef("ollama", "gemma3:4b")),
        ("ollama:functiongemma", ModelRef("ollama", "functiongemma")),
        ("ollama:user/gemma3-tools:12b", ModelRef("ollama", "user/gemma3-tools:12b")),
        ("llamacpp:gemma3-270m", ModelRef("llamacpp", "gemma3-270m")),
        ("llamacpp:/models/x.gguf", ModelRef("llamacpp", "/models/x.gguf")),
        ("/models/x.gguf", ModelRef("llamacpp", "/models/x.gguf")),
        ("gemma3-270m", ModelRef("llamacpp", "gemma3-270m")),
        (
            "openai:http://127.0.0.1:8000/v1#google/gemma-3-4b-it",
            ModelRef("openai", "google/gemma-3-4b-it", "http://127.0.0.1:8000/v1"),
        ),
        (
            "openai:https://host/v1/#gemma3:4b",
            ModelRef("openai", "gemma3:4b", "https://host/v1"),
        ),
    ],
)
def test_parse_valid_forms(text: str, ref: ModelRef) -> None:
    parsed = parse_model_string(text)
    assert parsed == ref
    assert parse_model_string(str(parsed)) == parsed  # str() is a valid model string


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty"),
        ("gemma3:4b", "did you mean 'ollama:gemma3:4b'"),
        ("ollama:", "no model after 'ollama:'"),
        ("llamacpp:  ", "no model after 'llamacpp:'"),
        ("openai:http://127.0.0.1:8000/v1", "no model after '#'"),
        ("openai:127.0.0.1:8000/v1#m", "must start with http"),
        ("vllm:gemma", "did you mean"),
    ],
)
def test_parse_invalid_lists_valid_forms(text: str, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_model_string(text)
    message = str(info.value)
    assert needle in message
    assert "valid forms" in message and "openai:<base_url>#<model>" in message


def test_non_string_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="expected a string"):
        parse_model_string(42)  # type: ignore[arg-type]


def test_explicit_backends(fake_ollama: FakeOllama) -> None:
    rt = get_runtime("ollama:gemma3:4b", host=fake_ollama.url, retry_wait=0.0)
    assert isinstance(rt, OllamaRuntime) and rt.model == "gemma3:4b"
    assert isinstance(rt.chat([Message(role="user", content="hi")]), ChatResult)
    oa = get_runtime(f"openai:{fake_ollama.url}/v1#gemma3:4b", retry_wait=0.0)
    assert isinstance(oa, OpenAICompatRuntime) and oa.base_url == f"{fake_ollama.url}/v1"
    assert oa.chat([Message(role="user", content="yo")]).text == "yo"  # type: ignore[union-attr]


def test_runtime_instances_pass_through() -> None:
    scripted = ScriptedRuntime(["hello"])
    assert get_runtime(scripted) is scripted


def test_none_reads_gemma_agents_model(
    fake_ollama: FakeOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMMA_AGENTS_MODEL", "ollama:gemma4:e4b")
    rt = get_runtime(None, host=fake_ollama.url)
    assert isinstance(rt, OllamaRuntime) and rt.model == "gemma4:e4b"


def test_auto_prefers_ollama_with_a_gemma_model(
    ollama_host: FakeOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GEMMA_AGENTS_OLLAMA_MODEL", raising=False)
    rt = get_runtime("auto", timeout=5.0, n_ctx=512)  # n_ctx is for llamacpp: dropped
    assert isinstance(rt, OllamaRuntime)
    assert rt.model == "gemma3:4b"  # first gemma3/gemma4 in /api/tags (not embeddinggemma)
    assert rt.timeout == 5.0
    monkeypatch.setenv("GEMMA_AGENTS_OLLAMA_MODEL", "gemma4:e4b")
    assert get_runtime("auto").model == "gemma4:e4b"
    monkeypatch.setenv("GEMMA_AGENTS_OLLAMA_MODEL", "gemma4:31b")  # not pulled: ignored
    assert get_runtime("auto").model == "gemma3:4b"


def test_auto_without_gemma_on_ollama_uses_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("llama_cpp")
    from gemma_agents.runtime.llamacpp import LlamaCppRuntime

    with FakeOllama({"embeddinggemma": FakeModel.embeddinggemma()}) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        rt = get_runtime("auto", n_ctx=512, timeout=3.0)  # timeout is Ollama's: dropped
    assert isinstance(rt, LlamaCppRuntime) and rt.n_ctx == 512


def test_auto_with_nothing_available_says_what_to_do(
    refused_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", refused_url)
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # as if the extra were not installed
    with pytest.raises(RuntimeUnavailable) as info:
        get_runtime("auto", probe_timeout=0.5)
    text = str(info.value)
    assert "not reachable" in text and refused_url in text
    assert "ollama serve" in text and "gemma-agents[embedded]" in text
    assert "gemma-agents doctor" in text


def test_llamacpp_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    with pytest.raises(RuntimeUnavailable) as info:
        get_runtime("llamacpp:gemma3-270m")
    assert "pip install 'gemma-agents[embedded]'" in str(info.value)


def test_importing_the_runtime_package_stays_light() -> None:
    code = (
        "import sys, gemma_agents.runtime as r; "
        "print(sorted(m for m in ('ollama', 'llama_cpp', 'chromadb') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


_NAME = st.text(
    alphabet=st.characters(codec="ascii", categories=("L", "N"), include_characters="-_.:/"),
    min_size=1,
    max_size=40,
)


@given(name=_NAME)
def test_any_ollama_name_round_trips(name: str) -> None:
    ref = parse_model_string(f"ollama:{name}")
    assert ref == ModelRef("ollama", name)
    assert parse_model_string(str(ref)) == ref


@given(name=_NAME.filter(lambda n: "#" not in n))
def test_any_openai_model_round_trips(name: str) -> None:
    ref = parse_model_string(f"openai:http://127.0.0.1:8000/v1#{name}")
    assert (ref.backend, ref.model, ref.base_url) == ("openai", name, "http://127.0.0.1:8000/v1")
    assert parse_model_string(str(ref)) == ref
