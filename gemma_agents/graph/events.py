"""Step events: what :meth:`Agent.stream` yields while a run progresses.

A chat UI or bot needs more than tokens: it shows that a tool started, how long it took,
that a guard redacted something, that a call waits for approval. Each of those is a small
frozen dataclass here, so consumers can ``match`` on the type instead of digging through
LangGraph's raw ``(mode, payload)`` tuples. Nodes emit the tool and guard events through
LangGraph's stream writer; the agent turns model chunks into :class:`TokenEvent` and the
final state into :class:`FinalEvent`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .result import AgentResult

__all__ = [
    "AgentEvent",
    "ApprovalEvent",
    "FinalEvent",
    "GuardEvent",
    "TokenEvent",
    "ToolEndEvent",
    "ToolStartEvent",
]


@dataclass(frozen=True)
class TokenEvent:
    """User-visible text from the model (never contains tool-call markup).

    Attributes:
        text: The new text.
        node: Graph node that produced it (``model`` or ``finalize``).
    """

    text: str
    node: str = "model"


@dataclass(frozen=True)
class ToolStartEvent:
    """A tool is about to run with these (validated or raw) arguments."""

    call_id: str
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToolEndEvent:
    """A tool call finished.

    Attributes:
        status: ``ok``, ``error``, ``timeout``, ``blocked``, ``rejected`` or ``skipped``
            (a non-idempotent call that was not re-run after a crash).
        result: The text the model sees (already capped and fenced).
        duration_s: Wall time of the execution, retries included.
    """

    call_id: str
    name: str
    arguments: dict[str, Any]
    result: str
    status: str
    duration_s: float


@dataclass(frozen=True)
class GuardEvent:
    """A guardrail decision at one stage (allow decisions are not emitted)."""

    stage: str
    action: str
    reasons: tuple[str, ...] = ()
    guard: str = ""
    call_id: str | None = None


@dataclass(frozen=True)
class ApprovalEvent:
    """The run paused: a human must approve, edit or reject this call.

    Resume with :meth:`Agent.resume` and the decision.
    """

    call_id: str
    name: str
    arguments: dict[str, Any]
    reasons: tuple[str, ...] = ()
    interrupt_id: str | None = None


@dataclass(frozen=True)
class FinalEvent:
    """The run ended (answered, blocked or paused for approval); carries the result."""

    result: AgentResult


AgentEvent = TokenEvent | ToolStartEvent | ToolEndEvent | GuardEvent | ApprovalEvent | FinalEvent
