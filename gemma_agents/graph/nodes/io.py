"""The ``input`` and ``output`` nodes: the stages around the model loop.

``input`` = input guard, then memory recall (skipped when the input is blocked).
``output`` = output guard, then the episode write (skipped when the answer is blocked).
Each pair shares one node because every node is a LangGraph super-step with its own
checkpoint write and scheduling cost, and neither pair has a reason to pause between its
stages. Only the stages that are configured run; a node with none is not in the graph.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.runnables import Runnable, RunnableConfig
from langgraph.graph.message import add_messages

from ..state import AgentState
from ._deps import GraphDeps, make_node
from .guards import acheck_input, acheck_output, check_input, check_output
from .memory import recall_update, remember_turn

__all__ = ["input_node", "output_node"]


def _merged(state: AgentState, update: dict[str, Any]) -> AgentState:
    """The state as the next stage of the same node sees it."""
    if not update:
        return state
    view: dict[str, Any] = {**state, **update}
    if "messages" in update:
        old: list[Any] = list(state.get("messages", []))
        view["messages"] = add_messages(old, update["messages"])
    return view  # type: ignore[return-value]


def input_node(deps: GraphDeps) -> Runnable[Any, Any]:
    """Input guard (if configured) then memory recall (if configured)."""
    guarded, remembering = deps.guarded("input"), deps.memory is not None

    def run(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        update = check_input(deps, state, config) if guarded else {}
        if remembering and update.get("status") != "blocked":
            update.update(recall_update(deps, _merged(state, update)))
        return update

    async def arun(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        update = await acheck_input(deps, state, config) if guarded else {}
        if remembering and update.get("status") != "blocked":
            update.update(await asyncio.to_thread(recall_update, deps, _merged(state, update)))
        return update

    return make_node("input", run, arun)


def output_node(deps: GraphDeps) -> Runnable[Any, Any]:
    """Output guard (if configured) then the episode write (if configured)."""
    guarded, remembering = deps.guarded("output"), deps.memory is not None

    def run(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        update = check_output(deps, state, config) if guarded else {}
        if remembering:
            remember_turn(deps, _merged(state, update), config)
        return update

    async def arun(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        update = await acheck_output(deps, state, config) if guarded else {}
        if remembering:
            await asyncio.to_thread(remember_turn, deps, _merged(state, update), config)
        return update

    return make_node("output", run, arun)
