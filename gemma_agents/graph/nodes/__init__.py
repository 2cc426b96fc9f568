"""The agent graph's nodes, one module per concern; each factory closes over GraphDeps."""

from __future__ import annotations

from ._deps import DEFAULT_SYSTEM_PROMPT, GraphDeps
from .approval import approval_node
from .guards import call_guard_node, input_guard_node, output_guard_node
from .memory import recall_node, remember_node
from .model import finalize_node, model_node
from .tools import execute_node

__all__ = [
    "DEFAULT_SYSTEM_PROMPT",
    "GraphDeps",
    "approval_node",
    "call_guard_node",
    "execute_node",
    "finalize_node",
    "input_guard_node",
    "model_node",
    "output_guard_node",
    "recall_node",
    "remember_node",
]
