"""Checkpointers: turning ``checkpointer="sqlite"`` into a saver plus its tool journal.

Three backends, one per deployment shape:

- ``"memory"`` (the API default): LangGraph's ``InMemorySaver``; threads live as long as
  the process.
- ``"sqlite"`` or a file path (the CLI default, ``data_dir()/checkpoints.sqlite``):
  ``SqliteSaver`` in WAL mode; survives restarts and ``kill -9``.
- a ``postgresql://`` DSN: ``PostgresSaver`` over psycopg, for several processes serving
  the same threads.

LangGraph's sync savers refuse the async API (``ainvoke`` would fail with
``NotImplementedError``); the subclasses below run their sync methods in a worker thread
instead, so one saver serves ``invoke`` and ``ainvoke`` alike. Each backend is paired with
the tool journal stored in the same place (see :mod:`gemma_agents.graph.journal`).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)
from langgraph.checkpoint.memory import InMemorySaver

from ..config import data_dir
from ..exceptions import AgentRuntimeError, ConfigError
from .journal import MemoryJournal, PostgresJournal, SqliteJournal, ToolJournal

__all__ = ["CheckpointSpec", "Persistence", "mask_dsn", "resolve_checkpointer"]

CheckpointSpec = str | Path | BaseCheckpointSaver | None
_DSN = re.compile(r"^postgres(?:ql)?://", re.IGNORECASE)


class _ThreadedAsyncMixin:
    """Async checkpoint API on top of a thread-safe sync saver (worker threads)."""

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await asyncio.to_thread(self.get_tuple, config)  # type: ignore[attr-defined]

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        items = await asyncio.to_thread(
            lambda: list(
                self.list(config, filter=filter, before=before, limit=limit)  # type: ignore[attr-defined]
            )
        )
        for item in items:
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return await asyncio.to_thread(self.put, config, checkpoint, metadata, new_versions)  # type: ignore[attr-defined]

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        await asyncio.to_thread(self.put_writes, config, writes, task_id, task_path)  # type: ignore[attr-defined]

    async def adelete_thread(self, thread_id: str) -> None:
        await asyncio.to_thread(self.delete_thread, thread_id)  # type: ignore[attr-defined]


def _sqlite_saver_class() -> type[Any]:
    from langgraph.checkpoint.sqlite import SqliteSaver

    class SqliteCheckpointer(_ThreadedAsyncMixin, SqliteSaver):  # type: ignore[misc]
        """``SqliteSaver`` that also works under ``ainvoke``/``astream``."""

    return SqliteCheckpointer


def _postgres_saver_class() -> type[Any]:
    from langgraph.checkpoint.postgres import PostgresSaver

    class PostgresCheckpointer(_ThreadedAsyncMixin, PostgresSaver):  # type: ignore[misc]
        """``PostgresSaver`` that also works under ``ainvoke``/``astream``."""

    return PostgresCheckpointer


@dataclass
class Persistence:
    """A checkpointer, its journal, and how to release them.

    Attributes:
        saver: What the compiled graph checkpoints into.
        journal: Where tool executions are recorded.
        durable: Whether state survives the process (then checkpoints are written
            synchronously before the next step, which crash recovery relies on).
        description: For logs and ``doctor`` (never contains a password).
    """

    saver: BaseCheckpointSaver
    journal: ToolJournal
    durable: bool
    description: str
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for closer in reversed(self.closers):
            with contextlib.suppress(Exception):  # closing twice is not worth raising
                closer()
        self.closers.clear()


def mask_dsn(dsn: str) -> str:
    """The DSN with its password replaced, safe for messages and logs."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", dsn)


def resolve_checkpointer(
    spec: CheckpointSpec, *, journal: ToolJournal | None = None
) -> Persistence:
    """Build the saver (and matching journal) a spec names.

    Args:
        spec: ``None``/``"memory"``, ``"sqlite"``, a SQLite file path, a Postgres DSN, or a
            ready ``BaseCheckpointSaver``.
        journal: Use this journal instead of the one paired with the backend.

    Raises:
        ConfigError: the spec is of an unknown kind, or the postgres extra is missing.
        AgentRuntimeError: the Postgres server cannot be reached.
    """
    if spec is None or spec == "memory":
        return Persistence(InMemorySaver(), journal or MemoryJournal(), False, "memory")
    if isinstance(spec, BaseCheckpointSaver):
        return _from_saver(spec, journal)
    if isinstance(spec, str) and _DSN.match(spec):
        return _postgres(spec, journal)
    if isinstance(spec, str | Path):
        path = data_dir() / "checkpoints.sqlite" if spec == "sqlite" else Path(spec)
        return _sqlite(path.expanduser(), journal)
    raise ConfigError(
        f"unknown checkpointer {spec!r}",
        hint="use 'memory', 'sqlite', a file path, a postgresql:// DSN or a LangGraph saver",
    )


def _sqlite(path: Path, journal: ToolJournal | None) -> Persistence:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError(
            f"cannot open the checkpoint database {path}: {exc}",
            hint="check that the directory is writable or set GEMMA_AGENTS_HOME",
        ) from exc
    saver = _sqlite_saver_class()(conn)
    own = journal or SqliteJournal(path)
    persistence = Persistence(saver, own, True, f"sqlite:{path}", [conn.close])
    if journal is None:
        persistence.closers.append(own.close)  # type: ignore[attr-defined]
    return persistence


def _postgres(dsn: str, journal: ToolJournal | None) -> Persistence:
    try:
        import psycopg
        from psycopg.rows import dict_row
    except ImportError as exc:
        raise ConfigError(
            "Postgres checkpoints need psycopg and langgraph-checkpoint-postgres",
            hint="pip install 'gemma-agents[postgres]'",
        ) from exc
    try:
        conn = psycopg.connect(dsn, autocommit=True, prepare_threshold=0, row_factory=dict_row)
    except psycopg.Error as exc:
        raise AgentRuntimeError(
            f"cannot connect to Postgres at {mask_dsn(dsn)}: {exc}".replace(dsn, mask_dsn(dsn)),
            hint="check that the server is running and the DSN (host, port, user) is right",
        ) from exc
    saver = _postgres_saver_class()(conn)
    saver.setup()  # type: ignore[attr-defined]
    own = journal or PostgresJournal(dsn)
    persistence = Persistence(saver, own, True, f"postgres:{mask_dsn(dsn)}", [conn.close])
    if journal is None:
        persistence.closers.append(own.close)  # type: ignore[attr-defined]
    return persistence


def _from_saver(saver: BaseCheckpointSaver, journal: ToolJournal | None) -> Persistence:
    durable = not isinstance(saver, InMemorySaver)
    if journal is None:
        journal = _journal_for(saver)
    return Persistence(saver, journal, durable, type(saver).__name__)


def _journal_for(saver: BaseCheckpointSaver) -> ToolJournal:
    """The durable journal beside a user-supplied saver, when its location is knowable."""
    conn = getattr(saver, "conn", None)
    if isinstance(conn, sqlite3.Connection):
        rows = conn.execute("PRAGMA database_list").fetchall()
        file = next((r[2] for r in rows if r[1] == "main" and r[2]), None)
        if file:
            return SqliteJournal(file)
    return MemoryJournal()
