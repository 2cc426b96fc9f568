"""to_tool_spec normalisation and native (server-parsed) tool calls."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.tools import tool
from ollama import Message
from pydantic import BaseModel, Field

from gemma_agents.calls import ToolSpec, from_native, parse_tool_calls, to_tool_spec
from gemma_agents.exceptions import ToolDefinitionError
from gemma_agents.tools._tool import Tool

PARAMS = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}


def get_weather(city: str, days: int = 1) -> str:
    """Get the weather forecast.

    Args:
        city: City name.
        days: How many days ahead.
    """
    return city


class SearchArgs(BaseModel):
    """Search the web."""

    query: str = Field(description="What to look for")


@tool
def lc_search(query: str) -> str:
    """Search documents."""
    return query


def test_to_tool_spec_accepts_every_shape() -> None:
    spec = ToolSpec("get_weather", "w", PARAMS)
    assert to_tool_spec(spec) is spec
    assert to_tool_spec({"name": "get_weather", "description": "w", "parameters": PARAMS}) == spec
    openai = {
        "type": "function",
        "function": {"name": "get_weather", "description": "w", "parameters": PARAMS},
    }
    assert to_tool_spec(openai) == spec
    mcp = to_tool_spec({"name": "m", "inputSchema": PARAMS})
    assert mcp.parameters == PARAMS and mcp.description == ""
    assert to_tool_spec({"name": "bare"}).parameters == {"type": "object", "properties": {}}

    class CityArgs(BaseModel):
        city: str

    ours = Tool(name="weather.get", description="w", args_model=CityArgs, fn=lambda city: city)
    assert to_tool_spec(ours).name == "weather.get"
    assert "city" in to_tool_spec(ours).parameters["properties"]

    fn_spec = to_tool_spec(get_weather)
    assert fn_spec.name == "get_weather" and fn_spec.description.startswith("Get the weather")
    assert set(fn_spec.parameters["properties"]) == {"city", "days"}
    assert fn_spec.parameters["required"] == ["city"]

    model_spec = to_tool_spec(SearchArgs)
    assert model_spec.name == "SearchArgs" and "query" in model_spec.parameters["properties"]
    lc_spec = to_tool_spec(lc_search)
    assert lc_spec.name == "lc_search" and lc_spec.description == "Search documents."


@pytest.mark.parametrize(
    "bad", [{"description": "no name"}, {"name": ""}, 42, {"name": "x", "parameters": [1]}]
)
def test_to_tool_spec_rejects_bad_input_clearly(bad: Any) -> None:
    with pytest.raises(ToolDefinitionError):
        to_tool_spec(bad)


def test_from_native_ollama_openai_langchain_and_client_objects() -> None:
    parsed = from_native(
        [
            {"function": {"name": "get_weather", "arguments": {"city": "Tokyo"}}},
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_time", "arguments": '{"tz": "UTC"}'},
            },
            {"name": "lc", "args": {"a": 1}, "id": "x9", "type": "tool_call"},
            Message.ToolCall(function=Message.ToolCall.Function(name="obj", arguments={"k": [1]})),
        ]
    )
    assert [(c.name, c.arguments) for c in parsed] == [
        ("get_weather", {"city": "Tokyo"}),
        ("get_time", {"tz": "UTC"}),
        ("lc", {"a": 1}),
        ("obj", {"k": [1]}),
    ]
    assert parsed[1].id == "call_1" and parsed[2].id == "x9"
    assert all(c.dialect == "native" for c in parsed) and parsed.dialect == "native"
    assert parsed.errors == []


def test_from_native_bad_entries_become_errors() -> None:
    parsed = from_native(
        [
            {"function": {"name": "f", "arguments": "{broken"}},
            {"function": {"arguments": {}}},
            {"function": {"name": "g", "arguments": [1, 2]}},
        ]
    )
    assert list(parsed) == [] and len(parsed.errors) == 3
    assert from_native(None) == [] and from_native(None).dialect is None


def test_native_dialect_text_falls_back_to_detection() -> None:
    text = '<|tool_call>call:get_weather{city:<|"|>Oslo<|"|>}<tool_call|>'
    parsed = parse_tool_calls(text, dialect="native")
    assert parsed.dialect == "gemma4" and parsed[0].arguments == {"city": "Oslo"}
