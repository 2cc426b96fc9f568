"""Topic policy rules and size limits."""

from __future__ import annotations

import base64

import pytest

from gemma_agents.calls._types import ToolCall
from gemma_agents.guardrails import GuardContext, LimitsGuard, PolicyGuard, TopicRule

CTX = GuardContext()


def rule_guard(*terms: str, negation: bool = False, action: str = "block") -> PolicyGuard:
    return PolicyGuard([TopicRule("t", terms, action, negation)])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["this could cause harm", "HARM!", "h4rm", "ｈａｒｍ", "h\u200barm"]
)
def test_word_rule_matches_normalised_whole_words(text: str) -> None:
    d = rule_guard("harm").check_input(text, CTX)
    assert d is not None and d.action == "block", text


@pytest.mark.parametrize("text", ["is it harmful?", "the pharmacy opens at 9", "harmony", "charm"])
def test_word_rule_does_not_match_inside_words(text: str) -> None:
    assert rule_guard("harm").check_input(text, CTX) is None


def test_prefix_phrase_and_regex_terms() -> None:
    g = rule_guard("harm*", "credit card number", "re:\\bcasino(s)?\\b")
    for text in ("harmful advice", "my credit   card\nnumber", "best casinos in town"):
        assert g.check_input(text, CTX) is not None, text
    assert g.check_input("a credit card", CTX) is None


def test_negation_is_an_option() -> None:
    plain = rule_guard("harmful")
    neg = rule_guard("harmful", negation=True)
    assert plain.check_input("this is not harmful", CTX) is not None
    assert neg.check_input("this is not harmful", CTX) is None
    assert neg.check_input("it isn't really harmful", CTX) is None
    assert neg.check_input("this is harmful", CTX) is not None
    assert neg.check_input("not sure, but this is harmful", CTX) is not None


def test_actions_stages_and_messages() -> None:
    g = PolicyGuard(
        [
            TopicRule("gambling", ["casino"], "warn"),
            TopicRule("weapons", ["rifle"], "approve", message="Needs a supervisor."),
            TopicRule("secrets", ["project falcon"], "block", stages=frozenset({"output"})),
        ]
    )
    w = g.check_input("casino night", CTX)
    assert w is not None and w.action == "allow" and "gambling" in w.reasons[0]
    a = g.check_input("rifle and casino", CTX)
    assert a is not None and a.action == "approve" and a.message == "Needs a supervisor."
    assert g.check_input("Project Falcon status?", CTX) is None  # rule only on output
    b = g.check_output("Project Falcon launches Monday", CTX)
    assert b is not None and b.action == "block"


def test_policy_bad_rules() -> None:
    with pytest.raises(ValueError):
        TopicRule("x", [])
    with pytest.raises(ValueError, match="invalid regex"):
        TopicRule("x", ["re:(unclosed"])
    with pytest.raises(ValueError):
        PolicyGuard([TopicRule("x", ["a"]), TopicRule("x", ["b"])])


def test_limits_block_with_sizes_never_truncate() -> None:
    g = LimitsGuard(max_chars=10, max_bytes=12)
    assert g.check_input("short", CTX) is None
    d = g.check_input("x" * 25, CTX)
    assert d is not None and d.action == "block"
    assert "25 characters; the limit is 10" in d.reasons[0]
    assert d.text == "x" * 25  # the text is untouched
    cjk = g.check_input("日本語です", CTX)  # 5 chars, 15 bytes
    assert cjk is not None and "15 bytes; the limit is 12" in cjk.reasons[0]


def test_limits_messages_and_attachments_from_context() -> None:
    g = LimitsGuard(
        max_messages=3, max_attachment_bytes=100, max_attachments=2, max_total_attachment_bytes=150
    )
    ok = GuardContext(extra={"message_count": 3, "attachments": [b"a" * 50, 60]})
    assert g.check_input("hi", ok) is None
    many = GuardContext(extra={"message_count": 4})
    d = g.check_input("hi", many)
    assert d is not None and "4 messages; the limit is 3" in d.reasons[0]
    big = base64.b64encode(b"z" * 120).decode()
    d2 = g.check_input("hi", GuardContext(extra={"attachments": [big, b"y" * 90]}))
    assert d2 is not None
    assert any("attachment 1 is 120 bytes" in r for r in d2.reasons)
    assert any("total 210 bytes" in r for r in d2.reasons)
    d3 = g.check_input("hi", GuardContext(extra={"attachments": [1, 1, 1]}))
    assert d3 is not None and "3 attachments" in d3.reasons[0]


def test_limits_tool_results_and_arguments() -> None:
    g = LimitsGuard(max_chars=5, max_tool_result_chars=20, max_argument_chars=15)
    call = ToolCall("fetch", {"url": "https://example.com/very/long"})
    assert g.check_tool_result("0123456789", call, None, CTX) is None
    d = g.check_tool_result("x" * 21, call, None, CTX)
    assert d is not None and "'fetch'" in d.reasons[0]
    a = g.check_tool_call(call, None, CTX)
    assert a is not None and a.stage == "tool_call"
    with pytest.raises(ValueError):
        LimitsGuard(max_chars=-1)
