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

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..config import data_dir
from ..exceptions import ConfigError, EmbedderMismatch, MemoryStoreError, RuntimeUnavailable
from ._base import BaseMemory
from ._records import RecordSettings, cosine_score
from ._types import MemoryHit
from .adapters import coerce_embedder

__all__ = ["ChromaMemory", "read_collection_embedder", "reembed_collection"]

META_EMBEDDER = "gemma_agents_embedder"
META_DIMENSION = "gemma_agents_dimension"
META_CREATED = "gemma_agents_created"
_REEMBED_SUFFIX = "__reembed"
_PAGE = 1000
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$")
_REEMBED_HINT = "re-embed it with `gemma-agents memory reembed --embedder SPEC`"


def _settings() -> Any:
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False)


def make_client(
    path: str | Path | None = None, *, host: str | None = None, port: int = 8000
) -> tuple[Any, str]:
    """A Chroma client and a printable location; a server when ``host`` is given."""
    import chromadb

    if host:
        try:
            client = chromadb.HttpClient(host=host, port=port, settings=_settings())
            client.heartbeat()
        except Exception as exc:
            raise RuntimeUnavailable(
                f"cannot reach the Chroma server at {host}:{port}: {exc}",
                hint="start one with `chroma run --path DIR --port PORT`, or drop host= to "
                "use the embedded store",
            ) from exc
        return client, f"http://{host}:{port}"
    where = Path(path).expanduser() if path is not None else data_dir() / "memory"
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the memory directory {where}: {exc.strerror or exc}",
            hint="set GEMMA_AGENTS_HOME to a writable directory or pass path=",
        ) from exc
    return chromadb.PersistentClient(path=str(where), settings=_settings()), str(where)


def _describe(client: Any) -> str:
    """Where a client's data lives, for messages: a directory or a server URL."""
    try:
        settings = client.get_settings()
    except Exception:
        return type(client).__name__
    if getattr(settings, "is_persistent", False) and settings.persist_directory:
        return str(settings.persist_directory)
    host = getattr(settings, "chroma_server_host", None)
    if host:
        return f"http://{host}:{settings.chroma_server_http_port}"
    return type(client).__name__


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
        raise ConfigError(
            f"invalid collection name {name!r}",
            hint="use 3-512 characters from [A-Za-z0-9._-], starting and ending with a "
            "letter or digit",
        )
    return name


def _get(client: Any, name: str) -> Any | None:
    from chromadb.errors import NotFoundError

    try:
        return client.get_collection(name, embedding_function=None)
    except NotFoundError:
        return None


def _recover_interrupted_swap(client: Any, name: str) -> None:
    """Finish a re-embed that stopped between deleting the old and renaming the new."""
    if _get(client, name) is None:
        staged = _get(client, name + _REEMBED_SUFFIX)
        if staged is not None:
            staged.modify(name=name)


def read_collection_embedder(client: Any, name: str) -> tuple[str, int] | None:
    """``(embedder name, dimension)`` recorded on a collection, or ``None``."""
    _recover_interrupted_swap(client, name)
    collection = _get(client, name)
    meta = (collection.metadata or {}) if collection is not None else {}
    if META_EMBEDDER not in meta:
        return None
    return str(meta[META_EMBEDDER]), int(meta.get(META_DIMENSION, 0))


def _create(client: Any, name: str, embedder: Any) -> Any:
    return client.get_or_create_collection(
        name,
        configuration={"hnsw": {"space": "cosine"}},
        metadata={
            META_EMBEDDER: embedder.name,
            META_DIMENSION: int(embedder.dimension),
            META_CREATED: datetime.now(UTC).isoformat(timespec="seconds"),
        },
        embedding_function=None,
    )


def _space(collection: Any) -> str | None:
    config = getattr(collection, "configuration", None) or {}
    for index in ("hnsw", "spann"):
        section = config.get(index) if isinstance(config, Mapping) else None
        if section and section.get("space"):
            return str(section["space"])
    return (collection.metadata or {}).get("hnsw:space")


def _open(client: Any, name: str, embedder: Any, location: str) -> Any:
    _recover_interrupted_swap(client, name)
    collection = _create(client, name, embedder)
    meta = collection.metadata or {}
    recorded = meta.get(META_EMBEDDER)
    if recorded is None:  # a collection gemma-agents did not create
        if collection.count():
            raise MemoryStoreError(
                f"collection {name!r} at {location} was not created by gemma-agents",
                hint="pass another collection= name; gemma-agents needs its own collection",
            )
        space = _space(collection)
        if space not in ("cosine", None):
            raise MemoryStoreError(
                f"collection {name!r} at {location} uses {space!r} distance; memory scores "
                "need cosine",
                hint="pass another collection= name and let gemma-agents create it",
            )
        collection.modify(
            metadata={**meta, META_EMBEDDER: embedder.name, META_DIMENSION: int(embedder.dimension)}
        )
        return collection
    dimension = int(meta.get(META_DIMENSION, 0))
    if recorded != embedder.name or dimension != int(embedder.dimension):
        raise EmbedderMismatch(
            f"collection {name!r} at {location} was written by embedder {recorded!r} "
            f"({dimension} dimensions); opening it with {embedder.name!r} "
            f"({embedder.dimension} dimensions) would mix vector spaces",
            hint=f"open it with the embedder that wrote it, or {_REEMBED_HINT}",
        )
    return collection


def _copy_reembedded(
    client: Any,
    name: str,
    embedder: Any,
    batch_size: int,
    progress: Callable[[int, int], None] | None,
) -> int:
    """Re-embed every record of ``name`` into a staged collection, then swap it in.

    The old collection stays untouched until the copy is complete; a crash before the swap
    leaves it as it was, a crash during the swap is finished by the next open.
    """
    _recover_interrupted_swap(client, name)
    source = _get(client, name)
    if source is None:
        raise MemoryStoreError(f"no collection {name!r} to re-embed")
    staged_name = name + _REEMBED_SUFFIX
    if _get(client, staged_name) is not None:
        client.delete_collection(staged_name)  # leftover of an earlier failed attempt
    staged = _create(client, staged_name, embedder)
    total = source.count()
    done = 0
    while True:
        page = source.get(include=["documents", "metadatas"], limit=batch_size, offset=done)
        if not page["ids"]:
            break
        documents = [d or "" for d in page["documents"]]
        staged.add(
            ids=page["ids"],
            embeddings=embedder.embed_documents(documents),
            documents=documents,
            metadatas=page["metadatas"],
        )
        done += len(page["ids"])
        if progress is not None:
            progress(done, total)
    client.delete_collection(name)
    staged.modify(name=name)
    return done


def reembed_collection(
    embedder: Any,
    path: str | Path | None = None,
    *,
    host: str | None = None,
    port: int = 8000,
    client: Any = None,
    collection: str = "memories",
    batch_size: int = 256,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Move a collection to ``embedder`` without needing the embedder that wrote it.

    The stored texts are re-embedded (they are kept verbatim, already redacted), so the
    old embedder (a server that is gone, a Chroma function we cannot rebuild) is not
    needed. Returns the number of memories re-embedded.
    """
    if client is None:
        client, _ = make_client(path, host=host, port=port)
    return _copy_reembedded(
        client, _check_name(collection), coerce_embedder(embedder), max(1, batch_size), progress
    )


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
        self.name = _check_name(collection)
        if client is not None:
            self.client, self._location = client, _describe(client)
        else:
            self.client, self._location = make_client(path, host=host, port=port)
        self._max_batch = int(self.client.get_max_batch_size())
        self.collection = _open(self.client, self.name, self.embedder, self._location)

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
            done = _copy_reembedded(self.client, self.name, new, max(1, batch_size), progress)
            self.embedder = new
            self.collection = _open(self.client, self.name, new, self._location)
        return done
