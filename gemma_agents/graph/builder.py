"""Assemble the agent's ``StateGraph`` from its nodes.

The pipeline, stage by stage::

    input guard -> memory recall -> model -> tool-call guard -> approval -> execute
    -> tool-result guard -> model ... -> output guard -> memory write

maps onto six nodes::

    START -> input -> model -> approve -> execute -> model ... -> output -> END
                              \\-> execute (no approval needed)
    execute -> finalize -> output       (step budget spent, or the loop detector stops)

Stages share a node when nothing can happen between them (each node is a LangGraph
super-step with its own scheduling and checkpoint cost): ``input`` runs the input guard
and recall, ``model`` reviews its own calls with the tool-call guards, ``execute`` guards
each result, ``output`` runs the output guard and the memory write. ``approve`` stays a
node of its own (``interrupt`` re-runs a node from its start), and so does ``execute`` (the
checkpoint before it is what crash recovery resumes from).

Nodes with nothing configured are left out: without guardrails and memory the graph is
``model <-> execute`` plus ``approve`` and ``finalize``, the shape of LangGraph's ReAct
agent. ``graphs/agent.mmd`` holds the full graph's Mermaid drawing; a test keeps it current.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph

from .loop import LEVEL_STOP
from .nodes import (
    GraphDeps,
    approval_node,
    execute_node,
    finalize_node,
    input_node,
    model_node,
    output_node,
)
from .state import AgentState

__all__ = ["build_state_graph"]


def build_state_graph(deps: GraphDeps) -> StateGraph[Any]:
    """The uncompiled graph: add nodes to it, or compile it with your own checkpointer."""
    graph: StateGraph[Any] = StateGraph(AgentState)
    has_memory = deps.memory is not None
    has_input = deps.guarded("input") or has_memory
    has_output = deps.guarded("output") or has_memory

    if has_input:
        graph.add_node("input", input_node(deps))
    graph.add_node("model", model_node(deps))
    graph.add_node("approve", approval_node(deps))
    graph.add_node("execute", execute_node(deps))
    graph.add_node("finalize", finalize_node(deps))
    if has_output:
        graph.add_node("output", output_node(deps))
    answer_path = "output" if has_output else END

    if has_input:
        graph.add_edge(START, "input")
        graph.add_conditional_edges(
            "input",
            lambda s: END if s.get("status") == "blocked" else "model",
            ["model", END],
        )
    else:
        graph.add_edge(START, "model")

    def route_model(state: AgentState) -> str:
        message = state["messages"][-1] if state.get("messages") else None
        if not isinstance(message, AIMessage):
            return answer_path
        if message.tool_calls:
            pending = state.get("pending")
            if pending:  # reviewed by the tool-call guards
                waiting = any(p.get("status") == "approve" for p in pending)
            else:
                waiting = any(deps.needs_approval(c["name"]) for c in message.tool_calls)
            return "approve" if waiting else "execute"
        if message.invalid_tool_calls:
            return "execute"
        return answer_path

    graph.add_conditional_edges("model", route_model, ["approve", "execute", answer_path])
    graph.add_edge("approve", "execute")

    def route_execute(state: AgentState) -> str:
        if state.get("loop_level", 0) >= LEVEL_STOP or state.get("steps", 0) >= deps.max_steps:
            return "finalize"
        return "model"

    graph.add_conditional_edges("execute", route_execute, ["model", "finalize"])
    graph.add_edge("finalize", answer_path)
    if has_output:
        graph.add_edge("output", END)
    return graph
