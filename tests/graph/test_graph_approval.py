"""Human approval: interrupt, then approve / edit / reject, from code and from streams."""

from __future__ import annotations

import pytest
from langchain_core.messages import ToolMessage
from langgraph.types import Command

from gemma_agents.calls import ToolCall
from gemma_agents.exceptions import ConfigError
from gemma_agents.graph import Agent, ApprovalPending, approve, edit, reject
from gemma_agents.guardrails import Decision, GuardContext, Guardrail
from gemma_agents.testing import ScriptedGemma, collect_events
from gemma_agents.tools import Tool, tool


def _transfer_tool(log: list[tuple[str, int]]) -> Tool:
    @tool(requires_approval=True, side_effects="external", idempotent=False)
    def transfer(to: str, amount: int) -> str:
        """Transfer money.

        Args:
            to: Recipient.
            amount: Euros.
        """
        log.append((to, amount))
        return f"sent {amount} to {to}"

    return transfer


def _agent(responses: list[str], log: list[tuple[str, int]], **kw: object) -> Agent:
    return Agent(ScriptedGemma(responses), tools=[_transfer_tool(log)], guardrails=False, **kw)  # type: ignore[arg-type]


CALL = '[transfer(to="bob", amount=50)]'


def test_pause_then_approve() -> None:
    log: list[tuple[str, int]] = []
    agent = _agent([CALL, "Sent 50 to bob."], log)
    paused = agent.invoke("pay bob 50", thread_id="a")
    assert paused.status == "interrupted" and paused.answer == ""
    assert paused.interrupt is not None
    assert (paused.interrupt.name, paused.interrupt.arguments) == (
        "transfer",
        {"to": "bob", "amount": 50},
    )
    assert log == []
    done = agent.resume("a", approve())
    assert log == [("bob", 50)] and done.answer == "Sent 50 to bob."
    assert done.interrupt is None and done.status == "answered"
    assert done.decisions[-1]["action"] == "approve" and done.decisions[-1]["guard"] == "human"


def test_edit_runs_with_the_new_arguments() -> None:
    log: list[tuple[str, int]] = []
    agent = _agent([CALL, "Sent 5 to bob."], log)
    agent.invoke("pay bob 50", thread_id="e")
    done = agent.resume("e", edit({"to": "bob", "amount": 5}))
    assert log == [("bob", 5)]
    assert done.tool_calls[0].args == {"to": "bob", "amount": 5}


def test_reject_tells_the_model_why_and_nothing_runs() -> None:
    log: list[tuple[str, int]] = []
    agent = Agent(
        model := ScriptedGemma([CALL, "OK, I did not send it."]),
        tools=[_transfer_tool(log)],
        guardrails=False,
    )
    agent.invoke("pay bob 50", thread_id="r")
    done = agent.resume("r", reject("budget frozen"))
    assert log == [] and done.answer == "OK, I did not send it."
    (message,) = [m for m in done.messages if isinstance(m, ToolMessage)]
    assert message.status == "error" and "budget frozen" in message.content
    assert "budget frozen" in "\n".join(m.content for m in model.scripted.calls[1][0])
    assert done.tool_calls[0].status == "rejected"


def test_two_calls_needing_approval_are_asked_one_after_the_other() -> None:
    log: list[tuple[str, int]] = []
    agent = _agent(['[transfer(to="a", amount=1), transfer(to="b", amount=2)]', "Done."], log)
    first = agent.invoke("pay both", thread_id="two")
    assert first.interrupt is not None and first.interrupt.arguments["to"] == "a"
    second = agent.resume("two", approve())
    assert second.interrupt is not None and second.interrupt.arguments["to"] == "b"
    assert log == []  # nothing runs until every decision is in
    done = agent.resume("two", reject("not b"))
    assert log == [("a", 1)] and done.answer == "Done."
    assert [c.status for c in done.tool_calls] == ["ok", "rejected"]


def test_a_paused_thread_refuses_new_messages_until_resumed() -> None:
    agent = _agent([CALL, "ok"], [])
    agent.invoke("pay", thread_id="p")
    with pytest.raises(ApprovalPending, match="waiting for an approval"):
        agent.invoke("something else", thread_id="p")
    with pytest.raises(ConfigError, match="approval decision"):
        agent.resume("p")  # a decision is required
    with pytest.raises(ConfigError, match="unknown approval action"):
        agent.resume("p", {"action": "maybe"})
    with pytest.raises(ConfigError, match="needs the new arguments"):
        agent.resume("p", {"action": "edit"})
    assert agent.resume("p", "approve").answer == "ok"


def test_a_malformed_raw_resume_value_rejects_instead_of_crashing() -> None:
    log: list[tuple[str, int]] = []
    agent = _agent([CALL, "not sent"], log)
    agent.invoke("pay", thread_id="raw")
    config = {"configurable": {"thread_id": "raw"}}
    agent.graph.invoke(Command(resume=12345), config)
    result = agent.result("raw")
    assert log == [] and result.answer == "not sent"
    assert "invalid approval decision" in result.tool_calls[0].result


def test_streamed_approval_and_streamed_resume() -> None:
    log: list[tuple[str, int]] = []
    agent = _agent([CALL, "Sent."], log)
    events = collect_events(agent.stream("pay bob", thread_id="s"))
    (approval,) = events.approvals
    assert approval.name == "transfer" and approval.interrupt_id
    assert events.result.interrupt is not None
    events2 = collect_events(agent.stream(thread_id="s", resume=approve()))
    assert [e.name for e in events2.tool_ends] == ["transfer"]
    assert events2.result.answer == "Sent." and log == [("bob", 50)]


def test_edited_arguments_are_guarded_again() -> None:
    class NoBigTransfers(Guardrail):
        name = "limits"

        def check_tool_call(
            self, call: ToolCall, tool: Tool | None, ctx: GuardContext
        ) -> Decision | None:
            if call.arguments.get("amount", 0) > 100:
                return Decision("block", ("amount over 100",), message="too much")
            return None

    log: list[tuple[str, int]] = []
    agent = Agent(
        ScriptedGemma([CALL, "Could not send."]),
        tools=[_transfer_tool(log)],
        guardrails=[NoBigTransfers()],
    )
    agent.invoke("pay", thread_id="g")
    done = agent.resume("g", edit({"to": "bob", "amount": 5000}))
    assert log == []
    assert done.tool_calls[0].status == "blocked"
    assert any(d["guard"] == "limits" and d["action"] == "block" for d in done.decisions)


async def test_async_approval_round_trip() -> None:
    log: list[tuple[str, int]] = []
    agent = _agent([CALL, "Sent."], log)
    paused = await agent.ainvoke("pay", thread_id="async")
    assert paused.interrupt is not None
    done = await agent.aresume("async", approve())
    assert done.answer == "Sent." and log == [("bob", 50)]
