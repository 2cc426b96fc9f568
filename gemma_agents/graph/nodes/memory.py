"""Long-term memory stages: recall before the first model call, write after the answer.

Memory helps but never decides whether a turn succeeds: a failing store (server down,
embedder mismatch) is logged and the turn goes on without it. Recalled memories enter the
context message as a fenced data block (formatted by
:func:`gemma_agents.memory.recall`), scoped to the turn's user. The episode written at
the end is a deterministic summary of question, tools and answer, passed through the
redactor first (the guardrails' PII redaction when guardrails are on), so secrets a user
typed are not kept.
"""

from __future__ import annotations

import logging
from typing import Any

from langchain_core.runnables import RunnableConfig

from ..state import AgentState, last_user_text
from ._deps import GraphDeps, thread_id_of

__all__ = ["recall_update", "remember_turn"]

log = logging.getLogger(__name__)


def recall_update(deps: GraphDeps, state: AgentState) -> dict[str, Any]:
    """The ``memory_block`` for this turn (``None`` when nothing relevant or on failure)."""
    from ...memory.recall import recall

    assert deps.memory is not None
    query = last_user_text(state)
    if not query.strip():
        return {"memory_block": None}
    try:
        result = recall(
            deps.memory,
            query,
            user=state.get("user_id") or "default",
            k=deps.recall_k,
            threshold=deps.recall_threshold,
            token_budget=deps.recall_token_budget,
        )
    except Exception as exc:
        log.warning("memory recall failed, continuing without memories: %s", exc)
        return {"memory_block": None}
    if result.block is None and state.get("memory_block") is None:
        return {}
    return {"memory_block": result.block}


def remember_turn(deps: GraphDeps, state: AgentState, config: RunnableConfig) -> None:
    """Store a summary of the finished turn as an episode memory (not for blocked turns)."""
    from ...memory.recall import summarize_episode

    assert deps.memory is not None
    if state.get("status") == "blocked":
        return
    calls = [
        {"name": e.get("name"), "arguments": e.get("args") or {}}
        for e in state.get("tool_log") or []
        if e.get("status") == "ok"
    ]
    summary = summarize_episode(last_user_text(state), state.get("answer") or "", calls)
    try:
        if deps.redactor is not None:
            summary = deps.redactor(summary)
        deps.memory.add(
            summary,
            user=state.get("user_id") or "default",
            kind="episode",
            thread=thread_id_of(config) or None,
            source="agent",
        )
    except Exception as exc:
        log.warning("memory write failed, the answer is unaffected: %s", exc)
