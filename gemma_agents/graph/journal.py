"""The durable tool-execution journal that makes crash recovery safe for side effects.

A checkpoint is written before the ``execute`` node runs, so after a crash LangGraph
re-runs that node. That is right for a calculator and wrong for "send the invoice": the
first run may already have sent it. Each call is therefore recorded as *started* (committed
before the tool runs) and *finished* (with its result). On re-execution:

- finished: the recorded result is reused, the tool does not run again;
- started but not finished, tool not idempotent: it is NOT re-run; the model is told it
  may or may not have taken effect;
- started but not finished, idempotent: it runs again.

Entries are keyed by ``(thread_id, call_id)`` and dropped when the turn ends. SQLite and
Postgres journals live next to the matching checkpointer so they survive the process.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "JournalEntry",
    "MemoryJournal",
    "PostgresJournal",
    "SqliteJournal",
    "ToolJournal",
]

_TABLE = "gemma_agents_tool_journal"


@dataclass(frozen=True)
class JournalEntry:
    """A recorded call: ``finished`` is False while only the start is recorded."""

    thread_id: str
    call_id: str
    name: str
    finished: bool
    result: str | None = None
    status: str | None = None
    started_at: float = 0.0


@runtime_checkable
class ToolJournal(Protocol):
    """Where execution starts and results are committed before they matter."""

    def get(self, thread_id: str, call_id: str) -> JournalEntry | None: ...

    def start(self, thread_id: str, call_id: str, name: str) -> None: ...

    def finish(self, thread_id: str, call_id: str, result: str, status: str) -> None: ...

    def clear(self, thread_id: str) -> None: ...


class MemoryJournal:
    """In-process journal: recovers from exceptions and cancellations, not from crashes."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], JournalEntry] = {}
        self._lock = threading.Lock()

    def get(self, thread_id: str, call_id: str) -> JournalEntry | None:
        return self._entries.get((thread_id, call_id))

    def start(self, thread_id: str, call_id: str, name: str) -> None:
        with self._lock:
            self._entries[(thread_id, call_id)] = JournalEntry(
                thread_id, call_id, name, finished=False, started_at=time.time()
            )

    def finish(self, thread_id: str, call_id: str, result: str, status: str) -> None:
        with self._lock:
            old = self._entries.get((thread_id, call_id))
            self._entries[(thread_id, call_id)] = JournalEntry(
                thread_id,
                call_id,
                old.name if old else "",
                finished=True,
                result=result,
                status=status,
                started_at=old.started_at if old else time.time(),
            )

    def clear(self, thread_id: str) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[0] == thread_id]:
                del self._entries[key]


class SqliteJournal:
    """Journal in a SQLite file (the checkpoint database by default), WAL mode.

    Every write is its own committed transaction: the point is that "started" is on disk
    before the tool touches the world.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(
                f"CREATE TABLE IF NOT EXISTS {_TABLE} (thread_id TEXT NOT NULL, "
                "call_id TEXT NOT NULL, name TEXT NOT NULL, finished INTEGER NOT NULL, "
                "result TEXT, status TEXT, started_at REAL NOT NULL, "
                "PRIMARY KEY (thread_id, call_id))"
            )
            self._conn.commit()

    def get(self, thread_id: str, call_id: str) -> JournalEntry | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT name, finished, result, status, started_at FROM {_TABLE} "
                "WHERE thread_id = ? AND call_id = ?",
                (thread_id, call_id),
            ).fetchone()
        return _entry(thread_id, call_id, row)

    def start(self, thread_id: str, call_id: str, name: str) -> None:
        with self._lock:
            self._conn.execute(
                f"INSERT OR REPLACE INTO {_TABLE} VALUES (?, ?, ?, 0, NULL, NULL, ?)",
                (thread_id, call_id, name, time.time()),
            )
            self._conn.commit()

    def finish(self, thread_id: str, call_id: str, result: str, status: str) -> None:
        with self._lock:
            self._conn.execute(
                f"UPDATE {_TABLE} SET finished = 1, result = ?, status = ? "
                "WHERE thread_id = ? AND call_id = ?",
                (result, status, thread_id, call_id),
            )
            self._conn.commit()

    def clear(self, thread_id: str) -> None:
        with self._lock:
            self._conn.execute(f"DELETE FROM {_TABLE} WHERE thread_id = ?", (thread_id,))
            self._conn.commit()

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class PostgresJournal:
    """Journal in Postgres, for agents whose checkpoints live there (several processes).

    Uses its own autocommit connection so each write is durable on return.
    """

    def __init__(self, dsn: str) -> None:
        import psycopg  # lazy: the postgres extra

        self._conn: Any = psycopg.connect(dsn, autocommit=True)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute(
                f"CREATE TABLE IF NOT EXISTS {_TABLE} (thread_id TEXT NOT NULL, "
                "call_id TEXT NOT NULL, name TEXT NOT NULL, finished BOOLEAN NOT NULL, "
                "result TEXT, status TEXT, started_at DOUBLE PRECISION NOT NULL, "
                "PRIMARY KEY (thread_id, call_id))"
            )

    def get(self, thread_id: str, call_id: str) -> JournalEntry | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT name, finished, result, status, started_at FROM {_TABLE} "
                "WHERE thread_id = %s AND call_id = %s",
                (thread_id, call_id),
            ).fetchone()
        return _entry(thread_id, call_id, row)

    def start(self, thread_id: str, call_id: str, name: str) -> None:
        with self._lock:
            self._conn.execute(
                f"INSERT INTO {_TABLE} VALUES (%s, %s, %s, false, NULL, NULL, %s) "
                "ON CONFLICT (thread_id, call_id) DO UPDATE SET finished = false, "
                "result = NULL, status = NULL, started_at = EXCLUDED.started_at",
                (thread_id, call_id, name, time.time()),
            )

    def finish(self, thread_id: str, call_id: str, result: str, status: str) -> None:
        with self._lock:
            self._conn.execute(
                f"UPDATE {_TABLE} SET finished = true, result = %s, status = %s "
                "WHERE thread_id = %s AND call_id = %s",
                (result, status, thread_id, call_id),
            )

    def clear(self, thread_id: str) -> None:
        with self._lock:
            self._conn.execute(f"DELETE FROM {_TABLE} WHERE thread_id = %s", (thread_id,))

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _entry(thread_id: str, call_id: str, row: Any) -> JournalEntry | None:
    if row is None:
        return None
    name, finished, result, status, started_at = row
    return JournalEntry(
        thread_id,
        call_id,
        name,
        finished=bool(finished),
        result=result,
        status=status,
        started_at=float(started_at),
    )
