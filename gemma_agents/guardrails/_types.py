"""Decisions and the guardrail contract.

A guardrail looks at one stage of a run (user input, a tool call, a tool result, the
answer) and returns a :class:`Decision`. Decisions are plain data so the graph can record
them in its state and the metrics layer can count them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ..calls._types import ToolCall
    from ..tools._tool import Tool

__all__ = ["Action", "Decision", "GuardContext", "Guardrail", "Stage"]

Stage = Literal["input", "tool_call", "tool_result", "output"]
Action = Literal["allow", "modify", "block", "approve"]


@dataclass(frozen=True)
class Decision:
    """What a guardrail (or a set of them) decided about one text or call.

    Attributes:
        action: ``allow``, ``modify`` (use ``text`` instead), ``block`` (show ``message``
            to the user) or ``approve`` (a human must approve first).
        reasons: Human-readable reasons, one per finding.
        text: The (possibly modified) text; for ``allow`` the original.
        guard: Name of the guard that decided (``"+"``-joined for combined decisions).
        stage: Stage the decision was made at.
        message: What the user sees when blocked.
        arguments: Modified tool-call arguments, for ``modify`` at the tool_call stage.
    """

    action: Action = "allow"
    reasons: tuple[str, ...] = ()
    text: str | None = None
    guard: str = ""
    stage: Stage = "input"
    message: str | None = None
    arguments: dict[str, Any] | None = None

    @property
    def allowed(self) -> bool:
        return self.action in ("allow", "modify")

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "reasons": list(self.reasons),
            "guard": self.guard,
            "stage": self.stage,
            "message": self.message,
        }


@dataclass
class GuardContext:
    """Who and where: what rate limits, per-user policies and metrics key on."""

    user_id: str = "default"
    thread_id: str | None = None
    channel: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Guardrail:
    """Base class: override the hooks for the stages the guard cares about.

    Each hook returns ``None`` (no opinion, same as allow) or a :class:`Decision`.
    ``fail_mode`` says what happens when the guard itself raises: ``"closed"`` blocks,
    ``"open"`` allows and records the error.
    """

    name: str = "guardrail"
    stages: frozenset[Stage] = frozenset()
    fail_mode: Literal["open", "closed"] = "closed"

    def check_input(self, text: str, ctx: GuardContext) -> Decision | None:
        return None

    def check_tool_call(
        self, call: ToolCall, tool: Tool | None, ctx: GuardContext
    ) -> Decision | None:
        return None

    def check_tool_result(
        self, text: str, call: ToolCall, tool: Tool | None, ctx: GuardContext
    ) -> Decision | None:
        return None

    def check_output(self, text: str, ctx: GuardContext) -> Decision | None:
        return None
