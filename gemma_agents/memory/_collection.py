"""Chroma clients and collection bookkeeping: creation, embedder records, re-embedding.

A gemma-agents collection is a Chroma collection in cosine space whose metadata records
the embedder that wrote it (``gemma_agents_embedder``, ``gemma_agents_dimension``).
Everything that reads or changes that record lives here, next to the re-embed swap that
moves a collection to a new embedder. chromadb is imported inside functions only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..config import data_dir
from ..exceptions import ConfigError, EmbedderMismatch, MemoryStoreError, RuntimeUnavailable
from .adapters import coerce_embedder

__all__ = [
    "check_name",
    "copy_reembedded",
    "describe_client",
    "make_client",
    "open_collection",
    "read_collection_embedder",
    "reembed_collection",
]

META_EMBEDDER = "gemma_agents_embedder"
META_DIMENSION = "gemma_agents_dimension"
META_CREATED = "gemma_agents_created"
_REEMBED_SUFFIX = "__reembed"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,490}[A-Za-z0-9]$")  # room for the suffix
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


def describe_client(client: Any) -> str:
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


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
        raise ConfigError(
            f"invalid collection name {name!r}",
            hint="use 3-492 characters from [A-Za-z0-9._-], starting and ending with a "
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


def open_collection(client: Any, name: str, embedder: Any, location: str) -> Any:
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


def copy_reembedded(
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
    return copy_reembedded(
        client, check_name(collection), coerce_embedder(embedder), max(1, batch_size), progress
    )
