"""From LangGraph's stream and snapshots to the agent's events and results.

``Agent.stream`` runs the graph with ``stream_mode=["messages", "custom", "updates"]``:

- ``messages`` carries the chat model's chunks; only those of the ``model`` and
  ``finalize`` nodes become :class:`TokenEvent` (ChatGemma's stream never contains call
  markup, so what is left is what the user should read);
- ``custom`` carries the event objects the nodes wrote (tool start/end, guards);
- ``updates`` reveals interrupts, which become :class:`ApprovalEvent`.

:func:`result_from_snapshot` builds the :class:`AgentResult` from a checkpoint snapshot,
which is why ``invoke``, ``stream`` and ``resume`` all return the same thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk

from .events import (
    AgentEvent,
    ApprovalEvent,
    GuardEvent,
    TokenEvent,
    ToolEndEvent,
    ToolStartEvent,
)
from .nodes.approval import APPROVAL_REQUEST
from .result import AgentResult, PendingApproval, ToolCallRecord
from .state import message_text

__all__ = ["TOKEN_NODES", "EventTranslator", "result_from_snapshot", "result_from_values"]

TOKEN_NODES = frozenset({"model", "finalize"})
_NODE_EVENTS = (TokenEvent, ToolStartEvent, ToolEndEvent, GuardEvent, ApprovalEvent)


class EventTranslator:
    """Stateful translation of one run's raw stream parts into agent events."""

    def __init__(self, *, hold_tokens: bool = False) -> None:
        self.hold_tokens = hold_tokens

    def translate(self, mode: str, payload: Any) -> Iterator[AgentEvent]:
        if mode == "messages":
            message, meta = payload
            node = (meta or {}).get("langgraph_node")
            if node in TOKEN_NODES and isinstance(message, AIMessage | AIMessageChunk):
                text = message_text(message)
                if text and not self.hold_tokens:
                    yield TokenEvent(text=text, node=node)
        elif mode == "custom":
            held = self.hold_tokens and isinstance(payload, TokenEvent)
            if isinstance(payload, _NODE_EVENTS) and not held:
                yield payload
        elif mode == "updates" and isinstance(payload, dict):
            for item in payload.get("__interrupt__", ()) or ():
                pending = _pending(item)
                if pending is not None:
                    yield ApprovalEvent(
                        call_id=pending.call_id,
                        name=pending.name,
                        arguments=pending.arguments,
                        reasons=pending.reasons,
                        interrupt_id=pending.interrupt_id,
                    )

    def finish(self, result: AgentResult) -> Iterator[AgentEvent]:
        """With held tokens, the guarded answer is released once, at the end."""
        if self.hold_tokens and result.answer:
            yield TokenEvent(text=result.answer, node="final")


def _pending(interrupt: Any) -> PendingApproval | None:
    value = getattr(interrupt, "value", None)
    if not isinstance(value, dict) or value.get("type") != APPROVAL_REQUEST:
        return None
    return PendingApproval(
        call_id=str(value.get("call_id", "")),
        name=str(value.get("name", "")),
        arguments=dict(value.get("arguments") or {}),
        reasons=tuple(value.get("reasons") or ()),
        interrupt_id=getattr(interrupt, "id", None),
    )


def result_from_snapshot(snapshot: Any, thread_id: str) -> AgentResult:
    """The :class:`AgentResult` of the thread's latest turn, from a state snapshot."""
    return result_from_values(
        dict(snapshot.values or {}),
        thread_id,
        interrupts=getattr(snapshot, "interrupts", ()) or (),
        running=bool(snapshot.next),
    )


def result_from_values(
    values: dict[str, Any],
    thread_id: str,
    *,
    interrupts: Any = (),
    running: bool = False,
) -> AgentResult:
    """The :class:`AgentResult` from state values (what ``graph.invoke`` returns).

    ``invoke`` hands back the final values with pending interrupts under
    ``__interrupt__``, so the common path needs no extra checkpoint read.
    """
    interrupts = interrupts or values.get("__interrupt__") or ()
    pending = next((p for p in (_pending(i) for i in interrupts) if p), None)
    if pending is not None:
        status = "interrupted"
    elif running:
        status = "running"
    else:
        status = values.get("status") or "answered"
    answer = values.get("answer") or "" if status not in ("interrupted", "running") else ""
    return AgentResult(
        answer=answer,
        messages=list(values.get("messages") or []),
        tool_calls=[
            ToolCallRecord(
                name=str(e.get("name", "")),
                args=dict(e.get("args") or {}),
                result=str(e.get("result", "")),
                status=str(e.get("status", "")),
                duration_s=float(e.get("duration_s", 0.0)),
                id=str(e.get("id", "")),
            )
            for e in values.get("tool_log") or []
        ],
        decisions=list(values.get("decisions") or []),
        usage=dict(values.get("usage") or {}),
        steps=int(values.get("steps") or 0),
        interrupt=pending,
        thread_id=thread_id,
        status=status,
    )
