"""Streaming: user-visible tokens without call markup, step events, final result."""

from __future__ import annotations

from gemma_agents.graph import (
    Agent,
    FinalEvent,
    TokenEvent,
    ToolEndEvent,
    ToolStartEvent,
)
from gemma_agents.guardrails import Decision, GuardContext, Guardrail
from gemma_agents.testing import (
    ScriptedGemma,
    acollect_events,
    assert_tool_called,
    collect_events,
)
from gemma_agents.tools import tool


@tool
def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: First.
        b: Second.
    """
    return a + b


def test_stream_yields_tokens_tool_events_and_a_final_result_in_order() -> None:
    model = ScriptedGemma(["Let me add that. [add(a=2, b=3)]", "The answer is 5."], chunk_size=3)
    agent = Agent(model, tools=[add], guardrails=False)
    events = collect_events(agent.stream("2 + 3?"))
    kinds = [type(e) for e in events]
    start, end = kinds.index(ToolStartEvent), kinds.index(ToolEndEvent)
    assert kinds[0] is TokenEvent and start < end and kinds[-1] is FinalEvent
    before = "".join(e.text for e in events[:start] if isinstance(e, TokenEvent))
    after = "".join(e.text for e in events[end:] if isinstance(e, TokenEvent))
    assert before.strip() == "Let me add that."
    assert after == "The answer is 5."
    assert "[" not in events.text and "add(" not in events.text
    ended = assert_tool_called(events, "add", a=2, b=3, times=1)
    assert ended is not None and ended.result == "5" and ended.status == "ok"
    assert ended.duration_s >= 0
    assert events.result.answer == "The answer is 5."


def test_assert_helpers_report_what_happened() -> None:
    agent = Agent(ScriptedGemma(["[add(a=1, b=1)]", "2"]), tools=[add], guardrails=False)
    events = collect_events(agent.stream("1+1"))
    try:
        assert_tool_called(events, "add", a=5)
    except AssertionError as exc:
        assert "calls made: [('add', {'a': 1, 'b': 1})]" in str(exc)
    else:
        raise AssertionError("assert_tool_called accepted wrong arguments")


class Polite(Guardrail):
    name = "polite"

    def check_output(self, text: str, ctx: GuardContext) -> Decision | None:
        if "stupid" in text:
            return Decision("modify", ("rude",), text="Let me rephrase: that will not work.")
        return None


def test_live_tokens_versus_held_tokens_with_an_output_guard() -> None:
    live = Agent(ScriptedGemma(["That is stupid."]), guardrails=[Polite()])
    events = collect_events(live.stream("idea?"))
    assert events.text == "That is stupid."  # streamed before the guard ran
    assert events.result.answer == "Let me rephrase: that will not work."  # authoritative
    assert [(g.stage, g.action) for g in events.guards] == [("output", "modify")]

    held = Agent(ScriptedGemma(["That is stupid."]), guardrails=[Polite()])
    events = collect_events(held.stream("idea?", hold_tokens=True))
    assert [e.text for e in events.tokens] == ["Let me rephrase: that will not work."]


def test_composed_final_answers_are_streamed_too() -> None:
    model = ScriptedGemma(["[add(a=1, b=2)]", "[add(a=3, b=4)]"])
    agent = Agent(model, tools=[add], guardrails=False, max_steps=1)
    events = collect_events(agent.stream("sum"))
    assert events.result.status == "budget"
    assert events.text.endswith(events.result.answer)
    assert events.tokens[-1].node == "finalize"


async def test_astream_matches_stream() -> None:
    agent = Agent(ScriptedGemma(["[add(a=2, b=2)]", "4"]), tools=[add], guardrails=False)
    events = await acollect_events(agent.astream("2+2"))
    assert_tool_called(events, "add", a=2, b=2)
    assert events.text == "4" and events.result.answer == "4"
