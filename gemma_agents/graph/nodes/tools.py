"""The execute node: run the step's tool calls, guard their results, watch for loops.

Calls run concurrently (``asyncio.gather``); each goes through
:func:`gemma_agents.graph.execute.run_call` (validation, journal, timeout, retries, size
cap, untrusted fence). Calls the guards blocked or a human rejected, unparseable calls from
the model (``invalid_tool_calls``) and repeated non-idempotent calls become error results
without running. Every result then passes the tool-result guards before the model sees it,
and the loop detector counts the step's calls and errors.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.runnables import Runnable, RunnableConfig

from ...calls._types import ToolCall
from .._sync import run_sync
from ..events import GuardEvent, ToolEndEvent, ToolStartEvent
from ..execute import (
    BLOCKED_TEMPLATE,
    INVALID_CALL_TEMPLATE,
    REJECTED_TEMPLATE,
    REPEATED_NOT_RUN_TEMPLATE,
    CallOutcome,
    ExecutionEnv,
    fence_untrusted,
    run_call,
)
from ..journal import MemoryJournal
from ..loop import (
    REFLECTION_HINT,
    REPEATED_ERROR_HINT,
    call_fingerprint,
    error_fingerprint,
    observe,
)
from ..state import AgentState, PendingCall, ToolLogEntry
from ._deps import (
    GraphDeps,
    calls_of,
    decision_record,
    guard_context,
    make_node,
    stream_writer,
    thread_id_of,
)

__all__ = ["WITHHELD_TEMPLATE", "execute_node"]

WITHHELD_TEMPLATE = (
    "The result of '{tool_name}' was withheld by a guardrail: {reasons}. Continue without it."
)
_ERROR_STATUSES = frozenset({"error", "timeout"})
FENCE_PREFIX = "<<<UNTRUSTED DATA "


def _refused(call_id: str, name: str, args: dict[str, Any], item: PendingCall) -> CallOutcome:
    if item["status"] == "blocked":
        reasons = item.get("message") or "; ".join(item.get("reasons") or []) or "policy"
        text = BLOCKED_TEMPLATE.format(tool_name=name, reasons=reasons)
        return CallOutcome(call_id, name, args, text, "blocked")
    reason = item.get("message") or "not approved"
    return CallOutcome(
        call_id, name, args, REJECTED_TEMPLATE.format(tool_name=name, reason=reason), "rejected"
    )


def execute_node(deps: GraphDeps) -> Runnable[Any, Any]:
    """Execute every call of the latest model turn (see the module docstring)."""
    fallback_journal = MemoryJournal()

    async def core(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        writer = stream_writer()
        message = state["messages"][-1] if state.get("messages") else None
        ai = message if isinstance(message, AIMessage) else None
        thread_id = thread_id_of(config)
        ctx = guard_context(state, config)
        from ...tools.results import ToolContext

        env = ExecutionEnv(
            tools=deps.tools,
            journal=deps.journal or fallback_journal,
            thread_id=thread_id,
            timeout_cap=deps.tool_timeout,
            max_result_chars=deps.max_result_chars,
            retries=deps.tool_retries,
            context=ToolContext(user_id=ctx.user_id, thread_id=thread_id, channel=ctx.channel),
        )
        seen = state.get("fingerprints") or {}
        pending = {p["id"]: p for p in state.get("pending") or []}

        slots: list[CallOutcome | None] = []
        jobs: list[tuple[int, Any]] = []
        calls: list[tuple[str, str, dict[str, Any]]] = []
        repeated: set[str] = set()
        for call in calls_of(ai):
            call_id, name = call["id"], call["name"]
            item = pending.get(call_id)
            args = dict(item["args"]) if item else dict(call.get("args") or {})
            calls.append((call_id, name, args))
            if seen.get(call_fingerprint(name, args)):
                repeated.add(call_id)
            tool = deps.tools.get(name)
            if item is not None and item["status"] in ("blocked", "rejected", "approve"):
                if item["status"] == "approve":
                    item = {**item, "status": "rejected", "message": "no approval given"}
                slots.append(_refused(call_id, name, args, item))
            elif call_id in repeated and tool is not None and not tool.idempotent:
                text = REPEATED_NOT_RUN_TEMPLATE.format(tool_name=name)
                slots.append(CallOutcome(call_id, name, args, text, "skipped"))
            else:
                writer(ToolStartEvent(call_id=call_id, name=name, arguments=args))
                jobs.append((len(slots), run_call(call_id, name, args, env)))
                slots.append(None)
        if jobs:
            done = await asyncio.gather(*(job for _, job in jobs))
            for (index, _), outcome in zip(jobs, done, strict=True):
                slots[index] = outcome
        outcomes = [o for o in slots if o is not None]
        for bad in (ai.invalid_tool_calls if ai is not None else []) or []:
            name = bad.get("name") or "unknown"
            error = bad.get("error") or "the tool call could not be parsed"
            text = INVALID_CALL_TEMPLATE.format(error=error)
            outcomes.append(CallOutcome(str(bad.get("id")), name, {}, text, "error"))

        records: list[dict[str, Any]] = []
        if deps.guarded("tool_result"):
            outcomes = [await _guard_result(deps, o, ctx, records, writer) for o in outcomes]

        errors = [(o.name, o.content) for o in outcomes if o.status in _ERROR_STATUSES]
        repeated_errors = {
            o.call_id
            for o in outcomes
            if o.status in _ERROR_STATUSES and seen.get(error_fingerprint(o.name, o.content))
        }
        peak = state.get("loop_peak", 0)
        observation = observe(seen, calls, errors, previous_level=peak)

        messages: list[ToolMessage] = []
        log: list[ToolLogEntry] = list(state.get("tool_log") or [])
        for outcome in outcomes:
            content = outcome.content
            if outcome.call_id in repeated and outcome.status not in ("skipped",):
                content += "\n\n" + REFLECTION_HINT.format(name=outcome.name)
            elif outcome.call_id in repeated_errors:
                content += "\n\n" + REPEATED_ERROR_HINT
            messages.append(
                ToolMessage(
                    content=content,
                    tool_call_id=outcome.call_id,
                    name=outcome.name,
                    status="success" if outcome.ok else "error",
                )
            )
            log.append(
                {
                    "id": outcome.call_id,
                    "name": outcome.name,
                    "args": outcome.args,
                    "result": outcome.content,
                    "status": outcome.status,
                    "duration_s": round(outcome.duration_s, 6),
                }
            )
            writer(
                ToolEndEvent(
                    call_id=outcome.call_id,
                    name=outcome.name,
                    arguments=outcome.args,
                    result=content,
                    status=outcome.status,
                    duration_s=outcome.duration_s,
                )
            )
        update: dict[str, Any] = {
            "messages": messages,
            "tool_log": log,
            "fingerprints": observation.fingerprints,
        }
        if observation.level or state.get("loop_level"):
            update["loop_level"] = observation.level
        if observation.level > peak:
            update["loop_peak"] = observation.level
        if state.get("pending"):
            update["pending"] = []
        if records:
            update["decisions"] = [*(state.get("decisions") or []), *records]
        return update

    def run(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        return run_sync(core(state, config))

    return make_node("execute", run, core)


async def _guard_result(
    deps: GraphDeps,
    outcome: CallOutcome,
    ctx: Any,
    records: list[dict[str, Any]],
    writer: Any,
) -> CallOutcome:
    """Run the tool-result guards on a successful result (errors are our own text)."""
    if not outcome.ok or deps.guards is None:
        return outcome
    call = ToolCall(name=outcome.name, arguments=dict(outcome.args), id=outcome.call_id)
    # Guards read the raw result; if they rewrite it (fence, redact) theirs replaces ours.
    decision = await deps.guards.acheck_tool_result(
        outcome.raw if outcome.raw is not None else outcome.content,
        call,
        deps.tools.get(outcome.name),
        ctx,
    )
    if decision.action == "allow" and not decision.reasons:
        return outcome
    records.append(decision_record(decision, call_id=outcome.call_id))
    writer(
        GuardEvent(
            stage=decision.stage,
            action=decision.action,
            reasons=tuple(decision.reasons),
            guard=decision.guard,
            call_id=outcome.call_id,
        )
    )
    if decision.action == "block":
        reasons = "; ".join(decision.reasons) or "policy"
        text = WITHHELD_TEMPLATE.format(tool_name=outcome.name, reasons=reasons)
        return CallOutcome(
            outcome.call_id, outcome.name, outcome.args, text, "blocked", outcome.duration_s
        )
    if decision.action == "modify" and decision.text is not None:
        text = decision.text
        fenced = outcome.raw is not None and outcome.content != outcome.raw
        if fenced and not text.startswith(FENCE_PREFIX):
            text = fence_untrusted(text, outcome.name)  # the guard edited, did not fence
        return CallOutcome(
            outcome.call_id,
            outcome.name,
            outcome.args,
            text,
            outcome.status,
            outcome.duration_s,
            outcome.from_journal,
        )
    return outcome
