"""A process-local memory store: exact cosine search over a numpy matrix.

For tests, notebooks and the agent's in-memory recall benchmark: no files, no server,
exact (not approximate) nearest neighbours, and the same semantics as
:class:`~gemma_agents.memory.ChromaMemory` (per-user filter, dedupe, TTL, redaction,
Chroma-style ``where`` filters) because both inherit the rules from one base class.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import Any

from ..exceptions import EmbedderMismatch
from ._base import BaseMemory
from ._records import RecordSettings, matches_where
from ._types import MemoryHit
from .adapters import coerce_embedder

__all__ = ["InMemoryMemory"]


class InMemoryMemory(BaseMemory):
    """Long-term memory held in this process (lost when it exits).

    Args:
        embedder: Our :class:`Embedder` or a Chroma ``EmbeddingFunction``; ``None`` uses
            the offline default (the embedded Gemma 270M).
        dedupe_threshold: Similarity at which a write for the same user merges into an
            existing memory; ``None`` disables merging.
        ttl: Age after which memories are skipped by ``search`` and removed by ``prune``.
        redactor: Applied to text and string metadata before anything is stored.
    """

    def __init__(
        self,
        embedder: Any = None,
        *,
        dedupe_threshold: float | None = 0.95,
        ttl: timedelta | None = None,
        redactor: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__(
            coerce_embedder(embedder),
            RecordSettings(dedupe_threshold=dedupe_threshold, ttl=ttl, redactor=redactor),
        )
        self._ids: list[str] = []
        self._texts: list[str] = []
        self._metas: list[dict[str, Any]] = []
        self._rows: list[list[float]] = []
        self._matrix: Any = None  # numpy cache of _rows, rebuilt after writes

    def __repr__(self) -> str:
        return f"InMemoryMemory(embedder={self.embedder!r}, count={len(self._ids)})"

    def _insert(
        self,
        ids: list[str],
        texts: list[str],
        vectors: list[list[float]],
        metadatas: list[dict[str, Any]],
    ) -> None:
        if self._rows and vectors and len(vectors[0]) != len(self._rows[0]):
            raise EmbedderMismatch(
                f"vector of dimension {len(vectors[0])} for a store of dimension "
                f"{len(self._rows[0])}"
            )
        self._ids.extend(ids)
        self._texts.extend(texts)
        self._rows.extend(list(map(float, v)) for v in vectors)
        self._metas.extend(dict(m) for m in metadatas)
        self._matrix = None

    def _matrix_now(self) -> Any:
        import numpy as np

        if self._matrix is None:
            self._matrix = np.asarray(self._rows, dtype=np.float32)
        return self._matrix

    def _nearest(
        self, vectors: list[list[float]], where: dict[str, Any], k: int
    ) -> list[list[MemoryHit]]:
        import numpy as np

        rows = [i for i, meta in enumerate(self._metas) if matches_where(meta, where)]
        if not rows or not vectors:
            return [[] for _ in vectors]
        sims = np.asarray(vectors, dtype=np.float32) @ self._matrix_now()[rows].T
        out: list[list[MemoryHit]] = []
        for scores in sims:
            order = np.argsort(-scores, kind="stable")[:k]
            out.append(
                [
                    MemoryHit(
                        id=self._ids[rows[j]],
                        text=self._texts[rows[j]],
                        score=min(1.0, max(0.0, float(scores[j]))),
                        metadata=dict(self._metas[rows[j]]),
                    )
                    for j in order
                ]
            )
        return out

    def _touch(self, ids: list[str], metadatas: list[dict[str, Any]]) -> None:
        index = {mid: i for i, mid in enumerate(self._ids)}
        for mid, update in zip(ids, metadatas, strict=True):
            if mid in index:
                self._metas[index[mid]].update(update)

    def _select(self, ids: list[str] | None, where: dict[str, Any] | None) -> list[str]:
        wanted = set(ids) if ids is not None else None
        return [
            mid
            for mid, meta in zip(self._ids, self._metas, strict=True)
            if (wanted is None or mid in wanted) and matches_where(meta, where)
        ]

    def _delete(self, ids: list[str]) -> None:
        drop = set(ids)
        keep = [i for i, mid in enumerate(self._ids) if mid not in drop]
        self._ids = [self._ids[i] for i in keep]
        self._texts = [self._texts[i] for i in keep]
        self._rows = [self._rows[i] for i in keep]
        self._metas = [self._metas[i] for i in keep]
        self._matrix = None

    def _iter_metadata(self) -> Iterator[Mapping[str, Any]]:
        yield from self._metas

    def count(self) -> int:
        return len(self._ids)

    def get(self, memory_id: str) -> MemoryHit | None:
        """The stored record (text as stored, i.e. redacted), or ``None``."""
        try:
            i = self._ids.index(memory_id)
        except ValueError:
            return None
        return MemoryHit(memory_id, self._texts[i], 1.0, dict(self._metas[i]))
