"""Sliding-window rate limits: memory, SQLite (two real processes) and Postgres backends."""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
from pathlib import Path

import pytest

from gemma_agents.guardrails import (
    GuardContext,
    GuardrailPipeline,
    MemoryBackend,
    RateLimit,
    RateLimitGuard,
    SQLiteBackend,
)


class Clock:
    def __init__(self, t: float = 1_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


ALICE = GuardContext(user_id="alice", channel="#ops")
BOB = GuardContext(user_id="bob", channel="#ops")


def actions(guard: RateLimitGuard, ctx: GuardContext, n: int) -> list[str]:
    out = []
    for _ in range(n):
        d = guard.check_input("hi", ctx)
        out.append("allow" if d is None else d.action)
    return out


@pytest.fixture(params=["memory", "sqlite"])
def backend(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    b = MemoryBackend() if request.param == "memory" else SQLiteBackend(tmp_path / "rl.db")
    yield b
    b.close()


def test_sliding_window_per_user(backend) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    g = RateLimitGuard(per_user=RateLimit(3, 60), backend=backend, clock=clock)
    assert actions(g, ALICE, 4) == ["allow", "allow", "allow", "block"]
    assert actions(g, BOB, 1) == ["allow"]  # other users unaffected
    clock.t += 30
    assert actions(g, ALICE, 1) == ["block"]
    clock.t += 30.001  # the first three fall out of the window together
    assert actions(g, ALICE, 3) == ["allow", "allow", "allow"]


def test_window_slides_event_by_event_and_reports_retry(backend) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    g = RateLimitGuard(per_user=RateLimit(2, 10), backend=backend, clock=clock)
    g.check_input("a", ALICE)
    clock.t += 4
    g.check_input("b", ALICE)
    clock.t += 1
    d = g.check_input("c", ALICE)
    assert d is not None and d.action == "block"
    assert "user:alice: 2 of 2 per 10s used" in d.reasons[0]
    assert "Try again in 5 s" in (d.message or "")
    clock.t += 5.01  # the first event expired, the second has not
    assert g.check_input("d", ALICE) is None
    assert g.check_input("e", ALICE) is not None


def test_per_channel_limit_and_atomicity(backend) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    g = RateLimitGuard(
        per_user=RateLimit(2, 60), per_channel=RateLimit(3, 60), backend=backend, clock=clock
    )
    assert actions(g, ALICE, 2) == ["allow", "allow"]
    assert actions(g, ALICE, 1) == ["block"]  # user limit; channel slot not consumed
    assert actions(g, BOB, 2) == ["allow", "block"]  # channel: alice 2 + bob 1 = 3
    d = g.check_input("x", BOB)
    assert d is not None and any(r.startswith("channel:#ops") for r in d.reasons)
    no_channel = GuardContext(user_id="carol")
    assert actions(g, no_channel, 2) == ["allow", "allow"]


def test_validation_and_fail_open_default(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        RateLimit(0, 10)
    with pytest.raises(ValueError):
        RateLimit(1, 0)
    with pytest.raises(ValueError):
        RateLimitGuard()
    backend = SQLiteBackend(tmp_path / "gone.db")
    g = RateLimitGuard(per_user=RateLimit(1, 60), backend=backend)
    backend.close()  # the store breaks: fail-open keeps the assistant answering
    d = GuardrailPipeline([g]).check_input("hi", ALICE)
    assert d.action == "allow" and "failed (fail-open)" in d.reasons[0]
    g.fail_mode = "closed"
    assert GuardrailPipeline([g]).check_input("hi", ALICE).action == "block"


def _hammer(path: str, n: int, start: mp.synchronize.Event, out: mp.Queue) -> None:  # type: ignore[name-defined]
    b = SQLiteBackend(path)
    g = RateLimitGuard(per_user=RateLimit(25, 3600), backend=b, clock=lambda: 5_000.0)
    start.wait(10)
    allowed = sum(1 for _ in range(n) if g.check_input("x", GuardContext(user_id="shared")) is None)
    b.close()
    out.put(allowed)


@pytest.mark.slow
def test_sqlite_limit_is_shared_across_two_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    SQLiteBackend(path).close()  # create the schema once
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_hammer, args=(path, 20, start, out)) for _ in range(2)]
    for p in procs:
        p.start()
    start.set()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert sum(results) == 25  # 40 attempts, exactly the limit got through
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM rate_events").fetchone()[0] == 25
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.slow
def test_postgres_backend(postgres_db: str) -> None:
    from gemma_agents.guardrails import PostgresBackend

    clock = Clock()
    b1, b2 = PostgresBackend(postgres_db), PostgresBackend(postgres_db)
    try:
        g1 = RateLimitGuard(
            per_user=RateLimit(3, 60), per_channel=RateLimit(4, 60), backend=b1, clock=clock
        )
        g2 = RateLimitGuard(
            per_user=RateLimit(3, 60), per_channel=RateLimit(4, 60), backend=b2, clock=clock
        )
        assert actions(g1, ALICE, 2) == ["allow", "allow"]
        assert actions(g2, ALICE, 2) == ["allow", "block"]  # both connections share the window
        assert actions(g2, BOB, 2) == ["allow", "block"]  # channel full (4)
        clock.t += 61
        assert actions(g1, ALICE, 1) == ["allow"]
    finally:
        b1.close()
        b2.close()
