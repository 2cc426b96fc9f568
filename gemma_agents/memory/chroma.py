"""Long-term memory on Chroma: embedded (PersistentClient) or a Chroma server (HttpClient).

The collection remembers which embedder wrote it (``gemma_agents_embedder`` and
``gemma_agents_dimension`` in the collection metadata). Vectors from two embedders live in
different spaces, and a similarity between them is meaningless, so opening a collection
with another embedder raises :class:`~gemma_agents.exceptions.EmbedderMismatch` instead
of silently mixing them; ``gemma-agents memory reembed`` (or :meth:`ChromaMemory.reembed`)
moves a collection to a new embedder.

Vectors are computed here and passed to Chroma explicitly; see
:mod:`gemma_agents.memory.adapters` for why no embedding function is attached.
chromadb is imported lazily: ``import gemma_agents`` never loads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from ._base import BaseMemory
from ._collection import (
    check_name,
    copy_reembedded,
    describe_client,
    make_client,
    open_collection,
    read_collection_embedder,
    reembed_collection,
)
from ._records import RecordSettings, cosine_score
from ._types import MemoryHit
from .adapters import coerce_embedder

__all__ = ["ChromaMemory", "read_collection_embedder", "reembed_collection"]

_PAGE = 1000


class ChromaMemory(BaseMemory):
    """Persistent, per-user long-term memory in a Chroma collection (cosine space).

    Args:
        path: Directory of the embedded store; ``data_dir()/"memory"`` by default.
        host: Chroma server host; when given, an ``HttpClient`` is used instead of files.
        port: Chroma server port.
        client: An existing Chroma client (wins over ``path``/``host``).
        embedder: Our :class:`Embedder`, a Chroma ``EmbeddingFunction``, or ``None`` for
            the offline default (``LlamaCppEmbedder``, the embedded Gemma 270M).
        collection: Collection name.
        dedupe_threshold: Writes this similar to one of the user's memories are merged.
        ttl: Memories older than this are skipped by ``search`` and deleted by ``prune``.
        redactor: Applied to text and string metadata before embedding and storage.

    Raises:
        EmbedderMismatch: The collection was written by another embedder.
        RuntimeUnavailable: The Chroma server cannot be reached.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        host: str | None = None,
        port: int = 8000,
        client: Any = None,
        embedder: Any = None,
        collection: str = "memories",
        dedupe_threshold: float | None = 0.95,
        ttl: timedelta | None = None,
        redactor: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__(
            coerce_embedder(embedder),
            RecordSettings(dedupe_threshold=dedupe_threshold, ttl=ttl, redactor=redactor),
        )
        self.name = check_name(collection)
        if client is not None:
            self.client, self._location = client, describe_client(client)
        else:
            self.client, self._location = make_client(path, host=host, port=port)
        self._max_batch = int(self.client.get_max_batch_size())
        self.collection = open_collection(self.client, self.name, self.embedder, self._location)

    def __repr__(self) -> str:
        return f"ChromaMemory({self._location!r}, collection={self.name!r}, embedder={self.embedder!r})"

    @property
    def location(self) -> str:
        return f"{self._location} [{self.name}]"

    def _chunks(self, n: int) -> Iterator[slice]:
        step = max(1, self._max_batch)
        for start in range(0, n, step):
            yield slice(start, start + step)

    def _insert(
        self,
        ids: list[str],
        texts: list[str],
        vectors: list[list[float]],
        metadatas: list[dict[str, Any]],
    ) -> None:
        for part in self._chunks(len(ids)):
            self.collection.add(
                ids=ids[part],
                embeddings=vectors[part],
                documents=texts[part],
                metadatas=metadatas[part],
            )

    def _nearest(
        self, vectors: list[list[float]], where: dict[str, Any], k: int
    ) -> list[list[MemoryHit]]:
        if not vectors:
            return []
        result = self.collection.query(
            query_embeddings=vectors,
            n_results=k,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        out: list[list[MemoryHit]] = []
        for ids, docs, metas, dists in zip(
            result["ids"],
            result["documents"],
            result["metadatas"],
            result["distances"],
            strict=True,
        ):
            out.append(
                [
                    MemoryHit(id=i, text=d or "", score=cosine_score(dist), metadata=dict(m or {}))
                    for i, d, m, dist in zip(ids, docs, metas, dists, strict=True)
                ]
            )
        return out

    def _touch(self, ids: list[str], metadatas: list[dict[str, Any]]) -> None:
        self.collection.update(ids=ids, metadatas=metadatas)

    def _select(self, ids: list[str] | None, where: dict[str, Any] | None) -> list[str]:
        found: list[str] = []
        if ids is not None:
            for part in self._chunks(len(ids)):
                found += self.collection.get(ids=ids[part], where=where, include=[])["ids"]
            return found
        while True:  # ids only, paged: cheap even for large collections
            page = self.collection.get(where=where, include=[], limit=_PAGE * 10, offset=len(found))
            found += page["ids"]
            if len(page["ids"]) < _PAGE * 10:
                return found

    def _delete(self, ids: list[str]) -> None:
        for part in self._chunks(len(ids)):
            self.collection.delete(ids=ids[part])

    def _iter_metadata(self) -> Iterator[Mapping[str, Any]]:
        offset = 0
        while True:
            page = self.collection.get(include=["metadatas"], limit=_PAGE, offset=offset)
            for meta in page["metadatas"] or []:
                yield meta or {}
            offset += len(page["ids"])
            if len(page["ids"]) < _PAGE:
                return

    def count(self) -> int:
        return int(self.collection.count())

    def get(self, memory_id: str) -> MemoryHit | None:
        """The stored record (text as stored, i.e. redacted), or ``None``."""
        page = self.collection.get(ids=[memory_id], include=["documents", "metadatas"])
        if not page["ids"]:
            return None
        return MemoryHit(
            memory_id, page["documents"][0] or "", 1.0, dict(page["metadatas"][0] or {})
        )

    def reembed(
        self,
        embedder: Any,
        *,
        batch_size: int = 256,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Re-embed the whole collection with ``embedder`` and switch this store to it.

        Returns:
            The number of memories re-embedded.
        """
        new = coerce_embedder(embedder)
        with self._lock:
            done = copy_reembedded(self.client, self.name, new, max(1, batch_size), progress)
            self.embedder = new
            self.collection = open_collection(self.client, self.name, new, self._location)
        return done
