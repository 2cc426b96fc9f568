"""Crash safety for real: SIGKILL a process in the middle of a tool call, then resume.

The run must restart from the last checkpoint (the user's message is still there, the
model is not asked again for the same call), and the journal must keep a non-idempotent
tool from running twice, while an idempotent one is simply run again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, ToolMessage

from gemma_agents.graph import Agent
from gemma_agents.graph.execute import CRASHED_CALL_TEMPLATE
from gemma_agents.testing import ScriptedGemma
from gemma_agents.tools import tool

WORKER = Path(__file__).with_name("crash_worker.py")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _crash(db: Path, side: Path, thread_id: str, idempotent: bool) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), str(db), str(side), thread_id, "1" if idempotent else "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not (side.exists() and side.read_text().strip()):
            if proc.poll() is not None:
                _, err = proc.communicate()
                pytest.fail(f"worker exited early ({proc.returncode}): {err.decode()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail("the worker never started the tool")
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
    assert proc.returncode == -signal.SIGKILL


def _agent(
    db: Path, side: Path, *, idempotent: bool, answers: list[str]
) -> tuple[Agent, ScriptedGemma]:
    @tool(side_effects="write", idempotent=idempotent)
    def append_line(text: str) -> str:
        """Append a line to the ledger.

        Args:
            text: The line.
        """
        with side.open("a", encoding="utf-8") as handle:
            handle.write(text + "\n")
        return "appended"

    model = ScriptedGemma(answers)
    return Agent(model, tools=[append_line], checkpointer=str(db), guardrails=False), model


def test_non_idempotent_tool_is_not_repeated_after_kill_9(tmp_path: Path) -> None:
    db, side = tmp_path / "checkpoints.sqlite", tmp_path / "ledger.txt"
    _crash(db, side, "crash-1", idempotent=False)
    assert side.read_text().splitlines() == ["paid invoice 42"]

    agent, model = _agent(db, side, idempotent=False, answers=["It may not have been recorded."])
    before = agent.result("crash-1")
    assert before.status == "running"  # the checkpoint says: execute is next

    result = agent.resume("crash-1")
    assert result.status == "answered"
    assert result.answer == "It may not have been recorded."
    assert side.read_text().splitlines() == ["paid invoice 42"]  # exactly one line
    humans = [m for m in result.messages if isinstance(m, HumanMessage)]
    assert [h.content for h in humans] == ["Record that invoice 42 is paid."]
    tool_msgs = [m for m in result.messages if isinstance(m, ToolMessage)]
    assert len(tool_msgs) == 1 and tool_msgs[0].status == "error"
    assert tool_msgs[0].content.startswith(CRASHED_CALL_TEMPLATE.format(tool_name="append_line"))
    assert [c.status for c in result.tool_calls] == ["skipped"]
    # The model was asked once after the restart (for the answer), not for the call again.
    assert len(model.scripted.calls) == 1
    agent.close()


def test_idempotent_tool_is_run_again_after_kill_9(tmp_path: Path) -> None:
    db, side = tmp_path / "checkpoints.sqlite", tmp_path / "ledger.txt"
    _crash(db, side, "crash-2", idempotent=True)
    agent, _ = _agent(db, side, idempotent=True, answers=["Recorded."])
    result = agent.resume("crash-2")
    assert result.answer == "Recorded."
    assert side.read_text().splitlines() == ["paid invoice 42", "paid invoice 42"]
    assert [c.status for c in result.tool_calls] == ["ok"]
    agent.close()


def test_next_message_on_a_crashed_thread_finishes_the_old_turn_first(tmp_path: Path) -> None:
    db, side = tmp_path / "checkpoints.sqlite", tmp_path / "ledger.txt"
    _crash(db, side, "crash-3", idempotent=False)
    agent, _ = _agent(db, side, idempotent=False, answers=["Not sure it was saved.", "Hello!"])
    result = agent.invoke("hi", thread_id="crash-3")
    assert result.answer == "Hello!"
    humans = [m.content for m in result.messages if isinstance(m, HumanMessage)]
    assert humans == ["Record that invoice 42 is paid.", "hi"]
    assert side.read_text().splitlines() == ["paid invoice 42"]
    agent.close()
