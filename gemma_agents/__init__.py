"""gemma-agents: agents and tool calling for Google's Gemma models.

Heavy modules (langgraph, chromadb, llama_cpp) load on first use, so ``import
gemma_agents`` stays fast; the public names below resolve lazily.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .exceptions import (
    AgentRuntimeError,
    ConfigError,
    GemmaAgentsError,
    ModelNotFound,
    RuntimeUnavailable,
    UserError,
)

if TYPE_CHECKING:
    from .calls import ToolCall, parse_tool_calls, render_tools
    from .graph import Agent
    from .models import ChatGemma
    from .runtime import get_runtime
    from .tools import Tool, ToolRegistry, tool

__all__ = [
    "Agent",
    "AgentRuntimeError",
    "ChatGemma",
    "ConfigError",
    "GemmaAgentsError",
    "ModelNotFound",
    "RuntimeUnavailable",
    "Tool",
    "ToolCall",
    "ToolRegistry",
    "UserError",
    "__version__",
    "get_runtime",
    "parse_tool_calls",
    "render_tools",
    "tool",
]

_LAZY = {
    "Agent": ".graph",
    "ChatGemma": ".models",
    "Tool": ".tools",
    "ToolCall": ".calls",
    "ToolRegistry": ".tools",
    "get_runtime": ".runtime",
    "parse_tool_calls": ".calls",
    "render_tools": ".calls",
    "tool": ".tools",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gemma_agents' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
