"""Step budget and loop detector, end to end: every turn ends with an answer."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from langchain_core.messages import ToolMessage

from gemma_agents.graph import Agent
from gemma_agents.graph.loop import CONSTRAINED_HINT, FORCE_FINAL_HINT
from gemma_agents.runtime.base import Message
from gemma_agents.testing import ScriptedGemma
from gemma_agents.tools import tool

counter = itertools.count()


@tool
def lookup(q: str) -> str:
    """Look something up.

    Args:
        q: Query.
    """
    return f"result for {q}"


def _texts(model: ScriptedGemma, call: int) -> str:
    return "\n".join(m.content for m in model.scripted.calls[call][0])


def test_budget_ends_in_a_model_written_final_answer() -> None:
    calls = [f'[lookup(q="q{i}")]' for i in range(3)]
    model = ScriptedGemma([*calls, "Final answer from what I found."])
    agent = Agent(model, tools=[lookup], guardrails=False, max_steps=3)
    result = agent.invoke("research")
    assert result.status == "budget"
    assert result.answer == "Final answer from what I found."
    assert len(result.tool_calls) == 3
    assert FORCE_FINAL_HINT in _texts(model, 3)
    # The last tool-bound step was told it was the last one.
    assert "this is your last step" in _texts(model, 2)


def test_when_the_model_will_not_stop_the_answer_is_composed_from_results() -> None:
    def always_call(messages: Sequence[Message]) -> str:
        return f'[lookup(q="q{next(counter)}")]'

    model = ScriptedGemma(always_call)
    agent = Agent(model, tools=[lookup], guardrails=False, max_steps=2)
    result = agent.invoke("research forever")
    assert result.status == "budget"
    assert result.answer.startswith("I ran out of steps before finishing.")
    assert "lookup(" in result.answer and "result for q" in result.answer


def test_max_steps_one_never_raises_recursion_errors() -> None:
    model = ScriptedGemma(['[lookup(q="x")]', "done"])
    result = Agent(model, tools=[lookup], guardrails=False, max_steps=1).invoke("go")
    assert result.answer == "done" and result.status == "budget"


def test_repeated_identical_calls_escalate_hint_then_constrained_then_stop() -> None:
    model = ScriptedGemma(['[lookup(q="same")]'] * 4 + ["Here is the answer."])
    agent = Agent(model, tools=[lookup], guardrails=False, max_steps=8)
    result = agent.invoke("loop please")
    tool_messages = [m for m in result.messages if isinstance(m, ToolMessage)]
    assert len(tool_messages) == 4
    assert "already called lookup" not in tool_messages[0].content
    assert "already called lookup" in tool_messages[1].content  # 1st repeat: hint
    assert CONSTRAINED_HINT not in _texts(model, 2)
    assert CONSTRAINED_HINT in _texts(model, 3)  # 2nd repeat: constrained retry
    # 3rd repeat: no 5th tool step; the turn is finalized with an answer.
    assert len(model.scripted.calls) == 5
    assert FORCE_FINAL_HINT in _texts(model, 4)
    assert result.answer == "Here is the answer." and result.status == "budget"
    assert result.steps == 4


def test_repeated_non_idempotent_calls_are_not_executed_twice() -> None:
    sent: list[str] = []

    @tool(side_effects="external", idempotent=False)
    def send_email(to: str) -> str:
        """Send an email.

        Args:
            to: Address.
        """
        sent.append(to)
        return "sent"

    model = ScriptedGemma(['[send_email(to="a@example.com")]'] * 2 + ["Sent once."])
    agent = Agent(model, tools=[send_email], guardrails=False)
    result = agent.invoke("email a")
    assert sent == ["a@example.com"]
    assert [c.status for c in result.tool_calls] == ["ok", "skipped"]
    assert "Not run again" in result.tool_calls[1].result


def test_repeated_identical_errors_get_a_hint() -> None:
    @tool
    def fail() -> str:
        """Always fails."""
        raise ValueError("always broken")

    model = ScriptedGemma(["[fail()]", "[fail()]", "It is broken."])
    result = Agent(model, tools=[fail], guardrails=False).invoke("go")
    tool_messages = [m for m in result.messages if isinstance(m, ToolMessage)]
    assert "same error as before" not in tool_messages[0].content
    assert "already called fail" in tool_messages[1].content
    assert result.answer == "It is broken."


def test_hitting_the_recursion_limit_still_returns_an_answer() -> None:
    model = ScriptedGemma(['[lookup(q="a")]', '[lookup(q="b")]', '[lookup(q="c")]', "Hi."])
    agent = Agent(model, tools=[lookup], guardrails=False, max_steps=8, recursion_limit=4)
    result = agent.invoke("go", thread_id="r")
    assert result.status == "budget"
    assert result.answer.startswith("I ran out of steps") and "result for a" in result.answer
    assert result.messages[-1].content == result.answer
    # The thread is closed cleanly: the next message is a new turn, not the old loop.
    assert agent.invoke("hello", thread_id="r").answer == "Hi."
