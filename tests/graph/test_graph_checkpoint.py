"""Checkpointers: in-memory, SQLite (restarts), Postgres (several processes), journals."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver

from gemma_agents.exceptions import AgentRuntimeError, ConfigError
from gemma_agents.graph import Agent, approve
from gemma_agents.graph.checkpoint import mask_dsn, resolve_checkpointer
from gemma_agents.graph.journal import MemoryJournal, PostgresJournal, SqliteJournal
from gemma_agents.testing import ScriptedGemma
from gemma_agents.tools import tool


@tool
def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: First.
        b: Second.
    """
    return a + b


@tool(requires_approval=True)
def publish(text: str) -> str:
    """Publish a post.

    Args:
        text: Post text.
    """
    return f"published: {text}"


def test_sqlite_threads_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "state" / "checkpoints.sqlite"
    first = Agent(
        ScriptedGemma(["[add(a=1, b=2)]", "3"]), tools=[add], checkpointer=str(db), guardrails=False
    )
    first.invoke("1+2", thread_id="t")
    first.close()
    model = ScriptedGemma(["You asked 1+2."])
    second = Agent(model, tools=[add], checkpointer=db, guardrails=False)
    result = second.invoke("what did I ask?", thread_id="t")
    assert result.answer == "You asked 1+2."
    assert "1+2" in "\n".join(m.content for m in model.scripted.calls[0][0])
    assert len(result.messages) == 6
    second.close()
    # Journal entries only live until the turn's results are checkpointed.
    journal = SqliteJournal(db)
    call_id = result.messages[1].tool_calls[0]["id"]
    assert journal.get("t", call_id) is None
    journal.close()


def test_sqlite_approval_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite"
    a = Agent(
        ScriptedGemma(['[publish(text="hi")]']), tools=[publish], checkpointer=db, guardrails=False
    )
    assert a.invoke("post hi", thread_id="p").status == "interrupted"
    a.close()
    b = Agent(ScriptedGemma(["Posted."]), tools=[publish], checkpointer=db, guardrails=False)
    pending = b.result("p")
    assert pending.interrupt is not None and pending.interrupt.name == "publish"
    done = b.resume("p", approve())
    assert done.answer == "Posted." and done.tool_calls[0].result == "published: hi"
    b.close()


async def test_sqlite_checkpointer_works_under_ainvoke(tmp_path: Path) -> None:
    agent = Agent(
        ScriptedGemma(["[add(a=2, b=2)]", "4", "Yes, 4."]),
        tools=[add],
        checkpointer=tmp_path / "a.sqlite",
        guardrails=False,
    )
    result = await agent.ainvoke("2+2", thread_id="x")
    assert result.answer == "4"
    again = await agent.ainvoke("and again?", thread_id="x")  # reads the thread back
    assert len(again.messages) == 6 and again.answer == "Yes, 4."
    agent.close()


def test_sqlite_keyword_uses_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMMA_AGENTS_HOME", str(tmp_path / "home"))
    persistence = resolve_checkpointer("sqlite")
    assert persistence.durable and isinstance(persistence.journal, SqliteJournal)
    assert (tmp_path / "home" / "checkpoints.sqlite").exists()
    persistence.close()


def test_given_savers_are_used_as_is_with_a_matching_journal(tmp_path: Path) -> None:
    memory = resolve_checkpointer(InMemorySaver())
    assert not memory.durable and isinstance(memory.journal, MemoryJournal)
    conn = sqlite3.connect(tmp_path / "own.sqlite", check_same_thread=False)
    saver = SqliteSaver(conn)
    persistence = resolve_checkpointer(saver)
    assert persistence.saver is saver and persistence.durable
    assert isinstance(persistence.journal, SqliteJournal)
    assert Path(persistence.journal.path) == tmp_path / "own.sqlite"
    agent = Agent(ScriptedGemma(["hi"]), checkpointer=saver, guardrails=False)
    assert agent.invoke("hello", thread_id="k").answer == "hi"
    conn.close()


def test_bad_checkpointer_specs_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown checkpointer"):
        resolve_checkpointer(42)  # type: ignore[arg-type]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="cannot open the checkpoint database"):
        resolve_checkpointer(blocker / "sub" / "c.sqlite")


def test_unreachable_postgres_is_an_error_without_the_password() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dsn = f"postgresql://app:s3cret-pw@127.0.0.1:{port}/db?connect_timeout=2"
    with pytest.raises(AgentRuntimeError) as info:
        resolve_checkpointer(dsn)
    assert "s3cret-pw" not in str(info.value) and "***" in str(info.value)
    assert mask_dsn("postgres://u:p@h/db") == "postgres://u:***@h/db"


@pytest.mark.slow
def test_postgres_threads_are_shared_between_agents(postgres_db: str) -> None:
    """Two agents (two processes in production) serve the same thread through Postgres."""
    a = Agent(
        ScriptedGemma(['[publish(text="hello")]']),
        tools=[publish],
        checkpointer=postgres_db,
        guardrails=False,
    )
    paused = a.invoke("post hello", thread_id="shared")
    assert paused.status == "interrupted"
    b = Agent(
        ScriptedGemma(["Posted it."]), tools=[publish], checkpointer=postgres_db, guardrails=False
    )
    done = b.resume("shared", approve())
    assert done.answer == "Posted it." and done.tool_calls[0].result == "published: hello"
    assert len(a.result("shared").messages) == 4  # a sees b's work
    a.close()
    b.close()


@pytest.mark.slow
async def test_postgres_checkpointer_under_ainvoke(postgres_db: str) -> None:
    agent = Agent(
        ScriptedGemma(["[add(a=5, b=5)]", "10"]),
        tools=[add],
        checkpointer=postgres_db,
        guardrails=False,
    )
    result = await agent.ainvoke("5+5", thread_id="pg-async")
    assert result.answer == "10" and result.tool_calls[0].result == "10"
    agent.close()


@pytest.mark.slow
def test_postgres_journal_round_trip(postgres_db: str) -> None:
    journal = PostgresJournal(postgres_db)
    assert journal.get("t", "c") is None
    journal.start("t", "c", "send")
    entry = journal.get("t", "c")
    assert entry is not None and not entry.finished and entry.name == "send"
    other = PostgresJournal(postgres_db)  # another process sees the start at once
    assert other.get("t", "c") == entry
    journal.finish("t", "c", "sent", "ok")
    done = other.get("t", "c")
    assert done is not None and done.finished and done.result == "sent" and done.status == "ok"
    journal.clear("t")
    assert other.get("t", "c") is None
    journal.close()
    other.close()
