"""The Agent end to end on ScriptedGemma: the real prompt rendering and call parsing path."""

from __future__ import annotations

import asyncio
import time

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool as lc_tool

from gemma_agents.exceptions import ConfigError, ToolDefinitionError
from gemma_agents.graph import Agent
from gemma_agents.testing import ScriptedGemma
from gemma_agents.tools import ToolRegistry, tool


@tool
def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: First addend.
        b: Second addend.
    """
    return a + b


@tool
def explode(reason: str) -> str:
    """Fail on purpose.

    Args:
        reason: Why.
    """
    raise RuntimeError(f"boom: {reason}")


def _prompt(model: ScriptedGemma, call: int) -> str:
    """Everything the scripted model was shown on its ``call``-th request."""
    messages = model.scripted.calls[call][0]
    return "\n".join(m.content for m in messages)


def test_one_tool_round_trip_then_answer() -> None:
    model = ScriptedGemma(["[add(a=2, b=3)]", "2 + 3 = 5."])
    agent = Agent(model, tools=[add], guardrails=False)
    result = agent.invoke("What is 2 + 3?")
    assert result.answer == "2 + 3 = 5."
    assert result.status == "answered" and result.steps == 2
    assert [(c.name, c.args, c.result, c.status) for c in result.tool_calls] == [
        ("add", {"a": 2, "b": 3}, "5", "ok")
    ]
    # The second request showed the model its own call and the result, in its dialect.
    second = _prompt(model, 1)
    assert "[add(a=2, b=3)]" in second and "```tool_output\n5\n```" in second
    assert result.usage["total_tokens"] > 0
    assert result.usage["total_tokens"] == (
        result.usage["input_tokens"] + result.usage["output_tokens"]
    )
    kinds = [type(m).__name__ for m in result.messages]
    assert kinds == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"]


def test_model_is_told_its_step_budget_and_the_system_prompt() -> None:
    model = ScriptedGemma(["[add(a=1, b=1)]", "2"])
    agent = Agent(model, tools=[add], guardrails=False, system_prompt="Be terse.", max_steps=3)
    agent.invoke("1+1")
    assert "Be terse." in _prompt(model, 0)
    assert "step 1 of 3" in _prompt(model, 0)
    assert "step 2 of 3" in _prompt(model, 1)


def test_parallel_calls_run_concurrently_and_keep_their_order() -> None:
    @tool
    async def wait(seconds: float, label: str) -> str:
        """Wait, then return the label.

        Args:
            seconds: How long.
            label: What to return.
        """
        await asyncio.sleep(seconds)
        return label

    model = ScriptedGemma(
        ['[wait(seconds=0.4, label="a"), wait(seconds=0.4, label="b")]', "a and b"]
    )
    agent = Agent(model, tools=[wait], guardrails=False)
    started = time.perf_counter()
    result = agent.invoke("wait twice")
    elapsed = time.perf_counter() - started
    assert [c.result for c in result.tool_calls] == ["a", "b"]
    assert elapsed < 0.75, f"calls ran one after the other ({elapsed:.2f}s)"
    tool_messages = [m for m in result.messages if isinstance(m, ToolMessage)]
    assert [m.content for m in tool_messages] == ["a", "b"]


def test_threads_keep_history_and_each_turn_reports_only_itself() -> None:
    model = ScriptedGemma(["[add(a=1, b=2)]", "3", "You asked about 1 + 2."])
    agent = Agent(model, tools=[add], guardrails=False)
    first = agent.invoke("1 + 2?", thread_id="t")
    second = agent.invoke("What did I ask?", thread_id="t")
    assert first.thread_id == second.thread_id == "t"
    assert second.answer == "You asked about 1 + 2."
    assert second.steps == 1 and second.tool_calls == []
    assert "1 + 2?" in _prompt(model, 2)  # earlier turn is part of the context
    humans = [m.content for m in second.messages if isinstance(m, HumanMessage)]
    assert humans == ["1 + 2?", "What did I ask?"]


def test_new_threads_do_not_share_history() -> None:
    model = ScriptedGemma(["first", "second"])
    agent = Agent(model, guardrails=False)
    a = agent.invoke("alpha")
    b = agent.invoke("beta")
    assert a.thread_id != b.thread_id
    assert "alpha" not in _prompt(model, 1)


async def test_ainvoke_runs_the_same_graph() -> None:
    model = ScriptedGemma(["[add(a=20, b=22)]", "42"])
    agent = Agent(model, tools=[add], guardrails=False)
    result = await agent.ainvoke("20 + 22?")
    assert result.answer == "42" and result.tool_calls[0].result == "42"


def test_tool_errors_go_back_to_the_model_as_error_results() -> None:
    model = ScriptedGemma(['[explode(reason="test")]', "The tool failed: boom."])
    agent = Agent(model, tools=[explode], guardrails=False)
    result = agent.invoke("try it")
    assert result.answer == "The tool failed: boom."
    (message,) = [m for m in result.messages if isinstance(m, ToolMessage)]
    assert message.status == "error"
    assert "Error executing tool 'explode'" in message.content and "boom: test" in message.content
    assert result.tool_calls[0].status == "error"
    assert "boom: test" in _prompt(model, 1)


def test_unknown_tool_gets_feedback_naming_the_real_tools() -> None:
    model = ScriptedGemma(["[ad(a=1, b=2)]", "3"], repair_attempts=0)
    agent = Agent(model, tools=[add], guardrails=False)
    result = agent.invoke("1+2")
    (message,) = [m for m in result.messages if isinstance(m, ToolMessage)]
    assert message.status == "error" and "add" in message.content
    assert result.answer == "3"


def test_invalid_arguments_come_back_as_a_correction() -> None:
    model = ScriptedGemma(['[add(a="two", b=3)]', "[add(a=2, b=3)]", "5"], repair_attempts=0)
    agent = Agent(model, tools=[add], guardrails=False)
    result = agent.invoke("two plus three")
    errors = [m for m in result.messages if isinstance(m, ToolMessage) and m.status == "error"]
    assert len(errors) == 1 and "a" in errors[0].content
    assert result.answer == "5"
    assert [c.status for c in result.tool_calls] == ["error", "ok"]


def test_tools_as_plain_functions_langchain_tools_and_registries() -> None:
    def multiply(x: int, y: int) -> int:
        """Multiply two integers.

        Args:
            x: First factor.
            y: Second factor.
        """
        return x * y

    @lc_tool
    def shout(text: str) -> str:
        """Upper-case the text."""
        return text.upper()

    model = ScriptedGemma(['[multiply(x=6, y=7), shout(text="hi")]', "42 HI"])
    agent = Agent(model, tools=[multiply, shout], guardrails=False)
    result = agent.invoke("go")
    assert [c.result for c in result.tool_calls] == ["42", "HI"]

    registry = ToolRegistry([add])
    agent2 = Agent(ScriptedGemma(["[add(a=1, b=1)]", "2"]), tools=registry, guardrails=False)
    assert agent2.invoke("1+1").tool_calls[0].result == "2"


def test_duplicate_tool_names_are_refused_at_construction() -> None:
    with pytest.raises(ToolDefinitionError):
        Agent(ScriptedGemma(["x"]), tools=[add, add], guardrails=False)


def test_any_langchain_chat_model_works_as_the_model() -> None:
    model = GenericFakeChatModel(messages=iter([AIMessage(content="plain answer")]))
    agent = Agent(model, guardrails=False)
    assert agent.invoke("hi").answer == "plain answer"


def test_bad_arguments_to_the_agent_are_clear_errors() -> None:
    with pytest.raises(ConfigError, match="cannot use int as a model"):
        Agent(42)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="max_steps"):
        Agent(ScriptedGemma(["x"]), max_steps=0, guardrails=False)
    agent = Agent(ScriptedGemma(["x"]), guardrails=False)
    with pytest.raises(ConfigError, match="must be a str"):
        agent.invoke(123)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="nothing to resume"):
        agent.resume("never-used")


def test_context_message_is_not_stored_in_the_thread() -> None:
    model = ScriptedGemma(["ok"])
    agent = Agent(model, guardrails=False, system_prompt="SECRET PROMPT")
    result = agent.invoke("hi")
    assert not any(isinstance(m, SystemMessage) for m in result.messages)
    assert "SECRET PROMPT" in _prompt(model, 0)


def test_graph_is_exposed_and_extendable() -> None:
    agent = Agent(ScriptedGemma(["ok"]), tools=[add], guardrails=False)
    assert {"model", "execute", "approve", "finalize"} <= set(agent.graph.get_graph().nodes)
    builder = agent.state_graph()
    assert "model" in builder.nodes


def test_a_run_that_failed_mid_way_resumes_without_rerunning_tools() -> None:
    runs: list[int] = []
    replies = iter(["[count(n=1)]", RuntimeError("inference server went away"), "Counted."])

    def reply(messages: object) -> str:
        value = next(replies)
        if isinstance(value, Exception):
            raise value
        return value

    @tool(idempotent=False)
    def count(n: int) -> int:
        """Count something.

        Args:
            n: How many.
        """
        runs.append(n)
        return n

    agent = Agent(ScriptedGemma(reply), tools=[count], guardrails=False)
    with pytest.raises(RuntimeError, match="went away"):
        agent.invoke("count one", thread_id="f")
    assert agent.result("f").status == "running"
    result = agent.resume("f")
    assert result.answer == "Counted." and runs == [1]


def test_the_agent_embeds_as_a_subgraph_of_a_messages_graph() -> None:
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.graph import END, START, MessagesState, StateGraph

    agent = Agent(
        ScriptedGemma(["[add(a=1, b=2)]", "3", "[add(a=2, b=2)]", "4"]),
        tools=[add],
        guardrails=False,
    )
    parent = StateGraph(MessagesState)
    parent.add_node("agent", agent.as_subgraph())
    parent.add_edge(START, "agent")
    parent.add_edge("agent", END)
    graph = parent.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "parent"}}
    graph.invoke({"messages": [("user", "1+2")]}, config)
    out = graph.invoke({"messages": [("user", "2+2")]}, config)
    assert [m.content for m in out["messages"] if m.type in ("ai", "tool")] == [
        "",
        "3",
        "3",
        "",
        "4",
        "4",
    ]
