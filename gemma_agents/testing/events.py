"""Helpers to collect an agent's step events and assert on them in tests.

    events = collect_events(agent.stream("What is 2 + 2?"))
    assert_tool_called(events, "calculator", expression="2 + 2")
    assert events.text == "4"
    assert events.result.answer == "4"

Failures say what *did* happen (the calls that were made, the events seen), which is most
of the work of debugging an agent test.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from typing import Any

from ..graph.events import (
    AgentEvent,
    ApprovalEvent,
    FinalEvent,
    GuardEvent,
    TokenEvent,
    ToolEndEvent,
    ToolStartEvent,
)
from ..graph.result import AgentResult

__all__ = [
    "EventLog",
    "acollect_events",
    "assert_guard_decision",
    "assert_no_tool_called",
    "assert_tool_called",
    "collect_events",
]


class EventLog(list[AgentEvent]):
    """The events of one run, in order, with typed views."""

    @property
    def tokens(self) -> list[TokenEvent]:
        return [e for e in self if isinstance(e, TokenEvent)]

    @property
    def text(self) -> str:
        """All streamed text joined (what a terminal would have shown)."""
        return "".join(e.text for e in self.tokens)

    @property
    def tool_starts(self) -> list[ToolStartEvent]:
        return [e for e in self if isinstance(e, ToolStartEvent)]

    @property
    def tool_ends(self) -> list[ToolEndEvent]:
        return [e for e in self if isinstance(e, ToolEndEvent)]

    @property
    def guards(self) -> list[GuardEvent]:
        return [e for e in self if isinstance(e, GuardEvent)]

    @property
    def approvals(self) -> list[ApprovalEvent]:
        return [e for e in self if isinstance(e, ApprovalEvent)]

    @property
    def result(self) -> AgentResult:
        """The final event's result (raises if the run did not finish)."""
        finals = [e for e in self if isinstance(e, FinalEvent)]
        if not finals:
            raise AssertionError(f"no FinalEvent among {len(self)} events: {self._kinds()}")
        return finals[-1].result

    def _kinds(self) -> list[str]:
        return [type(e).__name__ for e in self]


def collect_events(events: Iterable[AgentEvent]) -> EventLog:
    """Drain ``agent.stream(...)`` into an :class:`EventLog`."""
    return EventLog(events)


async def acollect_events(events: AsyncIterable[AgentEvent]) -> EventLog:
    """Drain ``agent.astream(...)`` into an :class:`EventLog`."""
    return EventLog([e async for e in events])


def _calls(events: Iterable[AgentEvent]) -> list[tuple[str, dict[str, Any]]]:
    return [(e.name, e.arguments) for e in events if isinstance(e, ToolStartEvent)]


def assert_tool_called(
    events: Iterable[AgentEvent], name: str, /, *, times: int | None = None, **arguments: Any
) -> ToolEndEvent | None:
    """Assert that ``name`` ran with (at least) these argument values.

    Args:
        events: The run's events.
        name: Tool name.
        times: Exact number of matching calls, when given.
        **arguments: Argument values the call must have had (others are ignored).

    Returns:
        The end event of the first matching call (``None`` if it never ended).
    """
    events = list(events)
    matching = [
        e
        for e in events
        if isinstance(e, ToolStartEvent)
        and e.name == name
        and all(k in e.arguments and e.arguments[k] == v for k, v in arguments.items())
    ]
    if not matching:
        raise AssertionError(
            f"expected a call to {name}({arguments}); calls made: {_calls(events) or 'none'}"
        )
    if times is not None and len(matching) != times:
        raise AssertionError(
            f"expected {times} call(s) to {name}({arguments}), got {len(matching)}: "
            f"{_calls(events)}"
        )
    ids = {e.call_id for e in matching}
    return next((e for e in events if isinstance(e, ToolEndEvent) and e.call_id in ids), None)


def assert_no_tool_called(events: Iterable[AgentEvent], name: str | None = None) -> None:
    """Assert that no tool (or no call to ``name``) started."""
    calls = [c for c in _calls(events) if name is None or c[0] == name]
    if calls:
        raise AssertionError(f"expected no call{' to ' + name if name else ''}, got {calls}")


def assert_guard_decision(events: Iterable[AgentEvent], stage: str, action: str) -> GuardEvent:
    """Assert that a guard decided ``action`` at ``stage``; returns that event."""
    events = list(events)
    for event in events:
        if isinstance(event, GuardEvent) and event.stage == stage and event.action == action:
            return event
    seen = [(e.stage, e.action) for e in events if isinstance(e, GuardEvent)]
    raise AssertionError(f"expected a {action!r} decision at {stage!r}; guard events: {seen}")
