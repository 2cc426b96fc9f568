"""The agent graph's state, as stored in every checkpoint.

Only ``messages`` uses a merging reducer (LangGraph's ``add_messages``: append, or replace
by id). Every other field is last-value-wins and is written whole by the one node that owns
it, so a new turn can reset them by passing fresh values in the input; an ``operator.add``
list could never be emptied again. Values are plain dicts, lists and LangChain messages so
that every checkpointer's serializer (memory, SQLite, Postgres) round-trips them.
"""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.graph.message import add_messages

__all__ = [
    "AgentState",
    "PendingCall",
    "ToolLogEntry",
    "last_ai_message",
    "last_user_text",
    "message_text",
    "turn_reset",
]


class PendingCall(TypedDict, total=False):
    """A call the tool-call guard (or the approval step) looked at.

    ``status``: ``run`` (execute), ``approve`` (wait for a human), ``blocked`` (guard said
    no), ``rejected`` (a human said no). ``args`` may differ from the model's arguments
    when a guard or a human edited them.
    """

    id: str
    name: str
    args: dict[str, Any]
    status: str
    reasons: list[str]
    message: str


class ToolLogEntry(TypedDict, total=False):
    """One executed (or refused) call, as reported in ``AgentResult.tool_calls``."""

    id: str
    name: str
    args: dict[str, Any]
    result: str
    status: str
    duration_s: float


class AgentState(TypedDict, total=False):
    """What flows between the nodes and is checkpointed after each step.

    Attributes:
        messages: The conversation (user, assistant, tool messages); the system/context
            message is rebuilt for every model call and never stored.
        user_id: Whose memories and rate limits apply (kept so a resumed run knows).
        channel: Where the message came from (a chat channel), for guards.
        pending: This step's reviewed calls (see :class:`PendingCall`).
        decisions: Every non-trivial guard decision of the current turn (dicts).
        steps: Model calls made in the current turn (the budget counts these).
        usage: Token totals of the current turn.
        fingerprints: Loop detector counts per call/error fingerprint.
        loop_level: This step's escalation (0 none, 1 hint, 2 constrained retry, 3 stop).
        loop_peak: Highest escalation reached in the turn (repeats keep escalating).
        tool_log: Executed calls of the current turn (see :class:`ToolLogEntry`).
        memory_block: Recalled memories formatted as data for the context message.
        answer: The final answer once known.
        status: ``running``, ``answered``, ``blocked`` or ``budget`` (answer forced).
    """

    messages: Annotated[list[AnyMessage], add_messages]
    user_id: str
    channel: str | None
    pending: list[PendingCall]
    decisions: list[dict[str, Any]]
    steps: int
    usage: dict[str, int]
    fingerprints: dict[str, int]
    loop_level: int
    loop_peak: int
    tool_log: list[ToolLogEntry]
    memory_block: str | None
    answer: str | None
    status: str


def turn_reset(user_id: str, channel: str | None) -> dict[str, Any]:
    """The per-turn fields a new user message starts from."""
    return {
        "user_id": user_id,
        "channel": channel,
        "pending": [],
        "decisions": [],
        "steps": 0,
        "usage": {},
        "fingerprints": {},
        "loop_level": 0,
        "loop_peak": 0,
        "tool_log": [],
        "memory_block": None,
        "answer": None,
        "status": "running",
    }


def last_ai_message(state: AgentState) -> AIMessage | None:
    """The most recent assistant message, if the conversation ends with one."""
    for message in reversed(state.get("messages", [])):
        if isinstance(message, AIMessage):
            return message
        if isinstance(message, HumanMessage):
            return None
    return None


def last_user_text(state: AgentState) -> str:
    """Text of the latest user message (what guards and memory recall look at)."""
    for message in reversed(state.get("messages", [])):
        if isinstance(message, HumanMessage):
            return message_text(message)
    return ""


def message_text(message: AnyMessage) -> str:
    """Plain text of a message whose content may be a list of content parts."""
    content = message.content
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for part in content:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict) and part.get("type") == "text":
            parts.append(str(part.get("text", "")))
    return "".join(parts)
