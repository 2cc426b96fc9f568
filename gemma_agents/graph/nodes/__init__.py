"""The agent graph's nodes, one module per concern; each factory closes over GraphDeps."""

from __future__ import annotations

from ._deps import DEFAULT_SYSTEM_PROMPT, GraphDeps
from .approval import approval_node
from .io import input_node, output_node
from .model import finalize_node, model_node
from .tools import execute_node

__all__ = [
    "DEFAULT_SYSTEM_PROMPT",
    "GraphDeps",
    "approval_node",
    "execute_node",
    "finalize_node",
    "input_node",
    "model_node",
    "output_node",
]
