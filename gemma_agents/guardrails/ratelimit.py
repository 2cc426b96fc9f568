"""Sliding-window rate limits per user and per channel, in-process or shared.

A sliding *log* (one timestamp per accepted message) rather than fixed buckets: a fixed
minute bucket lets a user send twice the limit across a bucket boundary, and chat-ops
bots are exactly where that gets abused. Three backends share one contract: check every
key and record the event for all of them atomically, or record nothing.

* :class:`MemoryBackend`: a deque per key; one process.
* :class:`SQLiteBackend`: a WAL database file; every process on one host shares it.
  ``BEGIN IMMEDIATE`` takes the write lock before counting, so two processes cannot
  both see "one slot left".
* :class:`PostgresBackend`: the same table in Postgres (psycopg); a transaction-scoped
  advisory lock per key serialises concurrent hits across hosts.

Timestamps come from an injectable ``clock`` (wall-clock seconds, because several
processes must agree on it); tests pass a fake clock instead of sleeping.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from ..exceptions import ConfigError
from ._types import Decision, GuardContext, Guardrail, Stage

__all__ = [
    "KeyState",
    "MemoryBackend",
    "PostgresBackend",
    "RateLimit",
    "RateLimitBackend",
    "RateLimitGuard",
    "SQLiteBackend",
]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` events in any ``window_s`` seconds."""

    limit: int
    window_s: float

    def __post_init__(self) -> None:
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 1:
            raise ValueError(f"rate limit must be an int >= 1, got {self.limit!r}")
        if not self.window_s > 0:
            raise ValueError(f"rate window must be > 0 seconds, got {self.window_s!r}")


@dataclass(frozen=True)
class KeyState:
    """The state of one key at the time of a hit.

    Attributes:
        key: The key (``user:alice``).
        count: Events inside the window before this hit.
        limit: The limit for the key.
        retry_after_s: Seconds until a slot frees up (0 when under the limit).
    """

    key: str
    count: int
    limit: RateLimit
    retry_after_s: float

    @property
    def exceeded(self) -> bool:
        return self.count >= self.limit.limit


class RateLimitBackend(Protocol):
    """Storage for the sliding windows."""

    def hit(self, keys: Sequence[tuple[str, RateLimit]], now: float) -> list[KeyState]:
        """Count events per key in ``(now - window, now]``; when no key is at its limit,
        record one event at ``now`` for every key. Atomic across the keys."""
        ...

    def close(self) -> None: ...


def _state(key: str, rl: RateLimit, count: int, oldest: float | None, now: float) -> KeyState:
    retry = (
        max(0.0, oldest + rl.window_s - now) if count >= rl.limit and oldest is not None else 0.0
    )
    return KeyState(key, count, rl, retry)


class MemoryBackend:
    """In-process windows (a deque of timestamps per key), guarded by one lock."""

    def __init__(self) -> None:
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, keys: Sequence[tuple[str, RateLimit]], now: float) -> list[KeyState]:
        with self._lock:
            states = []
            for key, rl in keys:
                q = self._events.setdefault(key, deque())
                while q and q[0] <= now - rl.window_s:
                    q.popleft()
                # Only the newest `limit` timestamps matter; the oldest of those frees next.
                oldest = q[-rl.limit] if len(q) >= rl.limit else (q[0] if q else None)
                states.append(_state(key, rl, len(q), oldest, now))
            if not any(s.exceeded for s in states):
                for key, _ in keys:
                    self._events[key].append(now)
            return states

    def close(self) -> None:
        with self._lock:
            self._events.clear()


class SQLiteBackend:
    """Windows in a SQLite file shared by every process on the host.

    Args:
        path: Database file (created with its parent folder).
        table: Table name.
        timeout_s: How long to wait for another process's write lock.
    """

    def __init__(
        self, path: str | Path, *, table: str = "rate_events", timeout_s: float = 10.0
    ) -> None:
        if not _IDENT.fullmatch(table):
            raise ConfigError(f"invalid rate-limit table name {table!r}")
        self.path = Path(path)
        self.table = table
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            str(self.path), timeout=timeout_s, isolation_level=None, check_same_thread=False
        )
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (key TEXT NOT NULL, ts REAL NOT NULL)"
            )
            self._conn.execute(f"CREATE INDEX IF NOT EXISTS {table}_key_ts ON {table} (key, ts)")

    def hit(self, keys: Sequence[tuple[str, RateLimit]], now: float) -> list[KeyState]:
        t = self.table
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                states = []
                for key, rl in keys:
                    cur.execute(
                        f"DELETE FROM {t} WHERE key = ? AND ts <= ?", (key, now - rl.window_s)
                    )
                    count = cur.execute(
                        f"SELECT COUNT(*) FROM {t} WHERE key = ?", (key,)
                    ).fetchone()[0]
                    oldest = None
                    if count:
                        row = cur.execute(
                            f"SELECT ts FROM {t} WHERE key = ? ORDER BY ts DESC LIMIT 1 OFFSET ?",
                            (key, min(count, rl.limit) - 1),
                        ).fetchone()
                        oldest = row[0] if row else None
                    states.append(_state(key, rl, count, oldest, now))
                if not any(s.exceeded for s in states):
                    cur.executemany(
                        f"INSERT INTO {t} (key, ts) VALUES (?, ?)", [(k, now) for k, _ in keys]
                    )
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            return states

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class PostgresBackend:
    """Windows in a Postgres table, for bots running on several hosts.

    Args:
        dsn: libpq connection string (``postgresql://user@host/db``).
        table: Table name.
    """

    def __init__(
        self, dsn: str, *, table: str = "rate_events", connect_timeout_s: int = 10
    ) -> None:
        if not _IDENT.fullmatch(table):
            raise ConfigError(f"invalid rate-limit table name {table!r}")
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - depends on the extra
            raise ConfigError(
                "the Postgres rate-limit backend needs psycopg",
                hint="pip install 'gemma-agents[postgres]'",
            ) from exc
        self.table = table
        self._conn: Any = psycopg.connect(dsn, connect_timeout=connect_timeout_s)
        self._lock = threading.Lock()
        with self._lock, self._conn.transaction():
            self._conn.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (key TEXT NOT NULL, ts DOUBLE PRECISION NOT NULL)"
            )
            self._conn.execute(f"CREATE INDEX IF NOT EXISTS {table}_key_ts ON {table} (key, ts)")

    def hit(self, keys: Sequence[tuple[str, RateLimit]], now: float) -> list[KeyState]:
        t = self.table
        with self._lock, self._conn.transaction():
            # Lock keys in a fixed order so two transactions never wait on each other.
            for lock_id in sorted({zlib.crc32(k.encode()) for k, _ in keys}):
                self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_id,))
            states = []
            for key, rl in keys:
                self._conn.execute(
                    f"DELETE FROM {t} WHERE key = %s AND ts <= %s", (key, now - rl.window_s)
                )
                count = self._conn.execute(
                    f"SELECT COUNT(*) FROM {t} WHERE key = %s", (key,)
                ).fetchone()[0]
                oldest = None
                if count:
                    row = self._conn.execute(
                        f"SELECT ts FROM {t} WHERE key = %s ORDER BY ts DESC LIMIT 1 OFFSET %s",
                        (key, min(count, rl.limit) - 1),
                    ).fetchone()
                    oldest = row[0] if row else None
                states.append(_state(key, rl, count, oldest, now))
            if not any(s.exceeded for s in states):
                with self._conn.cursor() as cur:
                    cur.executemany(
                        f"INSERT INTO {t} (key, ts) VALUES (%s, %s)", [(k, now) for k, _ in keys]
                    )
            return states

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class RateLimitGuard(Guardrail):
    """Blocks input when a user or channel sends more than allowed in a sliding window.

    Args:
        per_user: Limit per ``GuardContext.user_id``.
        per_channel: Limit per ``GuardContext.channel`` (skipped when channel is None).
        backend: Storage; in-process by default. Use :class:`SQLiteBackend` for several
            processes on one host, :class:`PostgresBackend` across hosts.
        clock: Returns the current time in seconds (inject a fake one in tests).
        fail_mode: ``open`` by default: a broken rate-limit store should not take the
            assistant down; set ``closed`` where abuse matters more than availability.
    """

    name = "rate_limit"

    def __init__(
        self,
        *,
        per_user: RateLimit | None = None,
        per_channel: RateLimit | None = None,
        backend: RateLimitBackend | None = None,
        clock: Callable[[], float] = time.time,
        stages: Iterable[Stage] = ("input",),
        fail_mode: Literal["open", "closed"] = "open",
    ) -> None:
        if per_user is None and per_channel is None:
            raise ValueError("RateLimitGuard needs per_user and/or per_channel")
        self.per_user = per_user
        self.per_channel = per_channel
        self.backend: RateLimitBackend = backend if backend is not None else MemoryBackend()
        self.clock = clock
        self.stages = frozenset(stages)
        self.fail_mode = fail_mode

    def _keys(self, ctx: GuardContext) -> list[tuple[str, RateLimit]]:
        keys = []
        if self.per_user is not None:
            keys.append((f"user:{ctx.user_id}", self.per_user))
        if self.per_channel is not None and ctx.channel:
            keys.append((f"channel:{ctx.channel}", self.per_channel))
        return keys

    def _decide(self, ctx: GuardContext, stage: Stage) -> Decision | None:
        keys = self._keys(ctx)
        if not keys:
            return None
        states = self.backend.hit(keys, self.clock())
        over = [s for s in states if s.exceeded]
        if not over:
            return None
        reasons = tuple(
            f"{s.key}: {s.count} of {s.limit.limit} per {s.limit.window_s:g}s used" for s in over
        )
        wait = max(s.retry_after_s for s in over)
        return Decision(
            "block",
            reasons,
            stage=stage,
            message=f"Too many messages ({'; '.join(reasons)}). Try again in {wait:.0f} s.",
        )

    def check_input(self, text: str, ctx: GuardContext) -> Decision | None:
        return self._decide(ctx, "input")

    def check_output(self, text: str, ctx: GuardContext) -> Decision | None:
        return self._decide(ctx, "output")

    def check_tool_call(self, call: Any, tool: Any, ctx: GuardContext) -> Decision | None:
        return self._decide(ctx, "tool_call")

    def check_tool_result(
        self, text: str, call: Any, tool: Any, ctx: GuardContext
    ) -> Decision | None:
        return self._decide(ctx, "tool_result")

    def close(self) -> None:
        self.backend.close()
