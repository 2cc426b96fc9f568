"""The guardrail stages: user input, tool calls and the final answer.

Each stage asks the pipeline for one combined decision, records it in the state (every
non-trivial decision, with its reasons) and streams a :class:`GuardEvent`. Blocking input
ends the turn with the guard's message; a blocked answer is replaced by that message;
``modify`` replaces the text in place (same message id, so ``add_messages`` swaps it).
Tool calls are reviewed one by one into ``pending``: run, wait for approval, or blocked.

These are stage functions, not nodes: the ``input`` and ``output`` nodes and the model
node call them (see :mod:`gemma_agents.graph.builder` for why stages share nodes). The
tool-result stage runs inside the execute node, right after each result.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.runnables import RunnableConfig

from ...calls._types import ToolCall
from ...guardrails._types import Decision
from ..events import GuardEvent
from ..state import AgentState, PendingCall, message_text
from ._deps import GraphDeps, calls_of, decision_record, guard_context, stream_writer

__all__ = [
    "BLOCKED_INPUT_MESSAGE",
    "acheck_calls",
    "acheck_input",
    "acheck_output",
    "check_calls",
    "check_input",
    "check_output",
    "review_calls",
]

BLOCKED_INPUT_MESSAGE = "Sorry, I can't help with that request."
BLOCKED_OUTPUT_MESSAGE = "The answer was withheld by a guardrail."


def _emit(decision: Decision, call_id: str | None = None) -> None:
    if _noted(decision):
        stream_writer()(
            GuardEvent(
                stage=decision.stage,
                action=decision.action,
                reasons=tuple(decision.reasons),
                guard=decision.guard,
                call_id=call_id,
            )
        )


def _noted(decision: Decision) -> bool:
    return decision.action != "allow" or bool(decision.reasons)


def _last_human(state: AgentState) -> HumanMessage | None:
    for message in reversed(state.get("messages", [])):
        if isinstance(message, HumanMessage):
            return message
    return None


# -- input ----------------------------------------------------------------------------


def _input_update(state: AgentState, decision: Decision) -> dict[str, Any]:
    _emit(decision)
    update: dict[str, Any] = {}
    if _noted(decision):
        update["decisions"] = [*(state.get("decisions") or []), decision_record(decision)]
    if decision.action == "block":
        text = decision.message or BLOCKED_INPUT_MESSAGE
        update.update(messages=[AIMessage(content=text)], answer=text, status="blocked")
    elif decision.action == "modify" and decision.text is not None:
        human = _last_human(state)
        if human is not None and isinstance(human.content, str):
            update["messages"] = [HumanMessage(content=decision.text, id=human.id)]
    return update


def check_input(deps: GraphDeps, state: AgentState, config: RunnableConfig) -> dict[str, Any]:
    """Guard the user's message before anything else sees it."""
    assert deps.guards is not None
    human = _last_human(state)
    text = message_text(human) if human else ""
    return _input_update(state, deps.guards.check_input(text, guard_context(state, config)))


async def acheck_input(
    deps: GraphDeps, state: AgentState, config: RunnableConfig
) -> dict[str, Any]:
    """Async :func:`check_input`."""
    assert deps.guards is not None
    human = _last_human(state)
    text = message_text(human) if human else ""
    decision = await deps.guards.acheck_input(text, guard_context(state, config))
    return _input_update(state, decision)


# -- tool calls -----------------------------------------------------------------------


def _as_call(call: dict[str, Any], dialect: str) -> ToolCall:
    return ToolCall(
        name=call["name"], arguments=dict(call.get("args") or {}), id=call["id"], dialect=dialect
    )


def review_calls(
    deps: GraphDeps,
    message: AIMessage | None,
    decisions: dict[str, Decision] | None = None,
) -> tuple[list[PendingCall], list[dict[str, Any]]]:
    """Turn the model's calls (and the guard's decisions on them) into ``pending``.

    Without decisions (guardrails off) only the tools' own ``requires_approval`` counts.
    """
    pending: list[PendingCall] = []
    records: list[dict[str, Any]] = []
    for call in calls_of(message):
        call_id, name = call["id"], call["name"]
        item: PendingCall = {
            "id": call_id,
            "name": name,
            "args": dict(call.get("args") or {}),
            "status": "run",
            "reasons": [],
        }
        decision = (decisions or {}).get(call_id)
        if decision is not None:
            if _noted(decision):
                records.append(decision_record(decision, call_id=call_id))
            item["reasons"] = list(decision.reasons)
            if decision.arguments is not None:
                item["args"] = dict(decision.arguments)
            if decision.action == "block":
                item["status"] = "blocked"
                item["message"] = decision.message or "; ".join(decision.reasons)
            elif decision.action == "approve":
                item["status"] = "approve"
        if item["status"] == "run" and deps.needs_approval(name):
            item["status"] = "approve"
            item["reasons"] = [*item["reasons"], f"tool {name!r} requires approval"]
        pending.append(item)
    return pending, records


def _dialect(message: AIMessage) -> str:
    return str((message.response_metadata or {}).get("dialect") or "unknown")


def _calls_update(
    deps: GraphDeps, state: AgentState, message: AIMessage, decisions: dict[str, Decision]
) -> dict[str, Any]:
    for call_id, decision in decisions.items():
        _emit(decision, call_id)
    pending, records = review_calls(deps, message, decisions)
    update: dict[str, Any] = {"pending": pending}
    if records:
        update["decisions"] = [*(state.get("decisions") or []), *records]
    return update


def check_calls(
    deps: GraphDeps, state: AgentState, config: RunnableConfig, message: AIMessage
) -> dict[str, Any]:
    """Review every call of a model turn with the tool-call guards."""
    assert deps.guards is not None
    ctx, dialect = guard_context(state, config), _dialect(message)
    decisions = {
        c["id"]: deps.guards.check_tool_call(_as_call(c, dialect), deps.tools.get(c["name"]), ctx)
        for c in calls_of(message)
    }
    return _calls_update(deps, state, message, decisions)


async def acheck_calls(
    deps: GraphDeps, state: AgentState, config: RunnableConfig, message: AIMessage
) -> dict[str, Any]:
    """Async :func:`check_calls`."""
    assert deps.guards is not None
    ctx, dialect = guard_context(state, config), _dialect(message)
    decisions = {
        c["id"]: await deps.guards.acheck_tool_call(
            _as_call(c, dialect), deps.tools.get(c["name"]), ctx
        )
        for c in calls_of(message)
    }
    return _calls_update(deps, state, message, decisions)


# -- output ---------------------------------------------------------------------------


def _answer(state: AgentState) -> AIMessage | None:
    message = state["messages"][-1] if state.get("messages") else None
    return message if isinstance(message, AIMessage) else None


def _output_update(state: AgentState, message: AIMessage, decision: Decision) -> dict[str, Any]:
    _emit(decision)
    update: dict[str, Any] = {}
    if _noted(decision):
        update["decisions"] = [*(state.get("decisions") or []), decision_record(decision)]
    if decision.action == "block":
        text = decision.message or BLOCKED_OUTPUT_MESSAGE
        update.update(
            messages=[AIMessage(content=text, id=message.id)], answer=text, status="blocked"
        )
    elif decision.action == "modify" and decision.text is not None:
        update.update(
            messages=[AIMessage(content=decision.text, id=message.id)], answer=decision.text
        )
    return update


def check_output(deps: GraphDeps, state: AgentState, config: RunnableConfig) -> dict[str, Any]:
    """Guard the final answer before the user (and memory) sees it."""
    assert deps.guards is not None
    message = _answer(state)
    if message is None:
        return {}
    decision = deps.guards.check_output(message_text(message), guard_context(state, config))
    return _output_update(state, message, decision)


async def acheck_output(
    deps: GraphDeps, state: AgentState, config: RunnableConfig
) -> dict[str, Any]:
    """Async :func:`check_output`."""
    assert deps.guards is not None
    message = _answer(state)
    if message is None:
        return {}
    decision = await deps.guards.acheck_output(message_text(message), guard_context(state, config))
    return _output_update(state, message, decision)
