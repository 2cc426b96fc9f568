"""Constrained mode: several calls in one step, optional arguments last, bounded numbers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, ToolMessage

from gemma_agents.calls._types import ToolSpec
from gemma_agents.models import format_schema, select_shots, union_schema
from gemma_agents.models._narrow import mentioned_arguments, named_tools
from gemma_agents.models.constrained import decode_output, render_signature
from gemma_agents.models.fewshot import looks_multiple
from gemma_agents.runtime._llamacpp_options import (
    MAX_DECIMAL_DIGITS,
    MAX_INTEGRAL_DIGITS,
    bound_numbers,
)
from gemma_agents.testing import ScriptedGemma

WEATHER: dict[str, Any] = {
    "name": "get_weather",
    "description": "Get the current weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {
            "units": {"type": "string", "enum": ["c", "f"]},
            "city": {"type": "string", "description": "City name"},
        },
        "required": ["city"],
    },
}
TIME: dict[str, Any] = {
    "name": "get_time",
    "description": "Current time in a timezone.",
    "parameters": {
        "type": "object",
        "properties": {"tz": {"type": "string"}},
        "required": ["tz"],
    },
}
SPECS = [ToolSpec(t["name"], t["description"], t["parameters"]) for t in (WEATHER, TIME)]


def _multi_option(schema: dict[str, Any]) -> dict[str, Any] | None:
    for option in schema.get("anyOf", [schema]):
        if "tool_calls" in option.get("properties", {}):
            return option
    return None


def test_union_schema_offers_a_bounded_list_of_calls() -> None:
    assert _multi_option(union_schema(SPECS)) is None  # the default stays single-call
    schema = union_schema(SPECS, max_calls=3)
    option = _multi_option(schema)
    assert option is not None and option["required"] == ["tool_calls"]
    # Calls only as a list (a single call is a list of one), next to the direct answer.
    assert [list(o["properties"]) for o in schema["anyOf"]] == [["tool_calls"], ["final_answer"]]
    array = option["properties"]["tool_calls"]
    assert (array["minItems"], array["maxItems"]) == (1, 3)
    names = [o["properties"]["tool"]["const"] for o in array["items"]["anyOf"]]
    assert names == ["get_weather", "get_time"]
    # No list when tools are off (after a tool result).
    assert _multi_option(union_schema(SPECS, allow_tools=False, max_calls=3)) is None


def test_decode_output_reads_a_list_of_calls() -> None:
    turn = decode_output(
        '{"tool_calls": [{"tool": "get_weather", "arguments": {"city": "Oslo"}},'
        ' {"tool": "get_time", "arguments": {"tz": "UTC"}}]}'
    )
    assert turn.error is None
    assert [(c.name, c.arguments) for c in turn.calls] == [
        ("get_weather", {"city": "Oslo"}),
        ("get_time", {"tz": "UTC"}),
    ]
    assert len({c.id for c in turn.calls}) == 2
    repeated = decode_output(
        '{"tool_calls": [{"tool": "get_time", "arguments": {"tz": "UTC"}},'
        ' {"tool": "get_time", "arguments": {"tz": "UTC"}},'
        ' {"tool": "get_time", "arguments": {"tz": "CET"}}]}'
    )
    assert [c.arguments["tz"] for c in repeated.calls] == ["UTC", "CET"]  # repeats dropped
    bad = decode_output('{"tool_calls": [{"tool": "get_time", "arguments": [1]}]}')
    assert bad.calls == [] and bad.error == '"arguments" must be a JSON object'
    assert decode_output('{"tool_calls": [3]}').error is not None


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        ("What is the weather in Paris and also in Rome?", True),
        ("Play Adele and Queen for 10 and 20 minutes respectively.", True),
        ("Get prices for apples, pears and plums.", True),
        ("What is the weather in Paris?", False),
        ("Area of a triangle with base 10 and height 5.", False),
        ("Area of a triangle with sides 3, 4 and 5.", False),
        ("Solve for a=1, b=2 and c=3.", False),
    ],
)
def test_looks_multiple(request_text: str, expected: bool) -> None:
    assert looks_multiple(request_text) is expected


def test_multi_call_example_goes_right_before_the_request() -> None:
    shots = select_shots("What is the weather in Paris and also in Rome?", SPECS, multi=True)
    last = shots[-1]
    assert last.call is not None and last.more_calls  # a multi-call example
    assert {last.call[0], *(name for name, _ in last.more_calls)} == {"get_weather"}
    assert all(not s.more_calls for s in select_shots("Weather in Paris?", SPECS))


def test_constrained_step_returns_several_tool_calls_then_answers() -> None:
    llm = ScriptedGemma(
        [
            '{"tool_calls": [{"tool": "get_weather", "arguments": {"city": "Paris"}},'
            ' {"tool": "get_weather", "arguments": {"city": "Rome"}}]}',
            '{"final_answer": "Sunny in Paris, rain in Rome."}',
        ],
        mode="constrained",
    )
    bound = llm.bind_tools([WEATHER, TIME])
    request = "What is the weather in Paris and also in Rome?"
    first = bound.invoke(request)
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [
        ("get_weather", {"city": "Paris"}),
        ("get_weather", {"city": "Rome"}),
    ]
    assert first.tool_calls[0]["id"] != first.tool_calls[1]["id"]
    messages, schema, _ = llm.scripted.calls[0]
    assert _multi_option(schema) is not None
    assert '"tool_calls": [' in messages[0].content  # the multi-call example is shown

    results = [
        ToolMessage(text, tool_call_id=c["id"])
        for c, text in zip(first.tool_calls, ("sunny", "rain"), strict=True)
    ]
    final = bound.invoke([HumanMessage(request), first, *results])
    assert final.content == "Sunny in Paris, rain in Rome." and final.tool_calls == []
    messages, schema, _ = llm.scripted.calls[1]
    assert schema["required"] == ["final_answer"]  # one round of calls, then the answer
    calls_line = json.dumps(
        {
            "tool_calls": [
                {"tool": "get_weather", "arguments": {"city": "Paris"}},
                {"tool": "get_weather", "arguments": {"city": "Rome"}},
            ]
        }
    )
    assert messages[0].content.endswith(f"JSON: {calls_line}\nResult: sunny\nResult: rain\nJSON:")


def test_single_request_keeps_the_single_call_schema() -> None:
    llm = ScriptedGemma(
        ['{"tool": "get_weather", "arguments": {"city": "Paris"}}'], mode="constrained"
    )
    msg = llm.bind_tools([WEATHER, TIME]).invoke("What is the weather in Paris?")
    assert [c["args"] for c in msg.tool_calls] == [{"city": "Paris"}]
    messages, schema, _ = llm.scripted.calls[0]
    assert _multi_option(schema) is None
    assert '"tool_calls"' not in messages[0].content


def test_invalid_call_in_a_list_is_reported_next_to_the_valid_one() -> None:
    llm = ScriptedGemma(
        [
            '{"tool_calls": [{"tool": "get_weather", "arguments": {"city": "Oslo"}},'
            ' {"tool": "get_weather", "arguments": {"units": "c"}}]}'
        ],
        mode="constrained",
        repair_attempts=0,
    )
    msg = llm.bind_tools([WEATHER]).invoke("Weather in Oslo and also in Lima?")
    assert [c["args"] for c in msg.tool_calls] == [{"city": "Oslo"}]
    assert len(msg.invalid_tool_calls) == 1
    assert "city" in (msg.invalid_tool_calls[0]["error"] or "")


def test_required_arguments_come_first() -> None:
    schema = format_schema(WEATHER["parameters"])
    assert list(schema["properties"]) == ["city", "units"]
    spec = ToolSpec(WEATHER["name"], WEATHER["description"], WEATHER["parameters"])
    assert render_signature(spec).startswith("- get_weather(city: string, units?: string)")


def test_bound_numbers_caps_digit_runs() -> None:
    gbnf = (
        "integral-part ::= [0-9] | [1-9] ([0-9] ([0-9])?)?\n"
        "decimal-part ::= [0-9] ([0-9])?\n"
        'number ::= ("-"? integral-part) ("." decimal-part)? '
        "([eE] [-+]? integral-part)? space\n"
        'space ::= " "?'
    )
    out = bound_numbers(gbnf).splitlines()
    assert out[0].count("[0-9]") == MAX_INTEGRAL_DIGITS  # "[0-9] | [1-9]" + 11 more
    assert out[1].count("[0-9]") == MAX_DECIMAL_DIGITS
    assert "integral-part)? space" not in out[2] and "[-+]? [0-9]" in out[2]
    assert out[3] == 'space ::= " "?'


def test_bounded_grammar_compiles_and_rejects_long_numbers() -> None:
    llama_grammar = pytest.importorskip("llama_cpp.llama_grammar")
    schema = json.dumps(union_schema(SPECS, max_calls=2))
    source = bound_numbers(llama_grammar.json_schema_to_gbnf(schema))
    llama_grammar.LlamaGrammar.from_string(source, verbose=False)
    digits = json.dumps({"type": "integer"})
    capped = bound_numbers(llama_grammar.json_schema_to_gbnf(digits))
    assert "integral-part ::=" in capped
    assert capped.count("[0-9]") < llama_grammar.json_schema_to_gbnf(digits).count("[0-9]")


def _country_tool(what: str) -> dict[str, Any]:
    return {
        "name": f"country_info.{what}",
        "description": f"Fetch the {what.replace('_', ' ')} of a country.",
        "parameters": {
            "type": "object",
            "properties": {
                "country": {"type": "string"},
                "year": {"type": "integer"},
                "rounding": {"type": "integer"},
            },
            "required": ["country"],
        },
    }


COUNTRY = [_country_tool(w) for w in ("largest_city", "capital", "population")]


def test_named_tools_singles_out_the_near_identical_tool_the_request_names() -> None:
    specs = [ToolSpec(t["name"], t["description"], t["parameters"]) for t in COUNTRY]
    assert [s.name for s in named_tools(specs, "What is the capital of Peru?")] == [
        "country_info.capital"
    ]
    # No single match, several matches, or unrelated names: every tool stays.
    assert len(named_tools(specs, "Tell me about Peru.")) == 3
    assert len(named_tools(specs, "Capital and population of Peru?")) == 3
    assert len(named_tools(SPECS, "What is the weather in Paris?")) == 2


def test_mentioned_arguments_drops_unmentioned_optionals_only() -> None:
    spec = ToolSpec(COUNTRY[2]["name"], "", COUNTRY[2]["parameters"])
    plain = mentioned_arguments(spec, "Population of Peru?")
    assert list(plain.parameters["properties"]) == ["country"]
    assert plain.parameters["required"] == ["country"]
    rounded = mentioned_arguments(spec, "Population of Peru in 1990, rounded please")
    assert list(rounded.parameters["properties"]) == ["country", "year", "rounding"]
    unit = ToolSpec(
        "area",
        "",
        {
            "type": "object",
            "properties": {"r": {"type": "number"}, "unit": {"type": "string"}},
            "required": ["r"],
        },
    )
    assert "unit" in mentioned_arguments(unit, "Area for r of 4 inches").parameters["properties"]
    assert "unit" not in mentioned_arguments(unit, "Area for r=4").parameters["properties"]
    no_required = ToolSpec("f", "", {"type": "object", "properties": {"x": {"type": "string"}}})
    assert mentioned_arguments(no_required, "hello") is no_required


def test_constrained_grammar_is_narrowed_but_the_prompt_lists_every_tool() -> None:
    llm = ScriptedGemma(
        ['{"tool": "country_info.capital", "arguments": {"country": "Peru"}}'],
        mode="constrained",
    )
    msg = llm.bind_tools(COUNTRY).invoke("What is the capital of Peru?")
    assert [(c["name"], c["args"]) for c in msg.tool_calls] == [
        ("country_info.capital", {"country": "Peru"})
    ]
    messages, schema, _ = llm.scripted.calls[0]
    calls = [o for o in schema["anyOf"] if "tool" in o["properties"]]
    assert [o["properties"]["tool"]["const"] for o in calls] == ["country_info.capital"]
    assert list(calls[0]["properties"]["arguments"]["properties"]) == ["country"]
    assert any("final_answer" in o["properties"] for o in schema["anyOf"])
    for name in ("largest_city", "capital", "population"):
        assert f"- country_info.{name}(country: string, year?: integer" in messages[0].content
