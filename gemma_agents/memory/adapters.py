"""Bridges between our :class:`Embedder` protocol and Chroma's ``EmbeddingFunction``.

Both directions are useful: users who already have a Chroma embedding function (OpenAI,
sentence-transformers, a cloud one) pass it to :class:`ChromaMemory` and it is wrapped by
:class:`ChromaEmbedderAdapter`; users who work with Chroma directly can hand our embedders
to their own collections through :func:`as_chroma_embedding_function`.

``ChromaMemory`` itself always passes vectors explicitly (``embeddings=`` /
``query_embeddings=``) instead of attaching an embedding function to the collection: that
keeps EmbeddingGemma's separate query/document prefixes, works unchanged against a
remote Chroma server that cannot run our code, and leaves the vector-space bookkeeping to
the collection metadata we check on open.

chromadb is imported only inside functions, never when this module is imported.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from inspect import getattr_static
from typing import Any

from ..exceptions import ConfigError, MemoryStoreError
from ._records import l2_normalise

__all__ = ["ChromaEmbedderAdapter", "as_chroma_embedding_function", "coerce_embedder"]


def _to_lists(vectors: Any) -> list[list[float]]:
    return [[float(x) for x in v] for v in vectors]


def _chroma_name(function: Any) -> str:
    """The name Chroma 1.x functions report via ``name()``, else the class name."""
    try:
        name = function.name()
    except Exception:
        name = NotImplemented
    if not isinstance(name, str) or not name:
        name = type(function).__name__
    return name


class ChromaEmbedderAdapter:
    """Use any Chroma ``EmbeddingFunction`` as our :class:`Embedder`.

    ``name`` is ``chroma:<function name>`` (from Chroma 1.x's ``name()``, else the class);
    ``dimension`` is measured on first use because Chroma functions do not declare it.
    Queries go through the function's ``embed_query`` when it has one (Chroma 1.x lets
    functions embed queries differently from documents).
    """

    def __init__(self, function: Any) -> None:
        if not callable(function):
            raise ConfigError(
                f"embedder {function!r} is neither an Embedder nor a Chroma EmbeddingFunction",
                hint="pass HashingEmbedder(), LlamaCppEmbedder(), OllamaEmbedder() or a "
                "chromadb EmbeddingFunction",
            )
        self.function = function
        self.name = f"chroma:{_chroma_name(function)}"
        self._dimension: int | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ChromaEmbedderAdapter({self.name!r})"

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self._dimension = len(self.embed_documents(["dimension probe"])[0])
        return self._dimension

    def _check(self, vectors: list[list[float]], expected: int) -> list[list[float]]:
        if len(vectors) != expected:
            raise MemoryStoreError(
                f"{self.name} returned {len(vectors)} embeddings for {expected} texts"
            )
        return [l2_normalise(v) for v in vectors]

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            vectors = _to_lists(self.function(list(texts)))
        return self._check(vectors, len(texts))

    def embed_query(self, text: str) -> list[float]:
        query = getattr(self.function, "embed_query", None)
        with self._lock:
            raw = query([text]) if callable(query) else self.function([text])
        return self._check(_to_lists(raw), 1)[0]


def is_embedder(candidate: object) -> bool:
    """Whether ``candidate`` implements our protocol, without touching lazy properties.

    ``isinstance(x, Embedder)`` on Python 3.11 evaluates ``x.dimension``, which for the
    llama.cpp embedder would load the model; inspecting the class statically does not.
    """
    if isinstance(candidate, type):
        return False
    for attr in ("name", "dimension", "embed_documents", "embed_query"):
        try:
            getattr_static(candidate, attr)
        except AttributeError:
            return False
    return callable(getattr(candidate, "embed_documents", None))


def coerce_embedder(embedder: Any) -> Any:
    """Our embedder as is; a Chroma function wrapped; ``None`` becomes the offline default."""
    if embedder is None:
        from .embeddings import LlamaCppEmbedder

        return LlamaCppEmbedder()
    if is_embedder(embedder):
        return embedder
    return ChromaEmbedderAdapter(embedder)


def as_chroma_embedding_function(embedder: Any) -> Any:
    """Wrap one of our embedders as a Chroma 1.x ``EmbeddingFunction``.

    The returned object implements everything Chroma 1.x checks (``__call__``,
    ``embed_query``, ``name``, ``get_config``, ``build_from_config``, cosine as default
    space), and its class is registered with Chroma as ``gemma_agents``, so a collection
    created with it can be reopened by name and rebuilt from its stored config.
    """
    return _function_class()(embedder)


_FUNCTION_CLASS: Any = None


def _function_class() -> Any:
    """Define (once) the EmbeddingFunction subclass; deferred so chromadb loads lazily."""
    global _FUNCTION_CLASS
    if _FUNCTION_CLASS is not None:
        return _FUNCTION_CLASS

    import numpy as np
    from chromadb.api.types import EmbeddingFunction
    from chromadb.utils.embedding_functions import (
        known_embedding_functions,
        register_embedding_function,
    )

    class GemmaAgentsEmbeddingFunction(EmbeddingFunction):  # type: ignore[type-arg]
        """A gemma-agents embedder speaking Chroma's EmbeddingFunction protocol."""

        def __init__(self, embedder: Any) -> None:
            self.embedder = embedder

        def __call__(self, input: Any) -> Any:
            return [
                np.asarray(v, dtype=np.float32) for v in self.embedder.embed_documents(list(input))
            ]

        def embed_query(self, input: Any) -> Any:
            return [np.asarray(self.embedder.embed_query(t), dtype=np.float32) for t in input]

        @staticmethod
        def name() -> str:
            return "gemma_agents"

        def default_space(self) -> Any:
            return "cosine"

        def supported_spaces(self) -> Any:
            return ["cosine"]

        def get_config(self) -> dict[str, Any]:
            return {"embedder": self.embedder.name, "dimension": self.embedder.dimension}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> Any:
            from .embeddings import embedder_from_spec

            return GemmaAgentsEmbeddingFunction(
                embedder_from_spec(str(config["embedder"]), config.get("dimension"))
            )

    if "gemma_agents" not in known_embedding_functions:
        register_embedding_function(GemmaAgentsEmbeddingFunction)
    _FUNCTION_CLASS = GemmaAgentsEmbeddingFunction
    return _FUNCTION_CLASS
