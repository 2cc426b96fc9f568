"""Chroma-specific behaviour: embedder bookkeeping, re-embedding, server mode, adapters."""

from __future__ import annotations

import chromadb
import numpy as np
import pytest
from chromadb.api.types import EmbeddingFunction
from chromadb.config import Settings

from gemma_agents.exceptions import ConfigError, EmbedderMismatch, MemoryStoreError
from gemma_agents.memory import (
    ChromaEmbedderAdapter,
    ChromaMemory,
    HashingEmbedder,
    as_chroma_embedding_function,
    reembed_collection,
)


def _client(path):
    return chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))


def test_memories_persist_across_reopen(tmp_path):
    store = ChromaMemory(tmp_path, embedder=HashingEmbedder())
    memory_id = store.add("The spare key is under the blue flowerpot.", user="u")
    reopened = ChromaMemory(tmp_path, embedder=HashingEmbedder())
    hits = reopened.search("where is the spare key", user="u")
    assert hits[0].id == memory_id


def test_collection_records_embedder_and_uses_cosine(tmp_path):
    store = ChromaMemory(tmp_path, embedder=HashingEmbedder(128))
    meta = _client(tmp_path).get_collection("memories", embedding_function=None).metadata
    assert meta["gemma_agents_embedder"] == "hashing-v1"
    assert meta["gemma_agents_dimension"] == 128
    assert store.collection.configuration["hnsw"]["space"] == "cosine"


def test_opening_with_another_embedder_raises_mismatch_naming_both(tmp_path):
    ChromaMemory(tmp_path, embedder=HashingEmbedder(256)).add("fact", user="u")
    with pytest.raises(EmbedderMismatch) as info:
        ChromaMemory(tmp_path, embedder=HashingEmbedder(128))
    text = str(info.value)
    assert "'hashing-v1' (256 dimensions)" in text and "(128 dimensions)" in text
    assert "gemma-agents memory reembed" in text
    other = ChromaEmbedderAdapter(_LetterCounts())
    with pytest.raises(EmbedderMismatch, match=r"chroma:letter_counts"):
        ChromaMemory(tmp_path, embedder=other)


def test_reembed_swaps_in_a_new_vector_space_and_keeps_records(tmp_path):
    store = ChromaMemory(tmp_path, embedder=HashingEmbedder(256))
    ids = store.add_many(
        [f"Fact number {i} is about topic {i * 7}." for i in range(30)], user="u", dedupe=False
    )
    store.add("Another user's fact.", user="v")
    seen: list[tuple[int, int]] = []
    assert (
        store.reembed(HashingEmbedder(64), batch_size=7, progress=lambda d, t: seen.append((d, t)))
        == 31
    )
    assert seen[-1] == (31, 31) and len(seen) == 5
    assert store.embedder.dimension == 64 and store.count() == 31
    assert store.search("topic 70", user="u", k=1)[0].id == ids[10]
    assert store.search("topic 70", user="v", k=5)[0].metadata["user"] == "v"
    # The old embedder is now the mismatch, the new one opens cleanly.
    with pytest.raises(EmbedderMismatch):
        ChromaMemory(tmp_path, embedder=HashingEmbedder(256))
    assert ChromaMemory(tmp_path, embedder=HashingEmbedder(64)).count() == 31
    names = {c.name for c in _client(tmp_path).list_collections()}
    assert names == {"memories"}


def test_reembed_collection_needs_no_old_embedder(tmp_path):
    adapter = ChromaEmbedderAdapter(_LetterCounts())
    ChromaMemory(tmp_path, embedder=adapter).add("Zebras have stripes.", user="u")
    assert reembed_collection(HashingEmbedder(), tmp_path) == 1
    hits = ChromaMemory(tmp_path, embedder=HashingEmbedder()).search("zebra stripes", user="u")
    assert hits[0].text == "Zebras have stripes."


def test_interrupted_swap_is_finished_on_next_open(tmp_path):
    store = ChromaMemory(tmp_path, embedder=HashingEmbedder(64))
    store.add("Staged fact.", user="u")
    client = _client(tmp_path)
    # The state a crash between "delete old" and "rename staged" leaves behind.
    client.get_collection("memories", embedding_function=None).modify(name="memories__reembed")
    reopened = ChromaMemory(tmp_path, embedder=HashingEmbedder(64))
    assert reopened.search("staged", user="u")[0].text == "Staged fact."
    assert {c.name for c in client.list_collections()} == {"memories"}


def test_foreign_collection_is_refused(tmp_path):
    client = _client(tmp_path)
    foreign = client.create_collection("notes", embedding_function=None)
    foreign.add(ids=["a"], embeddings=[[1.0, 0.0]], documents=["x"])
    with pytest.raises(MemoryStoreError, match="not created by gemma-agents"):
        ChromaMemory(client=client, embedder=HashingEmbedder(), collection="notes")
    # An empty one in l2 space cannot give cosine scores; an empty cosine one is adopted.
    client.create_collection("l2-notes", embedding_function=None)
    with pytest.raises(MemoryStoreError, match="uses 'l2' distance"):
        ChromaMemory(client=client, embedder=HashingEmbedder(), collection="l2-notes")
    client.create_collection(
        "empty-notes", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
    )
    store = ChromaMemory(client=client, embedder=HashingEmbedder(), collection="empty-notes")
    assert store.collection.metadata["gemma_agents_embedder"] == "hashing-v1"


@pytest.mark.parametrize("name", ["m", "bad name", "-lead", "a..b", "x" * 600])
def test_invalid_collection_names(tmp_path, name):
    with pytest.raises(ConfigError, match="invalid collection name"):
        ChromaMemory(tmp_path, embedder=HashingEmbedder(), collection=name)


@pytest.mark.slow
def test_server_mode_add_search_forget(chroma_server, tmp_path):
    host, port = chroma_server
    store = ChromaMemory(host=host, port=port, embedder=HashingEmbedder(), collection="srv-mem")
    ada = store.add("Ada's favourite colour is teal.", user="ada")
    store.add("Bo's favourite colour is orange.", user="bo")
    assert store.add("Ada's favourite colour is teal!", user="ada") == ada
    hits = store.search("which colour does Ada like", user="ada", k=5)
    assert [h.id for h in hits] == [ada]
    assert store.location.startswith(f"http://{host}:{port}")
    with pytest.raises(EmbedderMismatch):
        ChromaMemory(host=host, port=port, embedder=HashingEmbedder(32), collection="srv-mem")
    assert store.forget(user="bo") == 1
    assert store.forget([ada]) == 1
    assert store.count() == 0


def test_server_down_is_a_clear_runtime_error():
    from gemma_agents.exceptions import RuntimeUnavailable

    with pytest.raises(RuntimeUnavailable, match="cannot reach the Chroma server") as info:
        ChromaMemory(host="127.0.0.1", port=9, embedder=HashingEmbedder())
    assert "chroma run" in (info.value.hint or "")


class _LetterCounts(EmbeddingFunction):  # type: ignore[type-arg]
    """A user's own Chroma embedding function (26 letter frequencies), nothing downloaded."""

    def __init__(self) -> None:
        pass

    def __call__(self, input):
        out = []
        for text in input:
            vec = np.zeros(26, dtype=np.float32)
            for ch in text.lower():
                if "a" <= ch <= "z":
                    vec[ord(ch) - 97] += 1
            out.append(vec)
        return out

    @staticmethod
    def name() -> str:
        return "letter_counts"

    def get_config(self):
        return {}

    @staticmethod
    def build_from_config(config):
        return _LetterCounts()


def test_chroma_function_as_our_embedder(tmp_path):
    adapter = ChromaEmbedderAdapter(_LetterCounts())
    assert adapter.name == "chroma:letter_counts"
    assert adapter.dimension == 26
    vec = adapter.embed_query("abc")
    assert abs(sum(v * v for v in vec) - 1.0) < 1e-6
    store = ChromaMemory(tmp_path, embedder=_LetterCounts())  # wrapped automatically
    assert store.embedder.name == "chroma:letter_counts"
    store.add("zzz zzz", user="u")
    store.add("aaa aaa", user="u")
    assert store.search("zz", user="u", k=1)[0].text == "zzz zzz"


def test_not_an_embedder_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="neither an Embedder nor a Chroma EmbeddingFunction"):
        ChromaMemory(tmp_path, embedder=42)


def test_our_embedder_as_a_chroma_embedding_function(tmp_path):
    function = as_chroma_embedding_function(HashingEmbedder(128))
    assert not function.is_legacy()
    assert function.get_config() == {"embedder": "hashing-v1", "dimension": 128}
    client = _client(tmp_path)
    collection = client.create_collection("direct", embedding_function=function)
    collection.add(
        ids=["1", "2"], documents=["Lisbon is the capital of Portugal.", "Cats purr when happy."]
    )
    result = collection.query(query_texts=["capital city of Portugal"], n_results=1)
    assert result["ids"] == [["1"]]
    # Registered with Chroma: reopening without a function rebuilds ours from the config.
    again = _client(tmp_path).get_collection("direct")
    assert again.query(query_texts=["purring cats"], n_results=1)["ids"] == [["2"]]
    rebuilt = type(function).build_from_config(function.get_config())
    assert rebuilt.embedder.dimension == 128
