"""ToolRegistry: conflicts, namespaces, filters, specs/render, and the LangChain bridge."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import StructuredTool
from langchain_core.tools import tool as lc_tool
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode

from gemma_agents.calls import parse_tool_calls
from gemma_agents.exceptions import ToolDefinitionError
from gemma_agents.tools import (
    ToolRegistry,
    ToolResult,
    as_tool,
    from_langchain,
    to_langchain,
    tool,
)


@tool(tags=("math",))
def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: First addend.
        b: Second addend.
    """
    return a + b


@tool(tags=("text",), side_effects="read")
def shout(text: str) -> str:
    """Upper-case a text."""
    return text.upper()


@tool("files.remove", side_effects="write", requires_approval=True, tags=("files",))
def remove(path: str) -> str:
    """Pretend to delete a file."""
    return f"removed {path}"


@tool
async def slow_add(a: int, b: int) -> int:
    """Add after yielding to the loop."""
    await asyncio.sleep(0)
    return a + b


@tool
def fetchish(url: str) -> ToolResult:
    """Return third-party content."""
    return ToolResult(f"page at {url}", untrusted=True, source=url)


@tool
def aliased(schema: str, count: int = 1) -> str:
    """Repeat a word; the parameter names clash with pydantic attributes."""
    return schema * count


def plain_function(word: str, times: int = 2) -> str:
    """Repeat a word.

    Args:
        word: The word.
        times: How often.
    """
    return word * times


def test_register_and_lookup() -> None:
    registry = ToolRegistry([add, shout])
    assert registry.names() == ["add", "shout"]
    assert "add" in registry and "nope" not in registry
    assert registry.get("add") is add and registry.get("nope") is None
    assert [t.name for t in registry] == ["add", "shout"] and len(registry) == 2
    with pytest.raises(KeyError, match="did you mean add"):
        registry["ad"]


def test_plain_functions_are_wrapped() -> None:
    registry = ToolRegistry()
    made = registry.register(plain_function)
    assert made.name == "plain_function"
    assert made.json_schema()["properties"]["times"]["description"] == "How often."
    assert registry["plain_function"].run({"word": "ab"}) == "abab"


def test_duplicate_names_fail_unless_replace() -> None:
    registry = ToolRegistry([add])

    @tool("add")
    def other_add(a: int, b: int) -> int:
        """A different add."""
        return a - b

    with pytest.raises(ToolDefinitionError) as info:
        registry.register(other_add)
    assert info.value.tool == "add" and "already registered" in str(info.value)
    assert registry["add"] is add
    registry.register(other_add, replace=True)
    assert registry["add"].run({"a": 5, "b": 3}) == 2


def test_register_all_is_all_or_nothing() -> None:
    registry = ToolRegistry([add])
    with pytest.raises(ToolDefinitionError):
        registry.register_all([shout, add])
    assert registry.names() == ["add"]


def test_namespaces_and_renames() -> None:
    registry = ToolRegistry()
    registry.register(add, namespace="math")
    registry.register(add, namespace="math.int")
    registry.register(shout, name="yell")
    registry.register(remove)
    assert registry.names() == ["math.add", "math.int.add", "yell", "files.remove"]
    assert registry.namespaces() == ["files", "math", "math.int"]
    assert registry.namespace("math").names() == ["math.add", "math.int.add"]
    assert registry["math.add"].run({"a": 1, "b": 2}) == 3
    assert add.name == "add"  # the original tool is untouched
    with pytest.raises(ToolDefinitionError):
        registry.register(add, namespace="bad-ns")


def test_registry_decorator() -> None:
    registry = ToolRegistry()

    @registry.tool(namespace="util", side_effects="read")
    def now_ish(label: str) -> str:
        """Say something."""
        return label

    assert registry.names() == ["util.now_ish"]
    assert now_ish.side_effects == "read"


def test_filter_by_tags_globs_and_effects() -> None:
    registry = ToolRegistry([add, shout, remove, slow_add])
    assert registry.filter(tags=["math", "text"]).names() == ["add", "shout"]
    assert registry.filter(allow=["files.*"]).names() == ["files.remove"]
    assert registry.filter(deny=["files.*", "slow_*"]).names() == ["add", "shout"]
    assert registry.filter(allow=["*"], deny=["add"]).names() == [
        "shout",
        "files.remove",
        "slow_add",
    ]
    assert registry.filter(side_effects=["none"]).names() == ["add", "slow_add"]
    assert registry.filter(predicate=lambda t: t.requires_approval).names() == ["files.remove"]
    # filtered views share tools but not membership
    view = registry.filter(tags=["math"])
    view.register(shout)
    assert "shout" in view and registry.names() == ["add", "shout", "files.remove", "slow_add"]


def test_unregister() -> None:
    registry = ToolRegistry([add, shout])
    assert registry.unregister("add") is add
    assert registry.names() == ["shout"]
    with pytest.raises(KeyError):
        registry.unregister("add")


def test_specs_and_render_round_trip_through_the_parser() -> None:
    registry = ToolRegistry([add, shout])
    specs = registry.specs()
    assert [s.name for s in specs] == ["add", "shout"]
    assert specs[0].parameters["properties"]["a"]["description"] == "First addend."
    assert [s.name for s in registry.specs(["shout"])] == ["shout"]
    prompt = registry.render("gemma3")
    assert "add" in prompt and "Add two integers." in prompt and "First addend." in prompt
    calls = parse_tool_calls("[add(a=2, b=40)]", tools=specs, dialect="gemma3")
    assert [(c.name, c.arguments) for c in calls] == [("add", {"a": 2, "b": 40})]
    assert registry[calls[0].name].run(calls[0].arguments) == 42


def test_as_tool_rejects_non_tools() -> None:
    with pytest.raises(ToolDefinitionError, match="cannot make a tool"):
        as_tool(42)


# -- LangChain bridge -----------------------------------------------------------------------


def _tool_graph(node: ToolNode) -> Any:
    """The smallest LangGraph graph that runs a ToolNode (START -> tools -> END)."""
    builder = StateGraph(MessagesState)
    builder.add_node("tools", node)
    builder.add_edge(START, "tools")
    builder.add_edge("tools", END)
    return builder.compile()


def test_to_langchain_tools_run_in_langgraph_toolnode() -> None:
    registry = ToolRegistry([add, aliased, fetchish, remove])
    lc_tools = registry.to_langchain()
    assert all(isinstance(t, StructuredTool) for t in lc_tools)
    assert lc_tools[3].metadata["gemma_agents"]["requires_approval"] is True
    graph = _tool_graph(ToolNode(lc_tools))
    message = AIMessage(
        content="",
        tool_calls=[
            {"name": "add", "args": {"a": 2, "b": 3}, "id": "c1", "type": "tool_call"},
            {
                "name": "aliased",
                "args": {"schema": "ab", "count": 3},
                "id": "c2",
                "type": "tool_call",
            },
            {
                "name": "fetchish",
                "args": {"url": "https://x.test"},
                "id": "c3",
                "type": "tool_call",
            },
        ],
    )
    out = graph.invoke({"messages": [message]})["messages"][1:]
    assert [(m.tool_call_id, m.content) for m in out] == [
        ("c1", "5"),
        ("c2", "ababab"),
        ("c3", "page at https://x.test"),
    ]


async def test_to_langchain_async_tools_and_validation_errors() -> None:
    graph = _tool_graph(
        ToolNode(ToolRegistry([slow_add, add]).to_langchain(), handle_tool_errors=True)
    )
    message = AIMessage(
        content="",
        tool_calls=[
            {"name": "slow_add", "args": {"a": 1, "b": 1}, "id": "a1", "type": "tool_call"},
            {"name": "add", "args": {"a": "not a number", "b": 1}, "id": "a2", "type": "tool_call"},
        ],
    )
    out: list[ToolMessage] = (await graph.ainvoke({"messages": [message]}))["messages"][1:]
    assert out[0].content == "2"
    assert out[1].status == "error" and "a" in out[1].content


def test_to_langchain_sync_invoke_of_an_async_tool() -> None:
    lc = to_langchain(slow_add)
    assert lc.coroutine is not None
    assert lc.invoke({"a": 1, "b": 2}) == 3


def test_from_langchain_is_conservative() -> None:
    @lc_tool
    def multiply(x: int, y: int) -> int:
        """Multiply two integers."""
        return x * y

    imported = from_langchain(multiply)
    assert imported.name == "multiply"
    assert imported.description == "Multiply two integers."
    assert (imported.side_effects, imported.idempotent, imported.source) == (
        "external",
        False,
        "langchain",
    )
    assert imported.run({"x": 6, "y": 7}) == 42
    assert set(imported.json_schema()["properties"]) == {"x", "y"}
    # registering a LangChain tool directly goes through the same bridge
    registry = ToolRegistry([multiply])
    assert registry["multiply"].side_effects == "external"


def test_from_langchain_sanitises_names_and_accepts_overrides() -> None:
    def echo(text: str) -> str:
        return text

    lc = StructuredTool.from_function(echo, name="echo-text", description="Echo a text.")
    imported = from_langchain(lc, side_effects="none", idempotent=True)
    assert imported.name == "echo_text"
    assert (imported.side_effects, imported.idempotent) == ("none", True)
    assert imported.run({"text": "hi"}) == "hi"


def test_langchain_round_trip_keeps_risk_metadata() -> None:
    back = from_langchain(to_langchain(remove))
    assert back.name == "files.remove"
    assert (back.side_effects, back.requires_approval, back.idempotent) == ("write", True, True)
    assert back.run({"path": "a.txt"}) == "removed a.txt"
    again = from_langchain(to_langchain(aliased))
    assert again.run({"schema": "x", "count": 2}) == "xx"


def test_from_langchain_with_json_schema_args() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"city": {"type": "string", "description": "City."}},
        "required": ["city"],
    }

    def weather(**kwargs: Any) -> str:
        return f"sunny in {kwargs['city']}"

    lc = StructuredTool(name="weather", description="Weather.", args_schema=schema, func=weather)
    imported = from_langchain(lc)
    assert imported.json_schema()["properties"]["city"]["description"] == "City."
    assert imported.run({"city": "Oslo"}) == "sunny in Oslo"
