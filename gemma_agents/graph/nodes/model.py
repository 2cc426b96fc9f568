"""The model node (model call + tool-call guards) and the finalize node.

The context the model sees is rebuilt for every call and never stored in the thread:
system prompt, recalled memories (fenced as data), the step budget line and, during a
constrained retry, the loop detector's hint. Keeping it out of ``messages`` means the
checkpoint does not grow by a system prompt per step and a changed prompt applies to old
threads.

``finalize`` runs when the budget is spent or the loop detector gives up: it asks the
model, without tools, for a final answer; if that fails (an error, more tool calls, an
empty reply) it writes one from the tool results, so a turn always ends with an answer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableConfig

from ...calls._types import new_call_id
from ...models.messages import CONTEXT_NOTE
from ..events import TokenEvent
from ..loop import CONSTRAINED_HINT, FORCE_FINAL_HINT, LEVEL_CONSTRAINED, budget_line
from ..state import AgentState, message_text
from ._deps import GraphDeps, make_node, stream_writer, thread_id_of
from .guards import acheck_calls, check_calls

__all__ = ["compose_answer", "context_messages", "finalize_node", "model_node"]

log = logging.getLogger(__name__)

BUDGET_SPENT_INTRO = "I ran out of steps before finishing."
LOOP_INTRO = "I stopped because I kept repeating the same tool calls."
RESULTS_INTRO = " Here is what the tools returned:"
NO_RESULTS = " No tool produced a result."


def context_messages(
    deps: GraphDeps,
    state: AgentState,
    *,
    hint: str | None = None,
    budget: bool = True,
) -> list[BaseMessage]:
    """The per-call context around the stored conversation.

    What stays the same for a whole turn (system prompt, recalled memories) goes first;
    what changes every step (the budget line, a loop hint) goes last, as a note after the
    newest message. A step's prompt is then the previous step's prompt plus the new
    messages, so the embedded runtime's KV cache is reused and only the new tokens are
    evaluated.
    """
    head = [deps.system_prompt] if deps.system_prompt else []
    memory = state.get("memory_block")
    if memory:
        head.append(memory)
    tail = []
    if budget and deps.tools:
        tail.append(budget_line(state.get("steps", 0), deps.max_steps))
    if hint:
        tail.append(hint)
    messages: list[BaseMessage] = list(state.get("messages", []))
    if head:
        messages.insert(0, SystemMessage(content="\n\n".join(head)))
    if tail:
        messages.append(HumanMessage(content="\n\n".join(tail), name=CONTEXT_NOTE))
    return messages


def _usage(state: AgentState, message: BaseMessage) -> dict[str, int]:
    total = dict(state.get("usage") or {})
    meta = getattr(message, "usage_metadata", None) or {}
    for key in ("input_tokens", "output_tokens", "total_tokens"):
        value = meta.get(key)
        if isinstance(value, int):
            total[key] = total.get(key, 0) + value
    return total


def _as_ai(message: Any) -> AIMessage:
    if isinstance(message, AIMessage):
        return message
    if isinstance(message, BaseMessage):
        return AIMessage(content=message.content)
    return AIMessage(content=str(message))


def _ensure_ids(message: AIMessage) -> AIMessage:
    """Every call needs an id: results, the journal and approvals are keyed by it."""
    for call in message.tool_calls:
        if not call.get("id"):
            call["id"] = new_call_id()
    for bad in message.invalid_tool_calls:
        if not bad.get("id"):
            bad["id"] = new_call_id()
    return message


def model_node(deps: GraphDeps) -> Runnable[Any, Any]:
    """One model call with the tools bound (the agent's step), then the tool-call guards.

    The calls are reviewed in the same node that produced them: the review is saved in
    the same checkpoint as the calls, so a resumed approval never re-runs the guards (rate
    limits are not counted twice) and no extra super-step is paid per tool round.
    """

    def _prepare(state: AgentState) -> tuple[Runnable[Any, Any], list[BaseMessage]]:
        level = state.get("loop_level", 0)
        if level >= LEVEL_CONSTRAINED:
            return deps.constrained, context_messages(deps, state, hint=CONSTRAINED_HINT)
        return deps.bound, context_messages(deps, state)

    def _update(state: AgentState, config: RunnableConfig, raw: Any) -> dict[str, Any]:
        message = _ensure_ids(_as_ai(raw))
        # Only changed fields are written: each write is a channel update to checkpoint.
        update: dict[str, Any] = {"messages": [message], "steps": state.get("steps", 0) + 1}
        if getattr(message, "usage_metadata", None):
            update["usage"] = _usage(state, message)
        if state.get("pending"):
            update["pending"] = []
        if state.get("loop_level"):
            update["loop_level"] = 0
        if not message.tool_calls and not message.invalid_tool_calls:
            update["answer"] = message_text(message)
            update["status"] = "answered"
            if deps.journal is not None:
                # Results of this turn's tools are in a checkpoint by now.
                deps.journal.clear(thread_id_of(config))
        return update

    review = deps.guarded("tool_call")

    def run(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        runnable, messages = _prepare(state)
        update = _update(state, config, runnable.invoke(messages, config))
        message = update["messages"][0]
        if review and message.tool_calls:
            update.update(check_calls(deps, state, config, message))
        return update

    async def arun(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        runnable, messages = _prepare(state)
        update = _update(state, config, await runnable.ainvoke(messages, config))
        message = update["messages"][0]
        if review and message.tool_calls:
            update.update(await acheck_calls(deps, state, config, message))
        return update

    return make_node("model", run, arun)


def compose_answer(state: Mapping[str, Any], *, looped: bool) -> str:
    """A final answer written from the tool results, for when the model cannot give one."""
    intro = LOOP_INTRO if looped else BUDGET_SPENT_INTRO
    lines = []
    for entry in state.get("tool_log") or []:
        if entry.get("status") != "ok":
            continue
        args = json.dumps(entry.get("args") or {}, ensure_ascii=False, default=str)
        result = " ".join(str(entry.get("result", "")).split())
        if len(result) > 300:
            result = result[:297] + "..."
        lines.append(f"- {entry.get('name')}({args}): {result}")
    if not lines:
        return intro + NO_RESULTS
    return intro + RESULTS_INTRO + "\n" + "\n".join(lines)


def _without_calls(text: str, deps: GraphDeps) -> str:
    """The prose of a reply, minus tool calls the unbound model wrote anyway.

    Without bound tools the chat model does not parse calls, so a model that insists on
    calling shows up here as raw call markup; that is not an answer for the user.
    """
    if not deps.tools or not text:
        return text
    from ...calls import parse_tool_calls

    parsed = parse_tool_calls(text, tools=list(deps.tools.values()))
    if not parsed and not parsed.errors:
        return text
    return parsed.text


def finalize_node(deps: GraphDeps) -> Runnable[Any, Any]:
    """Force a final answer: the model without tools, else one composed from results."""

    def _looped(state: AgentState) -> bool:
        return state.get("loop_level", 0) > 0 and state.get("steps", 0) < deps.max_steps

    def _update(state: AgentState, config: RunnableConfig, raw: Any | None) -> dict[str, Any]:
        if deps.journal is not None:
            deps.journal.clear(thread_id_of(config))  # the turn's results are checkpointed
        text = ""
        if raw is not None:
            message = _as_ai(raw)
            if not message.tool_calls and not message.invalid_tool_calls:
                text = _without_calls(message_text(message), deps).strip()
        if not text:
            text = compose_answer(state, looped=_looped(state))
            # No model produced these words, so no token stream carried them.
            stream_writer()(TokenEvent(text=text, node="finalize"))
        usage = _usage(state, raw) if isinstance(raw, BaseMessage) else state.get("usage", {})
        return {
            "messages": [AIMessage(content=text)],
            "answer": text,
            "status": "budget",
            "usage": usage,
            "pending": [],
        }

    def run(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        messages = context_messages(deps, state, hint=FORCE_FINAL_HINT, budget=False)
        try:
            raw = deps.model.invoke(messages, config)
        except Exception as exc:
            log.warning("finalize: the model failed (%s); composing the answer", exc)
            raw = None
        return _update(state, config, raw)

    async def arun(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        messages = context_messages(deps, state, hint=FORCE_FINAL_HINT, budget=False)
        try:
            raw = await deps.model.ainvoke(messages, config)
        except Exception as exc:
            log.warning("finalize: the model failed (%s); composing the answer", exc)
            raw = None
        return _update(state, config, raw)

    return make_node("finalize", run, arun)
