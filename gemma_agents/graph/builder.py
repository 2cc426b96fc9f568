"""Assemble the agent's ``StateGraph`` from its nodes.

The topology follows the configuration: nodes for stages nobody guards, and memory nodes
without a memory store, are left out rather than run as no-ops, because every node is a
super-step with its own checkpoint write. The full graph (guards on, memory on) is::

    START -> input_guard -> recall -> model
    model -> guard_calls -> approve -> execute -> model      (tool calls)
    model -> output_guard -> remember -> END                 (answer)
    execute -> finalize -> output_guard                      (budget spent / loop)

``graphs/agent.mmd`` holds its Mermaid drawing; a test keeps it current.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph

from .loop import LEVEL_STOP
from .nodes import (
    GraphDeps,
    approval_node,
    call_guard_node,
    execute_node,
    finalize_node,
    input_guard_node,
    model_node,
    output_guard_node,
    recall_node,
    remember_node,
)
from .state import AgentState

__all__ = ["build_state_graph"]


def build_state_graph(deps: GraphDeps) -> StateGraph[Any]:
    """The uncompiled graph: add nodes to it, or compile it with your own checkpointer."""
    graph: StateGraph[Any] = StateGraph(AgentState)
    has_input = deps.guarded("input")
    has_calls = deps.guarded("tool_call")
    has_output = deps.guarded("output")
    has_memory = deps.memory is not None

    if has_input:
        graph.add_node("input_guard", input_guard_node(deps))
    if has_memory:
        graph.add_node("recall", recall_node(deps))
        graph.add_node("remember", remember_node(deps))
    graph.add_node("model", model_node(deps))
    if has_calls:
        graph.add_node("guard_calls", call_guard_node(deps))
    graph.add_node("approve", approval_node(deps))
    graph.add_node("execute", execute_node(deps))
    graph.add_node("finalize", finalize_node(deps))
    if has_output:
        graph.add_node("output_guard", output_guard_node(deps))

    after_recall = "model"
    after_input = "recall" if has_memory else after_recall
    answer_path = "output_guard" if has_output else ("remember" if has_memory else END)

    graph.add_edge(START, "input_guard" if has_input else after_input)
    if has_input:
        graph.add_conditional_edges(
            "input_guard",
            lambda s: END if s.get("status") == "blocked" else after_input,
            [after_input, END],
        )
    if has_memory:
        graph.add_edge("recall", after_recall)

    call_path = "guard_calls" if has_calls else None

    def route_model(state: AgentState) -> str:
        message = state["messages"][-1] if state.get("messages") else None
        if not isinstance(message, AIMessage):
            return answer_path
        if message.tool_calls:
            if call_path:
                return call_path
            if any(deps.needs_approval(c["name"]) for c in message.tool_calls):
                return "approve"
            return "execute"
        if message.invalid_tool_calls:
            return "execute"
        return answer_path

    model_targets = [t for t in (call_path, "approve", "execute", answer_path) if t]
    graph.add_conditional_edges("model", route_model, list(dict.fromkeys(model_targets)))
    if has_calls:
        graph.add_conditional_edges(
            "guard_calls",
            lambda s: (
                "approve"
                if any(p.get("status") == "approve" for p in s.get("pending") or [])
                else "execute"
            ),
            ["approve", "execute"],
        )
    graph.add_edge("approve", "execute")

    def route_execute(state: AgentState) -> str:
        if state.get("loop_level", 0) >= LEVEL_STOP or state.get("steps", 0) >= deps.max_steps:
            return "finalize"
        return "model"

    graph.add_conditional_edges("execute", route_execute, ["model", "finalize"])
    graph.add_edge("finalize", answer_path)
    if has_output:
        if has_memory:
            graph.add_conditional_edges(
                "output_guard",
                lambda s: END if s.get("status") == "blocked" else "remember",
                ["remember", END],
            )
        else:
            graph.add_edge("output_guard", END)
    if has_memory:
        graph.add_edge("remember", END)
    return graph
