"""Long-term memory nodes: recall before the first model call, write after the answer.

Memory helps but never decides whether a turn succeeds: a failing store (server down,
embedder mismatch) is logged and the turn goes on without it. Recalled memories enter the
context message as a fenced data block (formatted by
:func:`gemma_agents.memory.recall`), scoped to the turn's user. The episode written at
the end is a deterministic summary of question, tools and answer, passed through the
redactor first (the guardrails' PII redaction when guardrails are on), so secrets a user
typed are not kept.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from langchain_core.runnables import Runnable, RunnableConfig

from ..state import AgentState, last_user_text
from ._deps import GraphDeps, make_node, thread_id_of

__all__ = ["recall_node", "remember_node"]

log = logging.getLogger(__name__)


def recall_node(deps: GraphDeps) -> Runnable[Any, Any]:
    """Look up the user's memories relevant to the latest message."""
    assert deps.memory is not None
    store = deps.memory

    def run(state: AgentState) -> dict[str, Any]:
        from ...memory.recall import recall

        query = last_user_text(state)
        if not query.strip():
            return {"memory_block": None}
        try:
            result = recall(
                store,
                query,
                user=state.get("user_id") or "default",
                k=deps.recall_k,
                threshold=deps.recall_threshold,
                token_budget=deps.recall_token_budget,
            )
        except Exception as exc:
            log.warning("memory recall failed, continuing without memories: %s", exc)
            return {"memory_block": None}
        return {"memory_block": result.block}

    async def arun(state: AgentState) -> dict[str, Any]:
        return await asyncio.to_thread(run, state)

    return make_node("recall", run, arun)


def remember_node(deps: GraphDeps) -> Runnable[Any, Any]:
    """Store a summary of the finished turn as an episode memory."""
    assert deps.memory is not None
    store = deps.memory

    def run(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        from ...memory.recall import summarize_episode

        if state.get("status") == "blocked":
            return {}
        calls = [
            {"name": e.get("name"), "arguments": e.get("args") or {}}
            for e in state.get("tool_log") or []
            if e.get("status") == "ok"
        ]
        summary = summarize_episode(last_user_text(state), state.get("answer") or "", calls)
        try:
            if deps.redactor is not None:
                summary = deps.redactor(summary)
            store.add(
                summary,
                user=state.get("user_id") or "default",
                kind="episode",
                thread=thread_id_of(config) or None,
                source="agent",
            )
        except Exception as exc:
            log.warning("memory write failed, the answer is unaffected: %s", exc)
        return {}

    async def arun(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        return await asyncio.to_thread(run, state, config)

    return make_node("remember", run, arun)
