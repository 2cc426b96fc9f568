"""Pure parts of the models package: strategy selection, schemas, few-shot, markup filter."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gemma_agents.calls._types import ToolSpec
from gemma_agents.exceptions import ConfigError
from gemma_agents.models import format_schema, select_shots, select_strategy, union_schema
from gemma_agents.models.constrained import decode_output, render_signature
from gemma_agents.models.fewshot import build_prompt, order_tools
from gemma_agents.models.selection import fallback_strategy
from gemma_agents.models.streaming import MarkupFilter
from gemma_agents.runtime.base import Capabilities

TOOLS = Capabilities(tools=True)
NO_TOOLS = Capabilities(tools=False)


@pytest.mark.parametrize(
    ("model", "runtime", "caps", "mode", "dialect", "few_shot"),
    [
        ("gemma3-270m", "llamacpp", NO_TOOLS, "constrained", "json", True),
        ("/models/gemma-3-270m-q4_k_m.gguf", "llamacpp", NO_TOOLS, "constrained", "json", True),
        ("gemma3:4b", "ollama", NO_TOOLS, "prompted", "gemma3", False),
        ("gemma3n:e2b", "ollama", NO_TOOLS, "prompted", "gemma3", False),
        ("gemma4:e4b", "ollama", TOOLS, "native", "native", False),
        ("functiongemma", "ollama", TOOLS, "native", "native", False),
        ("google/gemma-4-31b-it", "openai", TOOLS, "native", "native", False),
        ("gemma4-e2b.gguf", "llamacpp", NO_TOOLS, "prompted", "gemma4", False),
        ("functiongemma-270m-it.gguf", "llamacpp", NO_TOOLS, "prompted", "functiongemma", False),
        ("gemma4:e4b", "ollama", NO_TOOLS, "prompted", "gemma4", False),
        ("gemma3:12b", "openai", TOOLS, "prompted", "gemma3", False),
    ],
)
def test_select_strategy_per_family(
    model: str, runtime: str, caps: Capabilities, mode: str, dialect: str, few_shot: bool
) -> None:
    strategy = select_strategy(model, runtime, caps)
    assert (strategy.mode, strategy.dialect, strategy.few_shot) == (mode, dialect, few_shot)
    assert strategy.reason


def test_select_strategy_overrides() -> None:
    s = select_strategy("gemma3-270m", "llamacpp", NO_TOOLS, mode="prompted")
    assert (s.mode, s.dialect, s.few_shot) == ("prompted", "gemma3", False)
    s = select_strategy("gemma3:4b", "ollama", NO_TOOLS, dialect="hermes", few_shot=True)
    assert (s.mode, s.dialect, s.few_shot) == ("prompted", "hermes", True)
    s = select_strategy("gemma4:e4b", "ollama", TOOLS, mode="constrained")
    assert (s.mode, s.dialect) == ("constrained", "json")
    with pytest.raises(ConfigError, match="unknown ChatGemma mode"):
        select_strategy("gemma3:4b", "ollama", NO_TOOLS, mode="magic")
    with pytest.raises(ConfigError, match="native tool calls are not available"):
        select_strategy("gemma3-270m", "llamacpp", NO_TOOLS, mode="native")
    fb = fallback_strategy(select_strategy("functiongemma", "ollama", TOOLS))
    assert (fb.mode, fb.dialect) == ("prompted", "functiongemma")


BFCL_SCHEMA = {
    "type": "dict",
    "properties": {
        "base": {"type": "integer", "description": "The base."},
        "height": {"type": "float"},
        "unit": {"type": "string", "enum": ["cm", "m"], "optional": True, "default": "cm"},
        "tags": {"type": "tuple", "items": {"type": "String"}},
        "meta": {"type": "dict"},
        "anything": {"type": "any"},
        "either": {"type": ["string", "null"]},
    },
    "required": ["base", "height", "missing"],
}


def test_format_schema_normalises_bfcl_types() -> None:
    out = format_schema(BFCL_SCHEMA)
    assert out["type"] == "object" and out["additionalProperties"] is False
    props = out["properties"]
    assert props["base"] == {"type": "integer"}
    assert props["height"] == {"type": "number"}
    assert props["unit"] == {"enum": ["cm", "m"]}
    assert props["tags"] == {"type": "array", "items": {"type": "string"}}
    assert props["meta"] == {"type": "object"}
    assert props["anything"] == {}
    assert props["either"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert out["required"] == ["base", "height"]  # names without a property dropped
    assert "description" not in json.dumps(out)


def test_union_schema_shapes() -> None:
    a = ToolSpec("a", "", {"type": "object", "properties": {"x": {"type": "int"}}})
    b = ToolSpec("b", "", {"type": "dict", "properties": {}})
    both = union_schema([a, b])
    assert [o["properties"].get("tool", {}).get("const") for o in both["anyOf"]] == ["a", "b", None]
    only_final = union_schema([a, b], allow_tools=False)
    assert only_final["required"] == ["final_answer"]
    only_tools = union_schema([a], allow_final=False)
    assert only_tools["properties"]["tool"] == {"const": "a"}
    assert only_tools["properties"]["arguments"]["properties"]["x"] == {"type": "integer"}


def test_decode_output_cases() -> None:
    turn = decode_output(' {"tool": "a", "arguments": {"x": 1}} ')
    assert [(c.name, c.arguments) for c in turn.calls] == [("a", {"x": 1})]
    assert decode_output('{"final_answer": "hi"}').final_answer == "hi"
    assert decode_output('{"final_answer": 3.5}').final_answer == "3.5"
    assert decode_output('{"tool": "a", "argum').error
    assert decode_output('{"tool": "a", "arguments": [1]}').error
    assert decode_output("[1, 2]").error
    assert decode_output('{"other": 1}').error


@given(st.text(max_size=200))
def test_decode_output_never_raises(text: str) -> None:
    turn = decode_output(text)
    assert turn.error is not None or turn.calls or turn.final_answer is not None


def test_render_signature_mentions_types_and_descriptions() -> None:
    spec = ToolSpec("area", "Triangle area.", BFCL_SCHEMA)
    text = render_signature(spec)
    assert text.startswith("- area(base: integer, height: number, unit?: string")
    assert "base: The base." in text and "One of: cm, m" in text


CALC = ToolSpec(
    "calculator",
    "Evaluate an arithmetic expression.",
    {
        "type": "object",
        "properties": {"expression": {"type": "string"}},
        "required": ["expression"],
    },
)
WEATHER = ToolSpec(
    "get_current_weather",
    "Get the weather for a location.",
    {
        "type": "object",
        "properties": {"location": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
        "required": ["location"],
    },
)


def test_shots_adapt_to_bound_tools_and_put_best_last() -> None:
    shots = select_shots("What is 355 divided by 113?", [CALC, WEATHER])
    assert shots[-1].call is not None and shots[-1].call[0] == "calculator"
    weather = [s for s in shots if s.call and s.call[0] == "get_current_weather"]
    assert weather and weather[0].call is not None
    assert weather[0].call[1] == {"location": "Paris"}  # the bank example, renamed
    direct = [s for s in shots if s.call is None]
    assert direct and shots.index(direct[0]) < shots.index(shots[-1])


def test_shots_for_unrelated_request_end_with_direct_answer() -> None:
    shots = select_shots("Tell me a joke.", [CALC])
    assert shots[-1].call is None
    assert select_shots("Tell me a joke.", [CALC], direct_shots=0)[-1].call is not None


def test_build_prompt_layout() -> None:
    prompt = build_prompt(
        [CALC],
        [
            ("request", "What is 2+2?"),
            ("call", ("calculator", {"expression": "2+2"})),
            ("result", "4"),
        ],
    )
    assert prompt == (
        "Tools:\n- calculator(expression: string): Evaluate an arithmetic expression.\n"
        "Request: What is 2+2?\n"
        'JSON: {"tool": "calculator", "arguments": {"expression": "2+2"}}\n'
        "Result: 4\nJSON:"
    )


def test_markup_filter_holds_from_trigger() -> None:
    f = MarkupFilter()
    assert f.feed("Hello ") == "Hello "
    assert f.feed("there [get_") == "there "
    assert f.feed('weather(city="x")]') == ""
    assert f.held.startswith("[get_weather")
    assert f.finish("Hello there") == ""
    f = MarkupFilter()
    assert f.feed("IF") == "I"  # "F" may start FUNCTION_CALL
    assert f.feed("X is") == "FX is"
    assert f.feed(" `") == " "
    assert f.feed("x`") == "`x"  # the last backtick may open a fence
    assert f.held == "`"
    assert f.finish("IFX is `x`") == "`"


@given(st.lists(st.text(max_size=8), max_size=20))
def test_markup_filter_emits_a_prefix_and_never_a_trigger(pieces: list[str]) -> None:
    f = MarkupFilter()
    shown = "".join(f.feed(p) for p in pieces)
    full = "".join(pieces)
    assert full.startswith(shown) and f.text == full
    assert not any(t in shown for t in ("[", "{", "<", "```", "FUNCTION_CALL"))
    assert shown + f.finish(full) == full


def test_decode_output_keeps_a_truncated_answer() -> None:
    turn = decode_output('{"final_answer": "2 to the power of 10 is 10000000000')
    assert turn.truncated and turn.final_answer == "2 to the power of 10 is 10000000000"
    turn = decode_output('{"final_answer": "line\\nbreak \\u00e')  # cut inside an escape
    assert turn.final_answer == "line\nbreak"
    assert decode_output('{"tool": "a", "arguments": {"x": "unfinished').error


def test_order_tools_lists_the_matching_tool_last() -> None:
    def spec(name: str, description: str) -> ToolSpec:
        return ToolSpec(name, description, {"type": "object", "properties": {}})

    tools = [
        spec("country_info.largest_city", "Fetch the largest city of a specified country."),
        spec("country_info.capital", "Fetch the capital city of a specified country."),
        spec("country_info.population", "Fetch the current population of a country."),
    ]
    ordered = order_tools("What is the capital of Brazil?", tools)
    assert ordered[-1].name == "country_info.capital"
    assert sorted(t.name for t in ordered) == sorted(t.name for t in tools)
