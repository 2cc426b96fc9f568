"""Per-dialect parsing: nested values, dotted names, several calls, prose, malformed input."""

from __future__ import annotations

from typing import Any

import pytest

from gemma_agents.calls import (
    DIALECTS,
    ParsedCalls,
    ToolCall,
    ToolSpec,
    detect_dialect,
    get_dialect,
    parse_tool_calls,
    render_calls,
    render_tool_result,
    render_tools,
)
from gemma_agents.exceptions import ConfigError

WEATHER = ToolSpec(
    "get_weather",
    "Current weather for a city.",
    {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
        "required": ["city"],
    },
)
SUM = ToolSpec(
    "math.sum",
    "Add numbers.",
    {"type": "object", "properties": {"numbers": {"type": "array"}, "from": {"type": "integer"}}},
)
TOOLS = [WEATHER, SUM]


def names(parsed: ParsedCalls) -> list[str]:
    return [c.name for c in parsed]


def got(parsed: ParsedCalls) -> list[tuple[str, dict[str, Any]]]:
    """Name and arguments of each call (equality of ToolCall also compares the dialect)."""
    return [(c.name, c.arguments) for c in parsed]


def C(name: str, arguments: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return (name, arguments)


# -- gemma3 --------------------------------------------------------------------------------


def test_gemma3_list_with_nested_values_and_dotted_name() -> None:
    text = '[get_weather(city="Paris, FR", unit=None), math.sum(numbers=[1, 2.5, {"a": [true, null]}])]'
    parsed = parse_tool_calls(text)
    assert parsed.dialect == "gemma3"
    assert got(parsed) == [
        C("get_weather", {"city": "Paris, FR", "unit": None}),
        C("math.sum", {"numbers": [1, 2.5, {"a": [True, None]}]}),
    ]
    assert all(c.dialect == "gemma3" for c in parsed)
    assert parsed.text == ""


def test_gemma3_prose_around_calls_is_kept_as_text() -> None:
    parsed = parse_tool_calls('Let me check.\n[get_weather(city="Oslo")]\nOne moment.', TOOLS)
    assert names(parsed) == ["get_weather"]
    assert parsed.text == "Let me check.\n\nOne moment."


def test_gemma3_tool_code_fence_with_print_wrapper() -> None:
    text = 'Sure.\n```tool_code\nprint(get_weather(city="Rome"))\n```'
    parsed = parse_tool_calls(text)
    assert got(parsed) == [C("get_weather", {"city": "Rome"})]
    assert parsed.text == "Sure."


def test_gemma3_positional_arguments_map_to_parameter_order_only_with_tools() -> None:
    assert got(parse_tool_calls('[get_weather("Lima", "C")]', TOOLS)) == [
        C("get_weather", {"city": "Lima", "unit": "C"})
    ]
    parsed = parse_tool_calls('[get_weather("Lima")]')
    assert list(parsed) == []
    assert "positional" in parsed.errors[0][1]


def test_gemma3_keyword_argument_named_from_is_recovered() -> None:
    parsed = parse_tool_calls("[math.sum(numbers=[1], from=3)]", TOOLS)
    assert got(parsed) == [C("math.sum", {"numbers": [1], "from": 3})]


def test_gemma3_nested_call_is_an_error_not_an_evaluation() -> None:
    parsed = parse_tool_calls('[get_weather(city=__import__("os").getcwd())]')
    assert list(parsed) == []
    assert parsed.errors and "nested call" in parsed.errors[0][1]


def test_gemma3_unknown_tool_alone_becomes_feedback() -> None:
    parsed = parse_tool_calls('[get_wether(city="Oslo")]', TOOLS)
    assert list(parsed) == []
    assert "Did you mean 'get_weather'" in parsed.errors[0][1]


def test_gemma3_unterminated_list_is_an_error() -> None:
    parsed = parse_tool_calls('[get_weather(city="Par', TOOLS)
    assert list(parsed) == []
    assert "unterminated" in parsed.errors[0][1]


@pytest.mark.parametrize(
    "text",
    [
        "The answer is 42.",
        "Use [1, 2] as input.",
        "See [the docs](https://example.com) for details.",
        '```python\nprint("hello")\nx = [len(s) for s in items]\n```',
        "```python\ndef f():\n    return [g(x=1)]\n```",
        '{"a": 1, "b": [1, 2]}',
        "Call me at [555-1234].",
        "I don't know [maybe] (really).",
        "",
    ],
)
def test_plain_prose_and_code_samples_yield_no_calls(text: str) -> None:
    parsed = parse_tool_calls(text)
    assert list(parsed) == [] and parsed.errors == []
    assert parsed.dialect is None
    assert parsed.text == text
    assert detect_dialect(text) is None


def test_tools_filter_ambiguous_lists_in_prose() -> None:
    text = "For example [foo(x=1)] is a call. [get_weather(city='Oslo')]"
    parsed = parse_tool_calls(text, TOOLS)
    assert names(parsed) == ["get_weather"]
    assert parsed.errors == []


# -- json ---------------------------------------------------------------------------------


def test_json_single_list_fenced_and_embedded() -> None:
    single = parse_tool_calls('{"name": "get_weather", "parameters": {"city": "Oslo"}}')
    assert got(single) == [C("get_weather", {"city": "Oslo"})] and single.dialect == "json"
    listed = parse_tool_calls(
        '[{"name": "a.b", "arguments": {"x": {"y": [1]}}}, {"name": "c", "arguments": "{\\"z\\": 2}"}]'
    )
    assert got(listed) == [C("a.b", {"x": {"y": [1]}}), C("c", {"z": 2})]
    fenced = parse_tool_calls(
        'Calling now:\n```json\n{"name": "get_weather", "parameters": {"city": "Rome"}}\n```\nDone.'
    )
    assert got(fenced) == [C("get_weather", {"city": "Rome"})]
    assert fenced.text == "Calling now:\n\nDone."


def test_json_declarations_and_data_are_not_calls() -> None:
    decl = '{"name": "get_weather", "description": "x", "parameters": {"type": "object"}}'
    assert list(parse_tool_calls(decl)) == []
    assert list(parse_tool_calls('{"name": "Bob", "age": 3}')) == []


def test_json_bad_arguments_go_to_errors() -> None:
    parsed = parse_tool_calls('{"name": "get_weather", "arguments": "{not json"}', dialect="json")
    assert list(parsed) == [] and "not valid JSON" in parsed.errors[0][1]


# -- functiongemma ------------------------------------------------------------------------


def test_functiongemma_nested_values_and_commas_in_strings() -> None:
    text = (
        "<start_function_call>call:get_weather{city:<escape>Tokyo, JP {x}<escape>,"
        "n:15,ok:true,obj:{a:[1,-2.5,<escape>s<escape>],b:null}}<end_function_call>"
        "<start_function_call>call:math.sum{numbers:[1,2]}<end_function_call>"
    )
    parsed = parse_tool_calls(text)
    assert parsed.dialect == "functiongemma"
    assert got(parsed) == [
        C(
            "get_weather",
            {"city": "Tokyo, JP {x}", "n": 15, "ok": True, "obj": {"a": [1, -2.5, "s"], "b": None}},
        ),
        C("math.sum", {"numbers": [1, 2]}),
    ]


def test_functiongemma_malformed_goes_to_errors_and_prose_is_kept() -> None:
    text = "Sure <start_function_call>call:get_weather{city:<escape>Tok<end_function_call> ok"
    parsed = parse_tool_calls(text)
    assert list(parsed) == []
    assert parsed.dialect == "functiongemma" and parsed.errors
    assert parsed.text == "Sure  ok"


# -- gemma4 -------------------------------------------------------------------------------


def test_gemma4_canonical_and_thinking_stripped() -> None:
    text = (
        "<|channel>thought\nUser wants weather.<channel|>"
        '<|tool_call>call:get_weather{city:<|"|>Tokyo, JP<|"|>,opts:{days:3}}<tool_call|>'
    )
    parsed = parse_tool_calls(text)
    assert got(parsed) == [C("get_weather", {"city": "Tokyo, JP", "opts": {"days": 3}})]
    assert parsed.dialect == "gemma4" and parsed.text == ""


@pytest.mark.parametrize(
    "text",
    [
        '<|tool_call>call:get_weather(city: "Tokyo")<tool_call|>',
        "<|tool_call>call:get_weather{city:'Tokyo'}<tool_call|>",
        '<|tool_call>call:get_weather{city:"Tokyo"}',
        '<|tool_call>call:get_weather{"city": "Tokyo"}<tool_call|>',
        "<|tool_call>call:get_weather{city:Tokyo}<tool_call|>",
    ],
)
def test_gemma4_real_world_variants(text: str) -> None:
    assert got(parse_tool_calls(text)) == [C("get_weather", {"city": "Tokyo"})]


def test_gemma4_thinking_only_falls_through_to_prose() -> None:
    parsed = parse_tool_calls("<|channel>thought\nhmm<channel|>It is sunny.")
    assert list(parsed) == [] and parsed.text == "It is sunny."


# -- hermes -------------------------------------------------------------------------------


def test_hermes_calls_unknown_names_still_returned() -> None:
    text = (
        'I will check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n'
        '</tool_call>\n<tool_call>{"name": "nope", "arguments": {}}</tool_call>'
    )
    parsed = parse_tool_calls(text, TOOLS)
    assert names(parsed) == ["get_weather", "nope"]
    assert parsed.text == "I will check."


def test_hermes_python_dict_body_and_garbage() -> None:
    parsed = parse_tool_calls("<tool_call>{'name': 'f', 'arguments': {'a': True}}</tool_call>")
    assert got(parsed) == [C("f", {"a": True})]
    bad = parse_tool_calls("<tool_call>{oops</tool_call>")
    assert list(bad) == [] and bad.dialect == "hermes" and "not valid JSON" in bad.errors[0][1]


# -- line ---------------------------------------------------------------------------------


def test_line_calls_and_prose() -> None:
    text = 'Checking.\nFUNCTION_CALL: get_weather(city="Oslo, NO")\nFUNCTION_CALL: math.sum(numbers=[1, 2])'
    parsed = parse_tool_calls(text)
    assert parsed.dialect == "line"
    assert got(parsed) == [
        C("get_weather", {"city": "Oslo, NO"}),
        C("math.sum", {"numbers": [1, 2]}),
    ]
    assert parsed.text == "Checking."


def test_line_malformed_and_unknown() -> None:
    parsed = parse_tool_calls('FUNCTION_CALL: get_weather(city="Oslo"', TOOLS)
    assert list(parsed) == [] and "unbalanced" in parsed.errors[0][1]
    unknown = parse_tool_calls('FUNCTION_CALL: weather(city="Oslo")', TOOLS)
    assert list(unknown) == [] and "Unknown tool 'weather'" in unknown.errors[0][1]


# -- rendering and registry ---------------------------------------------------------------


def test_render_tools_per_dialect() -> None:
    g3 = render_tools(TOOLS, "gemma3")
    assert "[func_name1(params_name1=params_value1" in g3 and '"name": "get_weather"' in g3
    assert '{"name": function name, "parameters"' in render_tools(TOOLS, "json")
    fg = render_tools([WEATHER], "functiongemma")
    assert (
        "<start_function_declaration>declaration:get_weather{description:<escape>Current weather "
        "for a city.<escape>,parameters:{properties:{city:{type:<escape>STRING<escape>}" in fg
    )
    assert "required:[<escape>city<escape>],type:<escape>OBJECT<escape>}}" in fg
    assert render_tools([WEATHER], "gemma4").startswith("<|tool>declaration:get_weather{")
    assert '<tools>\n{"type": "function"' in render_tools([WEATHER], "hermes")
    assert "FUNCTION_CALL: function_name(" in render_tools([WEATHER], "line")
    assert render_tools([WEATHER], "native") == ""


def test_render_tool_result_per_dialect() -> None:
    assert render_tool_result("f", {"t": 15}, "gemma3") == '```tool_output\n{"t": 15}\n```'
    assert (
        render_tool_result("f", {"t": 15, "w": "sunny"}, "functiongemma")
        == "<start_function_response>response:f{t:15,w:<escape>sunny<escape>}<end_function_response>"
    )
    assert (
        render_tool_result("f", "22C", "gemma4")
        == '<|tool_response>response:f{value:<|"|>22C<|"|>}<tool_response|>'
    )
    assert render_tool_result("f", "ok", "hermes").startswith("<tool_response>\n{")
    assert "f" in render_tool_result("f", "ok", "json")
    assert render_tool_result("f", "ok", "line").startswith("FUNCTION_RESULT f")


def test_dialect_metadata() -> None:
    assert get_dialect("gemma3").system_role is None
    assert get_dialect("functiongemma").system_role == "developer"
    assert get_dialect("functiongemma").stop == ("<start_function_response>",)
    assert get_dialect("gemma4").stop == ("<|tool_response>",)
    assert {get_dialect(n).result_role for n in ("gemma3", "json", "line", "hermes")} == {"user"}
    assert get_dialect("native").result_role == "tool"
    assert get_dialect("python") is get_dialect("gemma3")
    assert set(DIALECTS) >= {
        "gemma3",
        "json",
        "functiongemma",
        "gemma4",
        "hermes",
        "line",
        "native",
    }
    with pytest.raises(ConfigError, match="unknown tool-call dialect"):
        get_dialect("klingon")


@pytest.mark.parametrize("name", ["gemma3", "json", "functiongemma", "gemma4", "hermes", "line"])
def test_rendered_calls_start_with_a_declared_call_marker(name: str) -> None:
    dialect = get_dialect(name)
    text = dialect.render_calls([ToolCall("f", {"x": 1})])
    assert dialect.call_markers and text.startswith(dialect.call_markers)


def test_render_calls_gemma3_non_identifier_argument_names() -> None:
    call = ToolCall("http.get", {"Content-Type": "json", "from": 1, "url": "x"}, dialect="gemma3")
    text = render_calls([call], "gemma3")
    assert text == "[http.get(**{'Content-Type': 'json'}, from=1, url='x')]"
    assert parse_tool_calls(text) == [call]


def test_auto_prefers_explicit_markup() -> None:
    text = '<tool_call>{"name": "a", "arguments": {}}</tool_call> and [b(x=1)]'
    assert detect_dialect(text) == "hermes"


def test_functiongemma_declaration_matches_googles_documented_example() -> None:
    spec = ToolSpec(
        "get_current_weather",
        "Gets the current weather in a given location.",
        {
            "type": "object",
            "properties": {
                "location": {
                    "type": "string",
                    "description": 'The city and state, e.g. "San Francisco, CA" or "Tokyo, JP"',
                },
                "unit": {
                    "type": "string",
                    "enum": ["celsius", "fahrenheit"],
                    "description": "The unit to return the temperature in.",
                },
            },
            "required": ["location"],
        },
    )
    # Verbatim from Google's FunctionGemma "formatting and best practices" page.
    expected = (
        "You are a model that can do function calling with the following functions"
        "<start_function_declaration>declaration:get_current_weather{description:<escape>Gets "
        "the current weather in a given location.<escape>,parameters:{properties:{location:"
        '{description:<escape>The city and state, e.g. "San Francisco, CA" or "Tokyo, JP"'
        "<escape>,type:<escape>STRING<escape>},unit:{description:<escape>The unit to return "
        "the temperature in.<escape>,enum:[<escape>celsius<escape>,<escape>fahrenheit<escape>],"
        "type:<escape>STRING<escape>}},required:[<escape>location<escape>],type:<escape>OBJECT"
        "<escape>}}<end_function_declaration>"
    )
    assert render_tools([spec], "functiongemma") == expected
    call = "<start_function_call>call:get_current_weather{location:<escape>Tokyo, Japan<escape>}<end_function_call>"
    assert got(parse_tool_calls(call)) == [C("get_current_weather", {"location": "Tokyo, Japan"})]
    assert (
        render_tool_result(
            "get_current_weather", {"temperature": 15, "weather": "sunny"}, "functiongemma"
        )
        == "<start_function_response>response:get_current_weather{temperature:15,weather:<escape>sunny<escape>}<end_function_response>"
    )


@pytest.mark.parametrize(
    "text",
    [
        '```tool_code\nprint(default_api.get_weather(city="Oslo"))\n```',
        '[functions.get_weather(city="Oslo")]',
        '{"name": "default_api.get_weather", "arguments": {"city": "Oslo"}}',
        'FUNCTION_CALL: default_api.get_weather(city="Oslo")',
        '<tool_call>{"name": "functions.get_weather", "arguments": {"city": "Oslo"}}</tool_call>',
    ],
)
def test_habitual_namespace_prefixes_resolve_to_known_tools(text: str) -> None:
    assert got(parse_tool_calls(text, TOOLS)) == [C("get_weather", {"city": "Oslo"})]
    assert names(parse_tool_calls(text))[0].endswith(".get_weather")  # unchanged without tools
