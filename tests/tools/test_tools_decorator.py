"""@tool, docstring parsing, definition errors, StatefulTool, async tools and timeouts."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Annotated, Any, Literal

import pydantic
import pytest
from pydantic import BaseModel, Field

from gemma_agents.exceptions import ToolDefinitionError
from gemma_agents.tools import StatefulTool, Tool, ToolRegistry, function_to_tool, tool
from gemma_agents.tools._docstring import parse_docstring


def test_docstring_google_style_sections_and_continuations() -> None:
    doc = parse_docstring(
        """Fetch the weather.

        Uses the national service;
        falls back to a cache.

        Args:
            city (str): City name,
                in English.
            days: How many days
              ahead.
            *args: ignored.

        Returns:
            A forecast string.

        Raises:
            ValueError: never.
        """
    )
    assert (
        doc.description == "Fetch the weather.\n\nUses the national service; falls back to a cache."
    )
    assert doc.params == {
        "city": "City name, in English.",
        "days": "How many days ahead.",
        "args": "ignored.",
    }
    assert doc.returns == "A forecast string."


def test_docstring_absent_or_plain() -> None:
    assert parse_docstring(None).description == ""
    plain = parse_docstring("Just one line.")
    assert plain.description == "Just one line." and plain.params == {}


def test_decorator_builds_schema_from_hints_and_docstring() -> None:
    @tool
    def search(query: str, limit: int = 5, mode: Literal["fast", "deep"] = "fast") -> list[str]:
        """Search the catalogue.

        Args:
            query: Words to look for.
            limit: Most results to return.
            mode: Search strategy.
        """
        return [query] * limit

    assert isinstance(search, Tool)
    assert search.name == "search"
    assert search.description == "Search the catalogue."
    schema = search.json_schema()
    assert schema["required"] == ["query"]
    assert schema["properties"]["query"] == {"description": "Words to look for.", "type": "string"}
    assert schema["properties"]["limit"]["default"] == 5
    assert schema["properties"]["mode"]["enum"] == ["fast", "deep"]
    assert "title" not in schema and "title" not in schema["properties"]["limit"]
    # still callable as a plain function, and signature-inspectable
    assert search("x", 2) == ["x", "x"]
    assert list(inspect.signature(search).parameters) == ["query", "limit", "mode"]


def test_decorator_options_and_named_form() -> None:
    @tool(
        "notes.save",
        side_effects="write",
        requires_approval=True,
        timeout=5,
        idempotent=False,
        tags=["notes"],
    )
    def save(text: str) -> str:
        """Save a note."""
        return text

    assert save.name == "notes.save"
    assert (save.side_effects, save.requires_approval, save.timeout, save.idempotent) == (
        "write",
        True,
        5,
        False,
    )
    assert save.tags == frozenset({"notes"})
    assert tool(save) is save  # re-wrapping a Tool is a no-op


def test_annotated_field_constraints_and_descriptions() -> None:
    @tool
    def pick(
        n: Annotated[int, Field(ge=1, le=10, description="inner wins")],
        label: Annotated[str, "from the annotation"] = "x",
        ratio: float = Field(0.5, ge=0, le=1),
    ) -> str:
        """Pick things.

        Args:
            n: doc loses to Field.
            ratio: Share to keep.
        """
        return f"{n}{label}{ratio}"

    props = pick.json_schema()["properties"]
    assert props["n"]["description"] == "inner wins"
    assert (props["n"]["minimum"], props["n"]["maximum"]) == (1, 10)
    assert props["label"]["description"] == "from the annotation"
    assert props["ratio"]["description"] == "Share to keep." and props["ratio"]["maximum"] == 1
    assert pick.run({"n": 3}) == "3x0.5"
    with pytest.raises(pydantic.ValidationError):
        pick.validate({"n": 11})
    with pytest.raises(pydantic.ValidationError):
        pick.validate({"n": 2, "ratio": 2})


def test_parameter_names_that_clash_with_pydantic_keep_their_names() -> None:
    @tool
    def odd(
        schema: str, model_config: int, _private: bool = False, json: str = "j"
    ) -> dict[str, Any]:
        """Echo odd names."""
        return {"schema": schema, "model_config": model_config, "_private": _private, "json": json}

    assert set(odd.json_schema()["properties"]) == {"schema", "model_config", "_private", "json"}
    result = odd.run({"schema": "s", "model_config": 2, "_private": True})
    assert result == {"schema": "s", "model_config": 2, "_private": True, "json": "j"}


def test_unknown_arguments_are_rejected() -> None:
    @tool
    def greet(name: str) -> str:
        """Greet."""
        return name

    with pytest.raises(pydantic.ValidationError) as info:
        greet.validate({"name": "a", "nmae": "typo"})
    assert "nmae" in str(info.value)


def _no_hint(x, y: int) -> int:  # type: ignore[no-untyped-def]
    """Doc."""
    return y


def _star_args(*values: int) -> int:
    """Doc."""
    return sum(values)


def _star_kwargs(**values: int) -> int:
    """Doc."""
    return len(values)


def _object_param(x: object) -> str:
    """Doc."""
    return str(x)


def _callable_param(fn: Callable[[int], int]) -> int:
    """Doc."""
    return fn(1)


class _Opaque:
    pass


def _class_param(x: _Opaque) -> str:
    """Doc."""
    return "x"


def _positional_only(x: int, /) -> int:
    """Doc."""
    return x


def _undocumented(x: int) -> int:
    return x


@pytest.mark.parametrize(
    ("fn", "needle"),
    [
        (_no_hint, "parameter 'x' has no type hint"),
        (_star_args, "*values"),
        (_star_kwargs, "**values"),
        (_object_param, "type 'object'"),
        (_callable_param, "no JSON schema"),
        (_class_param, "unsupported parameter type"),
        (_positional_only, "positional-only"),
        (_undocumented, "no description"),
    ],
)
def test_broken_definitions_fail_at_definition_time(fn: Callable[..., Any], needle: str) -> None:
    with pytest.raises(ToolDefinitionError) as info:
        tool(fn)
    assert info.value.tool == fn.__name__
    assert needle in str(info.value)


@pytest.mark.parametrize("name", ["bad-name", "1abc", "a..b", "has space", ".lead", "x" * 65, ""])
def test_invalid_names_are_refused(name: str) -> None:
    def ok(x: int) -> int:
        """Doc."""
        return x

    with pytest.raises(ToolDefinitionError) as info:
        function_to_tool(ok, name=name)
    assert "name" in str(info.value)


def test_bad_risk_options_are_refused() -> None:
    def ok(x: int) -> int:
        """Doc."""
        return x

    with pytest.raises(ToolDefinitionError, match="side_effects"):
        function_to_tool(ok, side_effects="dangerous")  # type: ignore[arg-type]
    with pytest.raises(ToolDefinitionError, match="timeout"):
        function_to_tool(ok, timeout=0)


def test_unresolvable_forward_reference_is_a_definition_error() -> None:
    def later(x: NotDefinedAnywhere) -> int:  # type: ignore[name-defined]  # noqa: F821
        """Doc."""
        return 1

    with pytest.raises(ToolDefinitionError, match="cannot resolve type hints"):
        tool(later)


def test_custom_args_schema() -> None:
    class Point(BaseModel):
        x: float
        y: float

    @tool(args_schema=Point)
    def norm(x: float, y: float) -> float:
        """Length of a vector."""
        return float((x * x + y * y) ** 0.5)

    assert norm.run({"x": 3, "y": 4}) == 5.0
    assert norm.json_schema()["required"] == ["x", "y"]


async def test_async_tool_runs_and_reports_async() -> None:
    @tool
    async def slow_echo(text: str, delay: float = 0.0) -> str:
        """Echo after a delay."""
        await asyncio.sleep(delay)
        return text.upper()

    assert slow_echo.is_async
    assert await slow_echo.arun({"text": "hi"}) == "HI"
    results = await asyncio.gather(
        *(slow_echo.arun({"text": str(i), "delay": 0.05}) for i in range(5))
    )
    assert results == ["0", "1", "2", "3", "4"]


def test_async_tool_runs_synchronously_outside_a_loop() -> None:
    @tool
    async def double(n: int) -> int:
        """Double it."""
        return n * 2

    assert double.run({"n": 21}) == 42


async def test_timeout_abandons_slow_tools() -> None:
    @tool(timeout=0.1)
    async def sleepy() -> str:
        """Sleep too long."""
        await asyncio.sleep(5)
        return "done"

    @tool(timeout=0.1)
    def blocking() -> str:
        """Block too long (runs in a worker thread)."""
        time.sleep(0.5)
        return "done"

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await sleepy.arun({})
    with pytest.raises(TimeoutError):
        await blocking.arun({})
    assert time.monotonic() - started < 2


class Counter(StatefulTool):
    """Keep a running total."""

    name = "counter"
    side_effects = "write"
    idempotent = False

    def __init__(self) -> None:
        self.total = 0

    def run(self, by: int = 1) -> int:
        """Add to the total.

        Args:
            by: Amount to add.
        """
        self.total += by
        return self.total


class AsyncLookup(StatefulTool):
    def __init__(self, table: dict[str, str]) -> None:
        self.table = table

    async def run(self, key: str) -> str:
        """Look a key up in the table.

        Args:
            key: The key.
        """
        return self.table.get(key, "missing")


def test_stateful_tool_keeps_state_across_calls() -> None:
    counter = Counter()
    as_tool = counter.as_tool()
    assert as_tool.name == "counter"
    assert as_tool.description == "Keep a running total."
    assert as_tool.json_schema()["properties"]["by"]["description"] == "Amount to add."
    assert (as_tool.side_effects, as_tool.idempotent) == ("write", False)
    assert as_tool.run({"by": 2}) == 2
    assert as_tool.run({}) == 3
    registry = ToolRegistry([counter])
    assert registry["counter"].run({"by": 10}) == 13
    assert counter.total == 13


def test_stateful_tool_async_and_default_name() -> None:
    lookup = AsyncLookup({"a": "alpha"}).as_tool()
    assert lookup.name == "async_lookup"
    assert lookup.description == "Look a key up in the table."
    assert lookup.is_async and lookup.run({"key": "a"}) == "alpha"


def test_stateful_tool_class_instead_of_instance_is_explained() -> None:
    with pytest.raises(ToolDefinitionError, match=r"register an instance"):
        ToolRegistry([Counter])


def test_stateful_tool_without_run() -> None:
    class Empty(StatefulTool):
        """Nothing."""

    with pytest.raises(ToolDefinitionError, match=r"must define a run\(\)"):
        Empty().as_tool()
