"""The store logic both memory backends share; backends only move vectors around.

Writing a memory is the same everywhere: validate, redact, embed, merge near-duplicates,
stamp metadata. Reading is the same too: always filter on the user (and TTL and kinds),
convert distances to [0, 1] scores, apply the threshold. Keeping that here means
:class:`~gemma_agents.memory.InMemoryMemory` (tests, benchmarks) and
:class:`~gemma_agents.memory.ChromaMemory` (production) cannot drift apart.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ..exceptions import MemoryStoreError, UserError
from ._records import (
    RecordSettings,
    build_metadata,
    check_kinds,
    combine_where,
    new_memory_id,
    search_where,
    validate_text,
)
from ._types import MemoryHit, MemoryKind

__all__ = ["BaseMemory", "MemoryStats"]


class MemoryStats(dict[str, Any]):
    """``count``, ``users`` (count per user), ``kinds`` (count per kind), ``embedder``,
    ``dimension`` and ``location``: what ``gemma-agents memory stats`` prints."""


class BaseMemory(ABC):
    """Shared write/read rules; subclasses implement the six storage primitives."""

    embedder: Any
    settings: RecordSettings

    def __init__(self, embedder: Any, settings: RecordSettings) -> None:
        self.embedder = embedder
        self.settings = settings
        self._lock = threading.RLock()

    # --- storage primitives -----------------------------------------------------------

    @abstractmethod
    def _insert(
        self,
        ids: list[str],
        texts: list[str],
        vectors: list[list[float]],
        metadatas: list[dict[str, Any]],
    ) -> None: ...

    @abstractmethod
    def _nearest(
        self, vectors: list[list[float]], where: dict[str, Any], k: int
    ) -> list[list[MemoryHit]]:
        """Top-``k`` hits per query vector among records matching ``where``."""

    @abstractmethod
    def _touch(self, ids: list[str], metadatas: list[dict[str, Any]]) -> None:
        """Merge ``metadatas`` into the existing records ``ids``."""

    @abstractmethod
    def _select(self, ids: list[str] | None, where: dict[str, Any] | None) -> list[str]:
        """Ids of records matching both ``ids`` (when given) and ``where``."""

    @abstractmethod
    def _delete(self, ids: list[str]) -> None: ...

    @abstractmethod
    def _iter_metadata(self) -> Iterator[Mapping[str, Any]]: ...

    @abstractmethod
    def count(self) -> int:
        """Number of stored memories (all users, expired ones included until pruned)."""

    # --- writes -----------------------------------------------------------------------

    def add(
        self,
        text: str,
        *,
        user: str = "default",
        kind: MemoryKind = "fact",
        thread: str | None = None,
        source: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> str:
        """Remember ``text`` for ``user``; returns its id (an existing one when merged).

        A write whose similarity to one of the user's live memories is at least
        ``dedupe_threshold`` is merged into it: its timestamp is refreshed (which also
        restarts its TTL), its ``seen`` counter grows and its id is returned.
        """
        return self.add_many(
            [text],
            user=user,
            kind=kind,
            thread=thread,
            source=source,
            metadatas=[metadata] if metadata is not None else None,
        )[0]

    def add_many(
        self,
        texts: Sequence[str],
        *,
        user: str = "default",
        kind: MemoryKind = "fact",
        thread: str | None = None,
        source: str | None = None,
        metadatas: Sequence[Mapping[str, Any] | None] | None = None,
        batch_size: int = 256,
        dedupe: bool | float = True,
    ) -> list[str]:
        """Remember many texts for one user, embedding and writing them in batches.

        Args:
            texts: The memories; each is validated and redacted like :meth:`add`.
            metadatas: Optional per-text metadata, same length as ``texts``.
            batch_size: Texts embedded and written per round trip.
            dedupe: Merge near-duplicates (against the store and within the call); a
                float overrides the store's ``dedupe_threshold`` for this call (document
                ingestion uses 0.999: re-ingesting a file merges, similar chunks do not).

        Returns:
            One id per input text, in order; merged texts get the id they merged into.
        """
        if isinstance(texts, str):
            raise UserError("add_many takes a sequence of texts", hint="use add() for one text")
        if metadatas is not None and len(metadatas) != len(texts):
            raise UserError(
                f"metadatas has {len(metadatas)} entries for {len(texts)} texts",
                hint="pass one metadata mapping (or None) per text",
            )
        now = time.time()
        records = [
            (
                self.settings.redact(validate_text(t)),
                build_metadata(
                    user=user,
                    kind=kind,
                    thread=thread,
                    source=source,
                    metadata=metadatas[i] if metadatas is not None else None,
                    settings=self.settings,
                    now=now,
                ),
            )
            for i, t in enumerate(texts)
        ]
        ids: list[str] = []
        with self._lock:
            for start in range(0, len(records), max(1, batch_size)):
                ids.extend(
                    self._write_batch(records[start : start + batch_size], user, dedupe, now)
                )
        return ids

    def _write_batch(
        self,
        records: list[tuple[str, dict[str, Any]]],
        user: str,
        dedupe: bool | float,
        now: float,
    ) -> list[str]:
        texts = [r[0] for r in records]
        vectors = self.embedder.embed_documents(texts)
        if len(vectors) != len(texts):
            raise MemoryStoreError(
                f"embedder {self.embedder.name} returned {len(vectors)} vectors for {len(texts)} texts"
            )
        threshold = self.settings.dedupe_threshold
        if not isinstance(dedupe, bool):
            threshold = float(dedupe)
        out: list[str | int | None] = [None] * len(records)
        if dedupe is not False and threshold is not None and threshold <= 1.0:
            where = search_where(user, None, self.settings.cutoff(now))
            touched: dict[str, dict[str, Any]] = {}
            for i, hits in enumerate(self._nearest(vectors, where, 1)):
                if hits and hits[0].score >= threshold:
                    hit = hits[0]
                    out[i] = hit.id
                    seen = int(touched.get(hit.id, hit.metadata).get("seen", 1)) + 1
                    touched[hit.id] = {
                        "time": now,
                        "time_iso": datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds"),
                        "seen": seen,
                    }
            if touched:
                self._touch(list(touched), list(touched.values()))
            _merge_within_batch(vectors, out, threshold)
        new = [i for i, v in enumerate(out) if v is None]
        fresh_ids = {i: new_memory_id() for i in new}
        for i, value in enumerate(out):
            if isinstance(value, int):  # merged into an earlier (new) item of this batch
                records[value][1]["seen"] += 1
                out[i] = fresh_ids[value]
        for i in new:
            out[i] = fresh_ids[i]
        if new:
            self._insert(
                [fresh_ids[i] for i in new],
                [records[i][0] for i in new],
                [vectors[i] for i in new],
                [records[i][1] for i in new],
            )
        return [str(v) for v in out]

    # --- reads ------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        user: str = "default",
        k: int = 5,
        threshold: float | None = None,
        kinds: Sequence[MemoryKind] | None = None,
    ) -> list[MemoryHit]:
        """The user's ``k`` most similar live memories, best first, scores in [0, 1].

        Only ``user``'s memories are ever considered: the user filter is part of every
        query, not a post-filter, so another user's memory cannot appear even at k=1000.
        """
        if not isinstance(query, str) or not query.strip():
            raise UserError("search query is empty", hint="pass the text to look up")
        if not isinstance(k, int) or k < 1:
            raise UserError(f"k must be a positive int, got {k!r}")
        where = search_where(user, check_kinds(kinds), self.settings.cutoff())
        vector = self.embedder.embed_query(query)
        hits = self._nearest([vector], where, k)[0]
        if threshold is not None:
            hits = [h for h in hits if h.score >= threshold]
        return sorted(hits, key=lambda h: (-h.score, -float(h.metadata.get("time", 0.0))))

    def forget(
        self,
        ids: Sequence[str] | None = None,
        *,
        user: str | None = None,
        where: Mapping[str, Any] | None = None,
    ) -> int:
        """Delete memories by id, by user, by metadata filter, or any combination (AND).

        Returns:
            How many memories were deleted (ids that do not exist are not counted).

        Raises:
            UserError: Nothing to select by: forgetting everything must be explicit
                (``where={"kind": {"$in": ["fact", "episode", "document"]}}``).
        """
        if ids is None and user is None and not where:
            raise UserError(
                "forget() needs ids, a user or a where filter",
                hint="refusing to delete every memory implicitly",
            )
        if isinstance(ids, str):
            ids = [ids]
        selector = combine_where({"user": user} if user is not None else None, where)
        with self._lock:
            found = self._select(list(ids) if ids is not None else None, selector)
            if found:
                self._delete(found)
        return len(found)

    def prune(self) -> int:
        """Delete memories past the TTL; returns how many. A no-op without a TTL."""
        cutoff = self.settings.cutoff()
        if cutoff is None:
            return 0
        with self._lock:
            found = self._select(None, {"time": {"$lt": cutoff}})
            if found:
                self._delete(found)
        return len(found)

    def stats(self) -> MemoryStats:
        """Counts per user and kind, plus the embedder; reads every record's metadata."""
        users: Counter[str] = Counter()
        kinds: Counter[str] = Counter()
        for meta in self._iter_metadata():
            users[str(meta.get("user", "?"))] += 1
            kinds[str(meta.get("kind", "?"))] += 1
        return MemoryStats(
            count=sum(users.values()),
            users=dict(users.most_common()),
            kinds=dict(kinds.most_common()),
            embedder=self.embedder.name,
            dimension=self.embedder.dimension,
            location=self.location,
        )

    @property
    def location(self) -> str:
        return type(self).__name__

    def __len__(self) -> int:
        return self.count()


def _merge_within_batch(vectors: list[list[float]], out: list[Any], threshold: float) -> None:
    """Mark later near-duplicates inside one batch with the index of the first copy."""
    pending = [i for i, v in enumerate(out) if v is None]
    if len(pending) < 2:
        return
    import numpy as np

    matrix = np.asarray([vectors[i] for i in pending], dtype=np.float32)
    sims = matrix @ matrix.T
    kept_rows: list[int] = []
    for row, index in enumerate(pending):
        if kept_rows:
            close = np.nonzero(sims[row, kept_rows] >= threshold)[0]
            if close.size:
                out[index] = pending[kept_rows[int(close[0])]]
                continue
        kept_rows.append(row)
