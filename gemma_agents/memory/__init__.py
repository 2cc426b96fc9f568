"""Long-term memory: per-user stores on Chroma (or in process), Gemma embeddings, recall.

Nothing here imports chromadb, numpy or llama_cpp at import time; they load on first use.

    >>> from gemma_agents.memory import ChromaMemory, HashingEmbedder, recall
    >>> store = ChromaMemory("/tmp/mem", embedder=HashingEmbedder())
    >>> store.add("Ada's cat is called Pixel.", user="ada")
    >>> recall(store, "what is my cat's name?", user="ada").block
"""

from __future__ import annotations

from ._types import Embedder, MemoryHit, MemoryKind, MemoryStore
from .adapters import ChromaEmbedderAdapter, as_chroma_embedding_function
from .chroma import ChromaMemory, reembed_collection
from .embeddings import HashingEmbedder, LlamaCppEmbedder, OllamaEmbedder, embedder_from_spec
from .inmemory import InMemoryMemory
from .recall import (
    RecallResult,
    arecall,
    chunk_text,
    estimate_tokens,
    ingest_file,
    recall,
    summarize_episode,
)

__all__ = [
    "ChromaEmbedderAdapter",
    "ChromaMemory",
    "Embedder",
    "HashingEmbedder",
    "InMemoryMemory",
    "LlamaCppEmbedder",
    "MemoryHit",
    "MemoryKind",
    "MemoryStore",
    "OllamaEmbedder",
    "RecallResult",
    "arecall",
    "as_chroma_embedding_function",
    "chunk_text",
    "embedder_from_spec",
    "estimate_tokens",
    "ingest_file",
    "recall",
    "reembed_collection",
    "summarize_episode",
]
