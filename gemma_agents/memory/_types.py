"""The memory contract the agent graph and the ``memory`` tools rely on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

__all__ = ["Embedder", "MemoryHit", "MemoryKind", "MemoryStore"]

MemoryKind = Literal["fact", "episode", "document"]


@dataclass(frozen=True)
class MemoryHit:
    """One recalled memory; ``score`` is a similarity in [0, 1], higher is closer."""

    id: str
    text: str
    score: float
    metadata: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Embedder(Protocol):
    """Turns text into vectors. ``name`` and ``dimension`` are recorded on collections."""

    name: str
    dimension: int

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


@runtime_checkable
class MemoryStore(Protocol):
    """Long-term memory, namespaced per user."""

    def add(
        self,
        text: str,
        *,
        user: str = "default",
        kind: MemoryKind = "fact",
        thread: str | None = None,
        source: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> str: ...

    def search(
        self,
        query: str,
        *,
        user: str = "default",
        k: int = 5,
        threshold: float | None = None,
        kinds: Sequence[MemoryKind] | None = None,
    ) -> list[MemoryHit]: ...

    def forget(
        self,
        ids: Sequence[str] | None = None,
        *,
        user: str | None = None,
        where: Mapping[str, Any] | None = None,
    ) -> int: ...
