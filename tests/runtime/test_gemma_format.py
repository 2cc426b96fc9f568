"""Gemma turn rendering: exact strings per family, merging rules, prefix stability."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gemma_agents.calls._types import ToolCall
from gemma_agents.exceptions import ConfigError
from gemma_agents.runtime.base import Message
from gemma_agents.runtime.gemma_format import (
    FAMILIES,
    render_messages,
    split_bos,
    stop_sequences,
    turn_format,
)

M = Message


def test_gemma3_system_folds_into_first_user_turn() -> None:
    text = render_messages([M("system", "Be brief."), M("user", "Hi")], "gemma3")
    assert text == ("<start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\n")


def test_gemma3_full_exchange_with_tool_output_block() -> None:
    msgs = [
        M("user", "What is 2+3?"),
        M("assistant", "```tool_code\n[add(a=2, b=3)]\n```"),
        M("tool", "5", tool_name="add"),
    ]
    assert render_messages(msgs, "gemma3") == (
        "<start_of_turn>user\nWhat is 2+3?<end_of_turn>\n"
        "<start_of_turn>model\n```tool_code\n[add(a=2, b=3)]\n```<end_of_turn>\n"
        "<start_of_turn>user\n```tool_output\n5\n```<end_of_turn>\n"
        "<start_of_turn>model\n"
    )


def test_gemma3_prerendered_tool_output_is_not_wrapped_twice() -> None:
    text = render_messages([M("tool", "```tool_output\n5\n```")], "gemma3")
    assert text.count("```tool_output") == 1


def test_consecutive_same_role_messages_merge_into_one_turn() -> None:
    msgs = [M("user", "a"), M("user", "b"), M("tool", "r1"), M("tool", "r2")]
    text = render_messages(msgs, "gemma3", add_generation_prompt=False)
    assert text.count("<start_of_turn>user") == 1
    assert "a\n\nb\n\n```tool_output\nr1\n```\n\n```tool_output\nr2\n```" in text


def test_assistant_role_becomes_model_and_whitespace_is_trimmed() -> None:
    text = render_messages(
        [M("user", "  hi \n"), M("assistant", "hello  "), M("user", "x")], "gemma3"
    )
    assert "<start_of_turn>user\nhi<end_of_turn>" in text
    assert "<start_of_turn>model\nhello<end_of_turn>" in text
    assert "assistant" not in text


def test_trailing_assistant_message_is_continued_not_closed() -> None:
    text = render_messages([M("user", "Say hi"), M("assistant", "Hi")], "gemma3")
    assert text.endswith("<start_of_turn>model\nHi")
    closed = render_messages(
        [M("user", "Say hi"), M("assistant", "Hi")], "gemma3", add_generation_prompt=False
    )
    assert closed.endswith("<start_of_turn>model\nHi<end_of_turn>\n")


def test_bos_is_opt_in_and_split_once() -> None:
    assert not render_messages([M("user", "x")]).startswith("<bos>")
    with_bos = render_messages([M("user", "x")], bos=True)
    assert with_bos.startswith("<bos><start_of_turn>")
    body, had = split_bos(with_bos)
    assert had and not body.startswith("<bos>")
    assert split_bos("plain") == ("plain", False)


def test_functiongemma_developer_role_and_result_in_model_turn() -> None:
    msgs = [
        M("system", "You are a model that can do function calling"),
        M("user", "Weather in Paris?"),
        M(
            "assistant",
            "<start_function_call>call:w{city:<escape>Paris<escape>}<end_function_call>",
        ),
        M("tool", '{"t": 15}', tool_name="w"),
    ]
    text = render_messages(msgs, "functiongemma")
    assert text.startswith("<start_of_turn>developer\nYou are a model that can do function calling")
    assert text.endswith(
        "<start_of_turn>model\n<start_function_call>call:w{city:<escape>Paris<escape>}"
        '<end_function_call><start_function_response>response:w{value:<escape>{"t": 15}<escape>}'
        "<end_function_response>"
    )  # the model continues its own turn with the answer
    assert text.count("<start_of_turn>model") == 1


def test_functiongemma_final_answer_joins_the_same_model_turn() -> None:
    msgs = [
        M("user", "q"),
        M("assistant", "<start_function_call>call:f{}<end_function_call>"),
        M("tool", "<start_function_response>response:f{value:1}<end_function_response>"),
        M("assistant", "It is 1."),
        M("user", "thanks"),
    ]
    text = render_messages(msgs, "functiongemma")
    assert (
        "<start_function_call>call:f{}<end_function_call><start_function_response>response:f"
        "{value:1}<end_function_response>It is 1.<end_of_turn>\n<start_of_turn>user\nthanks"
    ) in text


def test_gemma4_turn_markup_and_system_role() -> None:
    msgs = [M("system", "sys"), M("user", "hi"), M("assistant", "yo"), M("user", "q")]
    assert render_messages(msgs, "gemma4") == (
        "<|turn>system\nsys<turn|>\n<|turn>user\nhi<turn|>\n<|turn>model\nyo<turn|>\n"
        "<|turn>user\nq<turn|>\n<|turn>model\n"
    )


def test_gemma4_tool_result_continues_model_turn() -> None:
    msgs = [
        M("user", "hi"),
        M("assistant", '<|tool_call>call:f{a:<|"|>x<|"|>}<tool_call|>'),
        M("tool", "ok", tool_name="f"),
    ]
    text = render_messages(msgs, "gemma4")
    assert text.endswith(
        '<|turn>model\n<|tool_call>call:f{a:<|"|>x<|"|>}<tool_call|>'
        '<|tool_response>response:f{value:<|"|>ok<|"|>}<tool_response|>'
    )


@pytest.mark.parametrize(
    ("family", "expected"),
    [
        ("gemma3", '```tool_code\n[get(a=1, b="x y")]\n```'),
        (
            "functiongemma",
            "<start_function_call>call:get{a:1,b:<escape>x y<escape>}<end_function_call>",
        ),
        ("gemma4", '<|tool_call>call:get{a:1,b:<|"|>x y<|"|>}<tool_call|>'),
    ],
)
def test_native_tool_calls_without_text_get_a_fallback_rendering(
    family: str, expected: str
) -> None:
    call = ToolCall("get", {"a": 1, "b": "x y"})
    msgs = [M("user", "q"), M("assistant", "", tool_calls=[call]), M("user", "next")]
    assert expected in render_messages(msgs, family)


def test_nested_values_in_fallback_call_syntax() -> None:
    call = ToolCall("f", {"o": {"k": [1, True, None]}})
    text = render_messages([M("assistant", "", tool_calls=[call])], "functiongemma")
    assert "call:f{o:{k:[1,true,null]}}" in text


def test_stop_sequences_per_family() -> None:
    assert "<end_of_turn>" in stop_sequences("gemma3")
    assert "<start_function_response>" in stop_sequences("functiongemma")
    assert {"<turn|>", "<|tool_response>"} <= set(stop_sequences("gemma4"))
    assert stop_sequences(None) == stop_sequences("gemma3")
    assert turn_format("gemma3n").turn_start == "<start_of_turn>"


def test_unknown_family_and_role_are_clear_errors() -> None:
    with pytest.raises(ConfigError, match="unknown Gemma family 'llama'"):
        render_messages([M("user", "x")], "llama")
    with pytest.raises(ConfigError, match="unknown message role"):
        render_messages([Message("robot", "x")], "gemma3")  # type: ignore[arg-type]


def test_empty_conversation_is_just_the_generation_prompt() -> None:
    assert render_messages([], "gemma3") == "<start_of_turn>model\n"
    assert render_messages([], "gemma4") == "<|turn>model\n"


# --- prefix stability (the KV cache depends on it) -----------------------------------

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=20,
)
_message = st.builds(
    Message,
    role=st.sampled_from(["system", "developer", "user", "assistant", "tool"]),
    content=_text,
    tool_name=st.sampled_from([None, "calc"]),
)


def _block(msg: Message, family: str) -> str:
    """Which turn a message lands in (what decides whether it merges)."""
    fmt = turn_format(family)
    if msg.role in ("system", "developer"):
        return fmt.system_role or "user"
    if msg.role == "tool":
        return "model" if fmt.tool_in_model_turn else "user"
    return "model" if msg.role == "assistant" else "user"


@settings(max_examples=300, deadline=None)
@given(
    msgs=st.lists(_message, min_size=1, max_size=8),
    family=st.sampled_from(FAMILIES),
    data=st.data(),
)
def test_rendering_is_prefix_stable_when_a_new_turn_starts(
    msgs: list[Message], family: str, data: st.DataObject
) -> None:
    n = data.draw(st.integers(min_value=0, max_value=len(msgs) - 1))
    if n and _block(msgs[n], family) == _block(msgs[n - 1], family):
        return  # msgs[n] merges into the previous turn: not a new-turn boundary
    longer = render_messages(msgs, family)
    closed = render_messages(msgs[:n], family, add_generation_prompt=False)
    assert longer.startswith(closed)
    if _block(msgs[n], family) == "model":
        # the agent case: the previous prompt, generation prompt included, is reused whole
        assert longer.startswith(render_messages(msgs[:n], family))


@settings(max_examples=200, deadline=None)
@given(msgs=st.lists(_message, max_size=8), family=st.sampled_from(FAMILIES))
def test_generation_prompt_only_appends(msgs: list[Message], family: str) -> None:
    closed = render_messages(msgs, family, add_generation_prompt=False)
    open_ = render_messages(msgs, family)
    fmt = turn_format(family)
    if msgs and _block(msgs[-1], family) == "model":
        assert closed == open_ + fmt.close  # continued turn: closing is the only difference
    else:
        assert open_ == closed + fmt.generation_prompt


def test_agent_loop_prompts_extend_each_other() -> None:
    """Two model calls of a tool round-trip: the second prompt starts with the first."""
    for family in FAMILIES:
        step1 = [M("system", "tools: calc"), M("user", "2+2?")]
        p1 = render_messages(step1, family)
        step2 = [*step1, M("assistant", "call calc"), M("tool", "4", tool_name="calc")]
        p2 = render_messages(step2, family)
        assert p2.startswith(p1), family
        p3 = render_messages([*step2, M("assistant", "It is 4."), M("user", "thx")], family)
        assert p3.startswith(p2), family
