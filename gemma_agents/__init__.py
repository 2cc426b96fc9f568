"""gemma-agents: agents and tool calling for Google's Gemma models.

Heavy modules (langgraph, chromadb, llama_cpp) load on first use, so ``import
gemma_agents`` stays fast; the public names below resolve lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports
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

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals(), __all__)
