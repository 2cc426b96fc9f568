"""The compiled graph's shape is reviewed as a diff: graphs/agent.mmd is its snapshot.

Regenerate after an intended change with ``UPDATE_SNAPSHOTS=1 pytest tests/graph``.
"""

from __future__ import annotations

import os
from pathlib import Path

from gemma_agents.graph import Agent
from gemma_agents.memory import HashingEmbedder, InMemoryMemory
from gemma_agents.testing import ScriptedGemma
from gemma_agents.tools import tool

SNAPSHOT = Path(__file__).resolve().parents[2] / "graphs" / "agent.mmd"


@tool
def noop() -> str:
    """Do nothing."""
    return ""


def full_graph_mermaid() -> str:
    """The graph with every optional node present: default guardrails and a memory."""
    agent = Agent(ScriptedGemma(["x"]), tools=[noop], memory=InMemoryMemory(HashingEmbedder()))
    return agent.graph.get_graph().draw_mermaid()


def test_graph_matches_snapshot() -> None:
    current = full_graph_mermaid()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not SNAPSHOT.exists():
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert current == SNAPSHOT.read_text(encoding="utf-8"), (
        "the agent graph changed; review it and run UPDATE_SNAPSHOTS=1 pytest "
        "tests/graph/test_graph_snapshot.py"
    )


def test_optional_nodes_follow_the_configuration() -> None:
    bare = Agent(ScriptedGemma(["x"]), tools=[noop], guardrails=False)
    nodes = set(bare.graph.get_graph().nodes)
    assert nodes == {"__start__", "__end__", "model", "approve", "execute", "finalize"}
    full = set(
        Agent(ScriptedGemma(["x"]), tools=[noop], memory=InMemoryMemory(HashingEmbedder()))
        .graph.get_graph()
        .nodes
    )
    assert full - nodes == {"input", "output"}
