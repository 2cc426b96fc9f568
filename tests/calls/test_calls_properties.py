"""Property tests: the parser never raises, and parse(render(calls)) == calls per dialect."""

from __future__ import annotations

import keyword
import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gemma_agents.calls import ParsedCalls, ToolCall, parse_tool_calls, render_calls

TEXT_DIALECTS = ["gemma3", "json", "functiongemma", "gemma4", "hermes", "line"]
# Single special tokens of the formats; a tokenizer never emits them inside a string value.
SPECIAL_TOKENS = ("<escape>", '<|"|>', "<|channel>", "<channel|>")
FRAGMENTS = [
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    ",",
    "=",
    ":",
    '"',
    "'",
    "\n",
    "f(",
    "get.x(a=",
    "[f(x=1)]",
    "```tool_code\n",
    "```json\n",
    "```",
    "<tool_call>",
    "</tool_call>",
    '{"name": "f", "arguments": {',
    '"parameters":',
    "<start_function_call>call:f{",
    "<end_function_call>",
    "<escape>",
    "<|tool_call>call:f(",
    "<tool_call|>",
    '<|"|>',
    "<|channel>thought",
    "<channel|>",
    "FUNCTION_CALL: f(",
    "true",
    "null",
    "1e309",
    "\\",
    "**{",
    "from=",
    "print(",
]

text_with_markup = st.lists(
    st.one_of(st.text(max_size=20), st.sampled_from(FRAGMENTS)), max_size=25
).map("".join)


def _check(parsed: ParsedCalls) -> None:
    assert isinstance(parsed, ParsedCalls)
    assert isinstance(parsed.text, str)
    for raw, message in parsed.errors:
        assert isinstance(raw, str) and isinstance(message, str)
        assert "internal" not in message, message  # the safety net must never be needed
    for call in parsed:
        assert isinstance(call, ToolCall) and isinstance(call.arguments, dict)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_parser_never_raises_on_arbitrary_text(text: str) -> None:
    _check(parse_tool_calls(text))
    for dialect in TEXT_DIALECTS:
        _check(parse_tool_calls(text, dialect=dialect))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_with_markup)
def test_parser_never_raises_on_text_mixed_with_markup(text: str) -> None:
    _check(parse_tool_calls(text))
    tools = [{"name": "f", "parameters": {"type": "object", "properties": {"x": {}}}}]
    _check(parse_tool_calls(text, tools))
    for dialect in TEXT_DIALECTS:
        _check(parse_tool_calls(text, dialect=dialect))


# -- round trip ---------------------------------------------------------------------------

identifier = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True).filter(
    lambda s: not keyword.iskeyword(s) and not s.startswith("__gakw_")
)
names = st.lists(identifier, min_size=1, max_size=3).map(".".join)
keys = st.one_of(
    identifier,
    st.sampled_from(["Content-Type", "from", "class", "True", "a b", "x:y", "1st", "", "é"]),
)
strings = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from(list("\"'{}[](),:=\\\n`<>|" + string.whitespace)),
    ),
    max_size=30,
).filter(lambda s: not any(tok in s for tok in SPECIAL_TOKENS))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    strings,
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
    ),
    max_leaves=12,
)
arguments = st.dictionaries(keys, values, max_size=5)


def _calls(dialect: str) -> st.SearchStrategy[list[ToolCall]]:
    call = st.builds(lambda n, a: ToolCall(n, a, dialect=dialect), names, arguments)
    return st.lists(call, min_size=1, max_size=3)


def _same(a: Any, b: Any) -> bool:
    """Equality that also tells ``True`` from ``1`` and ``1.0`` from ``1``."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _roundtrip(dialect: str, calls: list[ToolCall]) -> None:
    text = render_calls(calls, dialect)
    parsed = parse_tool_calls(text, dialect=dialect)
    assert parsed.errors == [], (text, parsed.errors)
    assert parsed == calls, text
    for got, want in zip(parsed, calls, strict=True):
        assert _same(got.arguments, want.arguments), text
    auto = parse_tool_calls(text)
    assert auto.dialect == dialect and auto == calls, text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_calls("gemma3"))
def test_roundtrip_gemma3(calls: list[ToolCall]) -> None:
    _roundtrip("gemma3", calls)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_calls("json"))
def test_roundtrip_json(calls: list[ToolCall]) -> None:
    _roundtrip("json", calls)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_calls("functiongemma"))
def test_roundtrip_functiongemma(calls: list[ToolCall]) -> None:
    _roundtrip("functiongemma", calls)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_calls("gemma4"))
def test_roundtrip_gemma4(calls: list[ToolCall]) -> None:
    _roundtrip("gemma4", calls)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_calls("hermes"))
def test_roundtrip_hermes(calls: list[ToolCall]) -> None:
    _roundtrip("hermes", calls)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_calls("line"))
def test_roundtrip_line(calls: list[ToolCall]) -> None:
    _roundtrip("line", calls)
