"""Human approval: pause the graph with ``interrupt`` for each call that needs it.

A call needs approval when its tool says so (``requires_approval``) or when a guard
decided ``approve`` (risky side effects, policy). The node interrupts once per such call;
LangGraph re-runs the node on every resume and hands back the answers in order, so the
node itself must be deterministic up to each ``interrupt``. That is also why the guards run
in their own node before this one: re-running them on each resume would count rate limits
twice.

Resume values: ``{"action": "approve"}``, ``{"action": "edit", "arguments": {...}}`` (the
edited call is guarded again) or ``{"action": "reject", "reason": "..."}``.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable, RunnableConfig
from langgraph.types import interrupt

from ...calls._types import ToolCall
from ...exceptions import ConfigError
from ...guardrails._types import Decision
from ..result import ApprovalDecision, normalize_decision
from ..state import AgentState, PendingCall
from ._deps import GraphDeps, decision_record, guard_context, make_node
from .guards import review_calls

__all__ = ["APPROVAL_REQUEST", "approval_node"]

APPROVAL_REQUEST = "approval"


def _pending(deps: GraphDeps, state: AgentState) -> list[PendingCall]:
    pending = state.get("pending")
    if pending:
        return [PendingCall(**p) for p in pending]  # type: ignore[typeddict-item]
    message = state["messages"][-1] if state.get("messages") else None
    return review_calls(deps, message if isinstance(message, AIMessage) else None)[0]


def _ask(item: PendingCall) -> ApprovalDecision:
    value = interrupt(
        {
            "type": APPROVAL_REQUEST,
            "call_id": item["id"],
            "name": item["name"],
            "arguments": item["args"],
            "reasons": list(item.get("reasons") or []),
        }
    )
    try:
        return normalize_decision(value)
    except ConfigError as exc:
        # Agent.resume validates first; a raw Command(resume=...) may not have.
        return {"action": "reject", "reason": f"invalid approval decision ({exc.message})"}


def _apply(item: PendingCall, decision: ApprovalDecision) -> dict[str, Any]:
    action = decision["action"]
    reasons: list[str] = []
    if action == "approve":
        item["status"] = "run"
    elif action == "edit":
        item["status"] = "run"
        item["args"] = dict(decision["arguments"])
        reasons.append("arguments edited by the approver")
    else:
        item["status"] = "rejected"
        item["message"] = decision.get("reason") or "rejected by the user"
        reasons.append(item["message"])
    return {
        "action": action,
        "reasons": reasons,
        "guard": "human",
        "stage": APPROVAL_REQUEST,
        "message": None,
        "call_id": item["id"],
    }


def _after_recheck(item: PendingCall, decision: Decision, records: list[dict[str, Any]]) -> None:
    """Edited arguments are guarded again; only a block can overrule the human now."""
    if decision.action != "allow" or decision.reasons:
        records.append(decision_record(decision, call_id=item["id"]))
    if decision.action == "block":
        item["status"] = "blocked"
        item["message"] = decision.message or "; ".join(decision.reasons)
    elif decision.arguments is not None:
        item["args"] = dict(decision.arguments)


def _call(item: PendingCall) -> ToolCall:
    return ToolCall(name=item["name"], arguments=dict(item["args"]), id=item["id"])


def approval_node(deps: GraphDeps) -> Runnable[Any, Any]:
    """Interrupt for every pending call whose status is ``approve``."""

    def run(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        pending, records = _pending(deps, state), []
        for item in pending:
            if item["status"] != "approve":
                continue
            decision = _ask(item)
            records.append(_apply(item, decision))
            if decision["action"] == "edit" and deps.guards is not None:
                check = deps.guards.check_tool_call(
                    _call(item), deps.tools.get(item["name"]), guard_context(state, config)
                )
                _after_recheck(item, check, records)
        return {"pending": pending, "decisions": [*(state.get("decisions") or []), *records]}

    async def arun(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        pending, records = _pending(deps, state), []
        for item in pending:
            if item["status"] != "approve":
                continue
            decision = _ask(item)
            records.append(_apply(item, decision))
            if decision["action"] == "edit" and deps.guards is not None:
                check = await deps.guards.acheck_tool_call(
                    _call(item), deps.tools.get(item["name"]), guard_context(state, config)
                )
                _after_recheck(item, check, records)
        return {"pending": pending, "decisions": [*(state.get("decisions") or []), *records]}

    return make_node("approve", run, arun)
