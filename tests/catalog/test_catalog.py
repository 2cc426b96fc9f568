"""The model catalog: data integrity, family detection, lookup, memory and recommendations."""

from __future__ import annotations

import pytest

from gemma_agents.catalog import (
    CAPABILITIES,
    HEADROOM,
    ModelInfo,
    all_models,
    family_of,
    format_bytes,
    lookup,
    parse_memory,
    recommend,
)

GiB = 1024**3


def test_catalog_covers_every_required_variant() -> None:
    names = {m.name for m in all_models()}
    required = {
        "gemma3:270m", "gemma3:1b", "gemma3:4b", "gemma3:12b", "gemma3:27b",
        "gemma3n:e2b", "gemma3n:e4b", "functiongemma:270m",
        "gemma4:e2b", "gemma4:e4b", "gemma4:26b", "gemma4:31b",
        "shieldgemma:2b", "shieldgemma:9b", "shieldgemma:27b", "embeddinggemma:300m",
    }  # fmt: skip
    assert required <= names


def test_entries_are_consistent() -> None:
    for m in all_models():
        assert m.params_b >= m.effective_params_b > 0, m.name
        assert m.context_length >= 2048, m.name
        assert "text" in m.modalities, m.name
        assert m.tool_dialect in {"gemma3", "functiongemma", "gemma4", "none"}, m.name
        assert m.purpose in {"chat", "function-calling", "safety", "embedding"}, m.name
        assert family_of(m.name) == m.family, m.name
        assert lookup(m.ollama) == m and lookup(m.hf) == m, m.name
        assert m.memory_bytes("q4") < m.memory_bytes("q8") < m.memory_bytes("bf16"), m.name
    defaults = [m.family for m in all_models() if m.family_default]
    assert len(defaults) == len(set(defaults))  # at most one default per family


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("gemma3:4b", "gemma3"),
        ("ollama:gemma3:4b", "gemma3"),
        ("gemma3-270m", "gemma3"),
        ("default", "gemma3"),
        ("/models/gemma-3-270m-q4_k_m.gguf", "gemma3"),
        ("llamacpp:/x/y/gemma-3-1b-it-Q8_0.gguf", "gemma3"),
        ("openai:http://127.0.0.1:8000/v1#google/gemma-3-4b-it", "gemma3"),
        ("functiongemma", "functiongemma"),
        ("functiongemma:270m", "functiongemma"),
        ("google/functiongemma-270m-it", "functiongemma"),
        ("gemma4:e4b", "gemma4"),
        ("gemma-4-26B-A4B-it-Q4_K_M.gguf", "gemma4"),
        ("gemma3n:e2b", "gemma3n"),
        ("google/gemma-3n-E4B-it", "gemma3n"),
        ("shieldgemma:2b", "shieldgemma"),
        ("embeddinggemma", "embeddinggemma"),
        ("gemma2:9b", "gemma2"),
        ("llama3.2:3b", None),
        ("qwen3:4b", None),
        ("", None),
    ],
)
def test_family_of(name: str, family: str | None) -> None:
    assert family_of(name) == family


def test_gemma3_4b_is_not_mistaken_for_gemma4() -> None:
    assert family_of("gemma-3-4b-it") == "gemma3"
    assert family_of("gemma3:4b") == "gemma3"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("gemma3:4b", "gemma3:4b"),
        ("gemma3", "gemma3:4b"),  # Ollama's default tag for the family
        ("gemma3:latest", "gemma3:4b"),
        ("gemma3:12b-it-qat", "gemma3:12b"),
        ("gemma-3-27b-it-Q4_K_M.gguf", "gemma3:27b"),
        ("hf.co/unsloth/gemma-3-1b-it-GGUF:Q4_K_M", "gemma3:1b"),
        ("gemma3-270m", "gemma3:270m"),
        ("default", "gemma3:270m"),
        ("functiongemma", "functiongemma:270m"),
        ("gemma4:26b-a4b", "gemma4:26b"),
        ("google/gemma-4-31B-it", "gemma4:31b"),
        ("embeddinggemma:latest", "embeddinggemma:300m"),
        ("gemma3:3b", None),  # no such size
        ("mistral:7b", None),
    ],
)
def test_lookup(name: str, expected: str | None) -> None:
    info = lookup(name)
    assert (info.name if info else None) == expected


def test_published_facts() -> None:
    assert lookup("gemma3:270m").context_length == 32768  # type: ignore[union-attr]
    assert lookup("gemma3:1b").context_length == 32768  # type: ignore[union-attr]
    assert lookup("gemma3:4b").context_length == 131072  # type: ignore[union-attr]
    assert lookup("gemma3n:e4b").context_length == 32768  # type: ignore[union-attr]
    assert lookup("gemma4:e2b").context_length == 131072  # type: ignore[union-attr]
    assert lookup("gemma4:31b").context_length == 262144  # type: ignore[union-attr]
    emb = lookup("embeddinggemma")
    assert emb is not None and emb.context_length == 2048 and emb.embedding_dimension == 768
    assert lookup("gemma3:1b").vision is False  # type: ignore[union-attr]
    assert lookup("gemma3:4b").vision is True  # type: ignore[union-attr]
    assert lookup("gemma3n:e2b").audio is True  # type: ignore[union-attr]
    assert lookup("functiongemma").native_tools is True  # type: ignore[union-attr]
    assert lookup("gemma4:e4b").thinking is True  # type: ignore[union-attr]
    assert lookup("shieldgemma:9b").tools is False  # type: ignore[union-attr]


def test_memory_formula_and_published_weights() -> None:
    m12 = lookup("gemma3:12b")
    assert m12 is not None
    assert m12.weights_bytes("q4") == int(6.6e9)  # Google's published int4 figure
    assert m12.memory_bytes("q4") == int(6.6e9 * 1.10) + 512 * 1024**2
    e2b = lookup("gemma4:e2b")
    assert e2b is not None and "q4" not in e2b.published_weights_gb
    assert e2b.weights_bytes("q8") == int(5.1e9 * 8.5 / 8)  # derived from total params
    with pytest.raises(ValueError, match="unknown quant"):
        e2b.weights_bytes("q3")
    assert ModelInfo.quant_label("q4") == "Q4_K_M"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("8GB", 8 * GiB),
        ("8G", 8 * GiB),
        ("8 gib", 8 * GiB),
        ("512MB", 512 * 1024**2),
        ("1.5TB", int(1.5 * 1024**4)),
        ("1048576", 1048576),
    ],
)
def test_parse_memory(text: str, value: int) -> None:
    assert parse_memory(text) == value


@pytest.mark.parametrize("text", ["", "lots", "8XB", "-1GB", "0GB", "GB8"])
def test_parse_memory_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        parse_memory(text)


def test_format_bytes() -> None:
    assert format_bytes(8 * GiB) == "8.0 GiB"
    assert format_bytes(512 * 1024**2) == "512.0 MiB"
    assert format_bytes(100) == "100 B"


def test_recommend_picks_largest_fitting_with_headroom() -> None:
    rec = recommend(8 * GiB, {"tools", "vision"})
    assert rec.ok and rec.model is not None and rec.quant is not None
    assert rec.estimate_bytes <= 8 * GiB * HEADROOM
    assert {"tools", "vision"} <= rec.model.capabilities()
    # nothing with the needed capabilities and more effective parameters fits
    for m in all_models():
        able = {"tools", "vision"} <= m.capabilities() and m.purpose == "chat"
        if able and m.effective_params_b > rec.model.effective_params_b:
            assert m.memory_bytes("q4") > 8 * GiB * HEADROOM, m.name
    text = " ".join(rec.reasons)
    assert "do not fit" in text and "gemma3:12b" in text
    assert "gemma3:1b (no vision)" in text


def test_recommend_upgrades_quant_when_room_allows() -> None:
    rec = recommend(64 * GiB, {"thinking"})
    assert rec.model is not None and rec.model.name == "gemma4:31b" and rec.quant == "q8"
    assert any("preferred over Q4_K_M" in r for r in rec.reasons)


def test_recommend_tiny_budget_gets_the_270m() -> None:
    rec = recommend(parse_memory("1GB"))
    assert rec.model is not None and rec.model.params_b < 0.5


def test_recommend_explains_when_nothing_fits() -> None:
    rec = recommend(parse_memory("512MB"), ["vision"])
    assert not rec.ok and rec.model is None and rec.quant is None
    assert "nothing fits" in rec.reasons[0] and "gemma3:4b" in rec.reasons[0]


def test_recommend_special_purposes() -> None:
    emb = recommend(2 * GiB, ["embedding"])
    assert emb.model is not None and emb.model.family == "embeddinggemma"
    safety = recommend(16 * GiB, ["safety"])
    assert safety.model is not None and safety.model.family == "shieldgemma"
    audio = recommend(16 * GiB, ["audio", "thinking"])
    assert audio.model is not None and audio.model.name == "gemma4:e4b"


def test_recommend_rejects_unknown_capability_and_bad_budget() -> None:
    with pytest.raises(ValueError, match="unknown capability telepathy"):
        recommend(8 * GiB, ["telepathy"])
    with pytest.raises(ValueError):
        recommend(0)
    assert "tools" in CAPABILITIES
