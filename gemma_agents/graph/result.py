"""What a run returns, and the decisions that resume a paused one.

:class:`AgentResult` is built from the checkpointed state, so the same object comes back
from ``invoke``, from the :class:`~gemma_agents.graph.events.FinalEvent` of ``stream`` and
from ``resume`` after a crash. Approval decisions are plain dicts (what LangGraph's
``Command(resume=...)`` carries and what a checkpoint can store); :func:`approve`,
:func:`edit` and :func:`reject` build them so callers never spell the keys by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.messages import AnyMessage

from ..exceptions import ConfigError

__all__ = [
    "AgentResult",
    "ApprovalDecision",
    "PendingApproval",
    "ToolCallRecord",
    "approve",
    "edit",
    "normalize_decision",
    "reject",
]

ApprovalDecision = dict[str, Any]


@dataclass(frozen=True)
class ToolCallRecord:
    """One tool call of the turn.

    Attributes:
        name: Tool name.
        args: Arguments it ran with (after guard or human edits).
        result: Text the model saw.
        status: ``ok``, ``error``, ``timeout``, ``blocked``, ``rejected`` or ``skipped``.
        duration_s: Execution time in seconds (0 for calls that did not run).
        id: The call id.
    """

    name: str
    args: dict[str, Any]
    result: str
    status: str
    duration_s: float = 0.0
    id: str = ""


@dataclass(frozen=True)
class PendingApproval:
    """A call waiting for a human: resume with ``Agent.resume(thread_id, decision)``."""

    call_id: str
    name: str
    arguments: dict[str, Any]
    reasons: tuple[str, ...] = ()
    interrupt_id: str | None = None


@dataclass(frozen=True)
class AgentResult:
    """The outcome of one turn.

    Attributes:
        answer: The final answer (empty while paused for approval).
        messages: The whole thread's conversation after this turn.
        tool_calls: Calls made in this turn, in order.
        decisions: Guard decisions of this turn (dicts with stage, action, reasons, guard).
        usage: Token totals of this turn (``input_tokens``, ``output_tokens``,
            ``total_tokens``).
        steps: Model calls made in this turn.
        interrupt: The call waiting for approval, if the run is paused.
        thread_id: Pass it back to continue the conversation or to resume.
        status: ``answered``, ``blocked``, ``budget`` (answer forced by the step budget or
            the loop detector), ``interrupted`` or ``running`` (a crashed run to resume).
    """

    answer: str
    messages: list[AnyMessage] = field(default_factory=list)
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)
    steps: int = 0
    interrupt: PendingApproval | None = None
    thread_id: str = ""
    status: str = "answered"

    @property
    def interrupted(self) -> bool:
        return self.interrupt is not None

    def __str__(self) -> str:
        return self.answer


def approve() -> ApprovalDecision:
    """Run the call as proposed."""
    return {"action": "approve"}


def edit(arguments: Mapping[str, Any]) -> ApprovalDecision:
    """Run the call with these arguments instead (they are validated and guarded again)."""
    return {"action": "edit", "arguments": dict(arguments)}


def reject(reason: str = "rejected by the user") -> ApprovalDecision:
    """Do not run the call; the model is told why."""
    return {"action": "reject", "reason": reason}


def normalize_decision(decision: Any) -> ApprovalDecision:
    """Accept ``"approve"``/``"reject"``, a dict, or a helper's result; reject anything else.

    Raises:
        ConfigError: the decision is not one of the three actions or lacks arguments.
    """
    if isinstance(decision, str):
        decision = {"action": decision}
    if not isinstance(decision, Mapping):
        raise ConfigError(
            f"approval decision must be a dict or 'approve'/'reject', not {type(decision).__name__}",
            hint="use gemma_agents.graph.approve(), edit({...}) or reject('why')",
        )
    action: Literal["approve", "edit", "reject"] | Any = decision.get("action")
    if action not in ("approve", "edit", "reject"):
        raise ConfigError(
            f"unknown approval action {action!r}",
            hint="the action must be 'approve', 'edit' or 'reject'",
        )
    out: ApprovalDecision = {"action": action}
    if action == "edit":
        arguments = decision.get("arguments")
        if not isinstance(arguments, Mapping):
            raise ConfigError(
                "an 'edit' decision needs the new arguments as a dict",
                hint="edit({'path': 'notes.txt'})",
            )
        out["arguments"] = dict(arguments)
    if action == "reject":
        out["reason"] = str(decision.get("reason") or "rejected by the user")
    return out
