"""The agent state machine (LangGraph): :class:`Agent`, its events, results and persistence.

    from gemma_agents.graph import Agent, approve

    agent = Agent("llamacpp:gemma3-270m", tools=[calculator])
    print(agent.invoke("What is 355 divided by 113?").answer)

See :mod:`gemma_agents.graph.builder` for the graph's shape and
:mod:`gemma_agents.graph.journal` for how crash recovery avoids repeating side effects.
"""

from __future__ import annotations

from .agent import Agent, ApprovalPending
from .builder import build_state_graph
from .checkpoint import Persistence, resolve_checkpointer
from .events import (
    AgentEvent,
    ApprovalEvent,
    FinalEvent,
    GuardEvent,
    TokenEvent,
    ToolEndEvent,
    ToolStartEvent,
)
from .journal import JournalEntry, MemoryJournal, PostgresJournal, SqliteJournal, ToolJournal
from .result import AgentResult, PendingApproval, ToolCallRecord, approve, edit, reject
from .state import AgentState

__all__ = [
    "Agent",
    "AgentEvent",
    "AgentResult",
    "AgentState",
    "ApprovalEvent",
    "ApprovalPending",
    "FinalEvent",
    "GuardEvent",
    "JournalEntry",
    "MemoryJournal",
    "PendingApproval",
    "Persistence",
    "PostgresJournal",
    "SqliteJournal",
    "TokenEvent",
    "ToolCallRecord",
    "ToolEndEvent",
    "ToolJournal",
    "ToolStartEvent",
    "approve",
    "build_state_graph",
    "edit",
    "reject",
    "resolve_checkpointer",
]
