"""Embedders: the hashing baseline, spec parsing, calibration, and Ollama at the wire level."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from gemma_agents.exceptions import ConfigError, ModelNotFound, RuntimeUnavailable
from gemma_agents.memory import (
    ChromaMemory,
    HashingEmbedder,
    LlamaCppEmbedder,
    OllamaEmbedder,
    embedder_from_spec,
)
from gemma_agents.memory._calibration import Calibration, load_or_compute
from gemma_agents.testing.fake_ollama import FakeModel, FakeOllama


def _dot(a, b):
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_hashing_is_deterministic_across_processes_and_normalised():
    emb = HashingEmbedder(64)
    vec = emb.embed_query("Ada's cat is called Pixel")
    assert len(vec) == 64 and abs(math.sqrt(_dot(vec, vec)) - 1.0) < 1e-9
    code = (
        "from gemma_agents.memory import HashingEmbedder;"
        'print(HashingEmbedder(64).embed_query("Ada\'s cat is called Pixel"))'
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PYTHONPATH": ":".join(sys.path)},
    )
    assert other.stdout.strip() == repr(vec)


def test_hashing_similarity_follows_shared_words():
    emb = HashingEmbedder()
    cat, cats, car = emb.embed_documents(
        [
            "The grey cat sleeps on the sofa.",
            "Grey cats sleeping on sofas",
            "Engine oil for the car",
        ]
    )
    assert _dot(cat, cats) > 0.3 > 0.1 > _dot(cat, car)
    # Stopwords alone carry nothing: two texts sharing only them are unrelated.
    a, b = emb.embed_documents(["what is the", "what is the"])
    assert a == b and all(x == 0.0 for x in a)
    assert emb.name == "hashing-v1"
    with pytest.raises(ConfigError):
        HashingEmbedder(4)


@pytest.mark.parametrize(
    ("spec", "dimension", "expected"),
    [
        ("hashing", None, ("HashingEmbedder", "hashing-v1", 256)),
        ("hashing:64", None, ("HashingEmbedder", "hashing-v1", 64)),
        ("hashing-v1", 128, ("HashingEmbedder", "hashing-v1", 128)),
        ("ollama", None, ("OllamaEmbedder", "ollama:embeddinggemma", 768)),
        ("ollama:embeddinggemma:latest", 256, ("OllamaEmbedder", "ollama:embeddinggemma", 256)),
        ("llamacpp", None, ("LlamaCppEmbedder", "llamacpp:gemma3-270m#abtt3v1", None)),
        ("llamacpp:gemma3-270m#raw", None, ("LlamaCppEmbedder", "llamacpp:gemma3-270m#raw", None)),
    ],
)
def test_embedder_from_spec(spec, dimension, expected):
    emb = embedder_from_spec(spec, dimension)
    cls, name, dim = expected
    assert type(emb).__name__ == cls and emb.name == name
    if dim is not None:  # llama.cpp would load the model to answer
        assert emb.dimension == dim


@pytest.mark.parametrize("spec", ["", "bert", "hashing:wide", "llamacpp:gemma3-270m#abtt9v9"])
def test_bad_specs_are_config_errors(spec):
    with pytest.raises(ConfigError):
        embedder_from_spec(spec)


def test_calibration_removes_the_common_direction_and_is_cached(tmp_path):
    # Vectors sharing a big common component, like a base LM's mean-pooled states.
    common = [5.0, 5.0, 5.0, 5.0]
    raw = [
        [c + d for c, d in zip(common, delta, strict=True)]
        for delta in (
            [1, 0, 0, 0],
            [0, 1, 0, 0],
            [0, 0, 1, 0],
            [0, 0, 0, 1],
            [1, 1, 0, 0],
            [0, 0, 1, 1],
        )
    ]
    calls = []

    def embed(texts):
        calls.append(len(texts))
        return [raw[i % len(raw)] for i in range(len(texts))]

    first = load_or_compute("k1", embed, tmp_path)
    second = load_or_compute("k1", embed, tmp_path)
    assert len(calls) == 1  # the second load came from the cache file
    assert list(tmp_path.glob("calibration-*-k1.json"))
    a, b = Calibration.fit(raw, directions=1).apply([raw[0], raw[1]])
    assert _dot(raw[0], raw[1]) / (_dot(raw[0], raw[0])) > 0.9  # raw: nearly identical
    assert _dot(a, b) < 0.5  # calibrated: the shared direction is gone
    assert first.apply([raw[2]]) == second.apply([raw[2]])
    (next(tmp_path.glob("*.json"))).write_text("{broken", encoding="utf-8")
    load_or_compute("k1", embed, tmp_path)
    assert len(calls) == 2  # a corrupt cache is recomputed, not trusted


# --- Ollama, at the wire level ----------------------------------------------------------


def _vector(text: str, dim: int = 768) -> list[float]:
    """Server-side stand-in: the vector depends only on the words after the prefix."""
    body = text.split("text: ", 1)[-1].split("query: ", 1)[-1]
    return HashingEmbedder(dim).embed_query(body)


def test_ollama_embedder_sends_embeddinggemma_prefixes():
    with FakeOllama(models={"embeddinggemma": FakeModel.embeddinggemma()}) as srv:
        srv.embed_handler = lambda model, inputs: [_vector(t) for t in inputs]
        emb = OllamaEmbedder(host=srv.url)
        docs = emb.embed_documents(["Ada's cat is Pixel.", "Bo drives a scooter."])
        titled = emb.embed_documents(["Chapter text"], titles=["Handbook"])
        query = emb.embed_query("what is Ada's cat called?")
        bodies = srv.bodies("/api/embed")
    assert bodies[0]["model"] == "embeddinggemma"
    assert bodies[0]["input"] == [
        "title: none | text: Ada's cat is Pixel.",
        "title: none | text: Bo drives a scooter.",
    ]
    assert bodies[1]["input"] == ["title: Handbook | text: Chapter text"]
    assert bodies[2]["input"] == ["task: search result | query: what is Ada's cat called?"]
    assert len(docs[0]) == 768 and len(titled) == 1
    assert _dot(query, docs[0]) > _dot(query, docs[1])


def test_ollama_embedder_truncation_batching_and_plain_models():
    with FakeOllama(
        models={
            "embeddinggemma": FakeModel.embeddinggemma(),
            "nomic-embed-text": FakeModel.embeddinggemma(),
        }
    ) as srv:
        small = OllamaEmbedder(host=srv.url, dimensions=128, batch_size=2)
        vectors = small.embed_documents(["a", "b", "c"])
        plain = OllamaEmbedder("nomic-embed-text", host=srv.url)
        plain.embed_query("hello")
        bodies = srv.bodies("/api/embed")
    assert [len(b["input"]) for b in bodies[:2]] == [2, 1]
    assert bodies[0]["dimensions"] == 128 and len(vectors[2]) == 128
    assert small.dimension == 128
    assert bodies[2]["input"] == ["hello"]  # no EmbeddingGemma prefixes for other models
    assert plain.name == "ollama:nomic-embed-text"


def test_ollama_errors_are_specific():
    with FakeOllama(models={}) as srv:
        with pytest.raises(ModelNotFound) as info:
            OllamaEmbedder(host=srv.url).embed_query("x")
        assert "ollama pull embeddinggemma" in (info.value.hint or "")
        url = srv.url
    with pytest.raises(RuntimeUnavailable, match="cannot reach the Ollama server"):
        OllamaEmbedder(host=url, timeout=2).embed_query("x")


def test_chroma_memory_on_ollama_embeddings(tmp_path):
    with FakeOllama(models={"embeddinggemma": FakeModel.embeddinggemma()}) as srv:
        srv.embed_handler = lambda model, inputs: [_vector(t) for t in inputs]
        store = ChromaMemory(tmp_path, embedder=OllamaEmbedder(host=srv.url))
        store.add("Ada's cat is called Pixel.", user="ada")
        store.add("Ada's bicycle is red.", user="ada")
        hits = store.search("name of Ada's cat", user="ada", k=2)
        paths = [p for p, _ in srv.requests]
    assert hits[0].text == "Ada's cat is called Pixel."
    assert store.collection.metadata["gemma_agents_embedder"] == "ollama:embeddinggemma"
    assert store.collection.metadata["gemma_agents_dimension"] == 768
    assert set(paths) == {"/api/embed"}


# --- the embedded Gemma 270M --------------------------------------------------------------

QA = [
    ("Mira Okafor's dog is a greyhound named Biscuit.", "What is the name of Mira's pet?"),
    ("The Zephyr backend is written in Rust.", "Which programming language is Zephyr built with?"),
    ("Tomas plays the cello in the community orchestra.", "Which instrument does Tomas play?"),
    (
        "The staging password rotates every Monday morning.",
        "How often do staging credentials change?",
    ),
]


@pytest.fixture(scope="module")
def gemma_embedder():
    pytest.importorskip("llama_cpp")
    # One thread: on a shared, oversubscribed CPU llama.cpp's spinning threads make two
    # threads several times slower than one.
    return LlamaCppEmbedder(n_threads=1)


@pytest.mark.embedded
def test_llamacpp_embedder_ranks_the_relevant_fact_first(gemma_embedder):
    assert gemma_embedder.dimension == 640
    facts = gemma_embedder.embed_documents([f for f, _ in QA])
    for i, (_, question) in enumerate(QA):
        query = gemma_embedder.embed_query(question)
        assert abs(_dot(query, query) - 1.0) < 1e-6
        scores = [_dot(query, f) for f in facts]
        assert scores.index(max(scores)) == i, (question, scores)


@pytest.mark.embedded
def test_llamacpp_calibration_makes_unrelated_texts_dissimilar(gemma_embedder):
    raw = LlamaCppEmbedder(gemma_embedder.runtime, postprocess=False)
    texts = ["The cat sleeps on the sofa.", "Quarterly tax filings are due in April."]
    raw_a, raw_b = raw.embed_documents(texts)
    cal_a, cal_b = gemma_embedder.embed_documents(texts)
    assert _dot(raw_a, raw_b) > 0.5  # base-LM pooling: everything looks alike
    assert _dot(cal_a, cal_b) < _dot(raw_a, raw_b) - 0.3
    assert raw.name.endswith("#raw") and gemma_embedder.name.endswith("#abtt3v1")
