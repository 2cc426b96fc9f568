"""``gemma-agents memory``: inspect and manage the long-term memory store.

``add`` ingests files (chunked) or a single ``--text``; ``search`` shows what recall would
find for a user; ``forget`` deletes by id or user; ``stats`` counts per user and kind;
``reembed`` moves the collection to another embedder.

The store is the embedded Chroma under the data dir (``GEMMA_AGENTS_HOME``) unless
``--path`` or ``--host`` say otherwise. Without ``--embedder`` an existing collection is
opened with the embedder that wrote it (its name is recorded on the collection), and a
new one gets the offline default (``llamacpp``), so day-to-day commands need no flags.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import typer

__all__ = ["register"]

T = TypeVar("T")

_EMBEDDER_HELP = "llamacpp[:MODEL] | hashing[:DIM] | ollama[:MODEL]; default: the one recorded on the collection, else llamacpp."


def _guard(action: Callable[[], T]) -> T:
    """Run ``action``; print our errors (with their hint) instead of a traceback."""
    from ..exceptions import GemmaAgentsError, UserError

    try:
        return action()
    except GemmaAgentsError as exc:
        typer.secho(f"error: {exc.message}", fg="red", err=True)
        if exc.hint:
            typer.echo(f"  -> {exc.hint}", err=True)
        raise typer.Exit(2 if isinstance(exc, UserError) else 1) from None


class _StoreOptions:
    def __init__(
        self,
        path: Path | None,
        collection: str,
        embedder: str | None,
        host: str | None,
        port: int,
    ) -> None:
        self.path, self.collection, self.embedder = path, collection, embedder
        self.host, self.port = host, port

    def exists(self) -> bool:
        """Whether there may be a store to read (never creates the directory)."""
        from ..config import data_dir

        return bool(self.host) or (self.path or data_dir() / "memory").expanduser().exists()

    def client(self) -> Any:
        from ..memory._collection import make_client

        return make_client(self.path, host=self.host, port=self.port)[0]

    def recorded(self, client: Any) -> tuple[str, int] | None:
        from ..memory._collection import check_name, read_collection_embedder

        return read_collection_embedder(client, check_name(self.collection))

    def open(self) -> Any:
        from ..memory import ChromaMemory
        from ..memory.embeddings import embedder_from_spec

        client = self.client()
        if self.embedder:
            embedder = embedder_from_spec(self.embedder)
        else:
            recorded = self.recorded(client)
            embedder = embedder_from_spec(*recorded) if recorded else embedder_from_spec("llamacpp")
        return ChromaMemory(client=client, embedder=embedder, collection=self.collection)


def register(app: typer.Typer) -> None:
    """Attach the ``memory`` command group to the main app."""
    group = typer.Typer(help="Manage long-term memory (Chroma).", no_args_is_help=True)

    @group.command("add", help="Ingest text files as document memories, or --text facts.")
    def add_cmd(
        files: list[Path] | None = typer.Argument(None, help="Text files to ingest (chunked)."),
        text: list[str] = typer.Option([], "--text", "-t", help="Remember this text (repeatable)."),
        user: str = typer.Option("default", "--user", "-u", help="Whose memory."),
        kind: str = typer.Option("fact", "--kind", help="Kind for --text: fact|episode|document."),
        chunk_chars: int = typer.Option(800, "--chunk-chars", help="Max characters per chunk."),
        overlap: int = typer.Option(100, "--overlap", help="Characters shared by chunks."),
        path: Path | None = typer.Option(None, "--path", help="Store directory."),
        collection: str = typer.Option("memories", "--collection", help="Collection name."),
        embedder: str | None = typer.Option(None, "--embedder", help=_EMBEDDER_HELP),
        host: str | None = typer.Option(None, "--host", help="Chroma server host."),
        port: int = typer.Option(8000, "--port", help="Chroma server port."),
    ) -> None:
        from ..memory import ingest_file

        if not files and not text:
            typer.secho("error: give FILE arguments or --text", fg="red", err=True)
            raise typer.Exit(2)
        for file in files or []:  # fail before touching the store
            if not file.is_file():
                typer.secho(f"error: no such file: {file}", fg="red", err=True)
                raise typer.Exit(2)
        store = _guard(_StoreOptions(path, collection, embedder, host, port).open)
        total = 0
        for item in text:
            memory_id = _guard(partial(store.add, item, user=user, kind=kind))
            typer.echo(f"{memory_id}  {item[:60]}")
            total += 1
        for file in files or []:
            ids = _guard(
                partial(
                    ingest_file, store, file, user=user, chunk_chars=chunk_chars, overlap=overlap
                )
            )
            typer.echo(f"{file}: {len(ids)} chunk(s)")
            total += len(ids)
        typer.echo(f"stored {total} memor{'y' if total == 1 else 'ies'} for user {user!r}")

    @group.command("search", help="Show the memories recall would find for a query.")
    def search_cmd(
        query: str = typer.Argument(..., help="What to look up."),
        user: str = typer.Option("default", "--user", "-u", help="Whose memory."),
        k: int = typer.Option(5, "-k", help="How many results."),
        threshold: float | None = typer.Option(None, "--threshold", help="Minimum score 0..1."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
        path: Path | None = typer.Option(None, "--path", help="Store directory."),
        collection: str = typer.Option("memories", "--collection", help="Collection name."),
        embedder: str | None = typer.Option(None, "--embedder", help=_EMBEDDER_HELP),
        host: str | None = typer.Option(None, "--host", help="Chroma server host."),
        port: int = typer.Option(8000, "--port", help="Chroma server port."),
    ) -> None:
        store = _guard(_StoreOptions(path, collection, embedder, host, port).open)
        hits = _guard(lambda: store.search(query, user=user, k=k, threshold=threshold))
        if as_json:
            typer.echo(json.dumps([_hit_record(h) for h in hits], indent=2))
            return
        if not hits:
            typer.echo(f"no memories found for user {user!r}")
            return
        from rich.console import Console
        from rich.table import Table

        table = Table("score", "kind", "when", "text", "id", title=f"memories of {user!r}")
        for hit in hits:
            meta = hit.metadata
            table.add_row(
                f"{hit.score:.3f}",
                str(meta.get("kind", "")),
                str(meta.get("time_iso", ""))[:16],
                _one_line(hit.text, 120),
                hit.id,
            )
        Console(width=160).print(table)

    @group.command("forget", help="Delete memories by --id and/or --user.")
    def forget_cmd(
        ids: list[str] = typer.Option([], "--id", help="Memory id (repeatable)."),
        user: str | None = typer.Option(None, "--user", "-u", help="Delete this user's memories."),
        yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before deleting a user."),
        path: Path | None = typer.Option(None, "--path", help="Store directory."),
        collection: str = typer.Option("memories", "--collection", help="Collection name."),
        embedder: str | None = typer.Option(None, "--embedder", help=_EMBEDDER_HELP),
        host: str | None = typer.Option(None, "--host", help="Chroma server host."),
        port: int = typer.Option(8000, "--port", help="Chroma server port."),
    ) -> None:
        if not ids and user is None:
            typer.secho("error: give --id ID and/or --user USER", fg="red", err=True)
            raise typer.Exit(2)
        if user is not None and not ids and not yes:
            typer.confirm(f"Delete every memory of user {user!r}?", abort=True)
        store = _guard(_StoreOptions(path, collection, embedder, host, port).open)
        count = _guard(lambda: store.forget(ids or None, user=user))
        typer.echo(f"forgot {count} memor{'y' if count == 1 else 'ies'}")

    @group.command("stats", help="Count memories per user and kind; show the embedder.")
    def stats_cmd(
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
        path: Path | None = typer.Option(None, "--path", help="Store directory."),
        collection: str = typer.Option("memories", "--collection", help="Collection name."),
        embedder: str | None = typer.Option(None, "--embedder", help=_EMBEDDER_HELP),
        host: str | None = typer.Option(None, "--host", help="Chroma server host."),
        port: int = typer.Option(8000, "--port", help="Chroma server port."),
    ) -> None:
        options = _StoreOptions(path, collection, embedder, host, port)
        recorded = None
        if options.exists():
            client = _guard(options.client)
            recorded = _guard(lambda: options.recorded(client))
        if recorded is None:
            typer.echo(f"no collection {collection!r} yet (nothing remembered)")
            return
        store = _guard(options.open)
        stats = _guard(store.stats)
        if as_json:
            typer.echo(json.dumps(dict(stats), indent=2))
            return
        typer.echo(f"store:     {stats['location']}")
        typer.echo(f"embedder:  {stats['embedder']} ({stats['dimension']} dimensions)")
        typer.echo(f"memories:  {stats['count']}")
        for label, key in (("per user", "users"), ("per kind", "kinds")):
            parts = ", ".join(f"{name}={n}" for name, n in stats[key].items())
            typer.echo(f"{label + ':':<10} {parts or '-'}")

    @group.command("reembed", help="Re-embed the whole collection with another embedder.")
    def reembed_cmd(
        embedder: str = typer.Option("llamacpp", "--embedder", help=_EMBEDDER_HELP),
        batch_size: int = typer.Option(256, "--batch-size", help="Memories per batch."),
        path: Path | None = typer.Option(None, "--path", help="Store directory."),
        collection: str = typer.Option("memories", "--collection", help="Collection name."),
        host: str | None = typer.Option(None, "--host", help="Chroma server host."),
        port: int = typer.Option(8000, "--port", help="Chroma server port."),
    ) -> None:
        from ..memory import reembed_collection
        from ..memory.embeddings import embedder_from_spec

        options = _StoreOptions(path, collection, embedder, host, port)
        client = _guard(options.client) if options.exists() else None
        if client is None or _guard(lambda: options.recorded(client)) is None:
            typer.secho(f"error: no collection {collection!r} to re-embed", fg="red", err=True)
            raise typer.Exit(1)
        new = _guard(lambda: embedder_from_spec(embedder))
        count = _guard(
            lambda: reembed_collection(
                new, client=client, collection=collection, batch_size=batch_size
            )
        )
        typer.echo(f"re-embedded {count} memories with {new.name} ({new.dimension} dimensions)")

    app.add_typer(group, name="memory")


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def _hit_record(hit: Any) -> dict[str, Any]:
    return {"id": hit.id, "score": round(hit.score, 4), "text": hit.text, **dict(hit.metadata)}
