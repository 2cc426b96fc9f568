"""Tools: define them (``@tool``, :class:`StatefulTool`), collect them (:class:`ToolRegistry`,
plugins, MCP servers) and ship the first-party packs.

::

    from gemma_agents.tools import ToolRegistry, tool

    @tool
    def add(a: int, b: int) -> int:
        '''Add two integers.

        Args:
            a: First addend.
            b: Second addend.
        '''
        return a + b

    registry = ToolRegistry([add])
    registry.render("gemma3")          # the prompt block declaring the tools

Names that pull in heavier modules (httpx, LangChain, the MCP SDK) load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from ._tool import SideEffects, Tool
from .decorator import function_to_tool, tool
from .defaults import BUILTIN_PACKS, ToolsConfig, default_registry, load_pack
from .plugins import (
    ENTRY_POINT_GROUP,
    PluginError,
    PluginReport,
    builtin_packs_dir,
    load_plugins,
)
from .registry import ToolRegistry, as_tool
from .results import (
    ToolContext,
    ToolInputError,
    ToolResult,
    current_tool_context,
    is_untrusted,
    mark_untrusted,
    result_text,
    use_tool_context,
)
from .stateful import StatefulTool

if TYPE_CHECKING:
    from .langchain_bridge import from_langchain, to_langchain
    from .mcp import MCPConnection, MCPServer, load_mcp_tools
    from .netguard import NetworkPolicy, NetworkPolicyError
    from .sandbox import PathPolicyError, Sandbox

__all__ = [
    "BUILTIN_PACKS",
    "ENTRY_POINT_GROUP",
    "MCPConnection",
    "MCPServer",
    "NetworkPolicy",
    "NetworkPolicyError",
    "PathPolicyError",
    "PluginError",
    "PluginReport",
    "Sandbox",
    "SideEffects",
    "StatefulTool",
    "Tool",
    "ToolContext",
    "ToolInputError",
    "ToolRegistry",
    "ToolResult",
    "ToolsConfig",
    "as_tool",
    "builtin_packs_dir",
    "current_tool_context",
    "default_registry",
    "from_langchain",
    "function_to_tool",
    "is_untrusted",
    "load_mcp_tools",
    "load_pack",
    "load_plugins",
    "mark_untrusted",
    "result_text",
    "to_langchain",
    "tool",
    "use_tool_context",
]

_LAZY = {
    "MCPConnection": ".mcp",
    "MCPServer": ".mcp",
    "NetworkPolicy": ".netguard",
    "NetworkPolicyError": ".netguard",
    "PathPolicyError": ".sandbox",
    "Sandbox": ".sandbox",
    "from_langchain": ".langchain_bridge",
    "load_mcp_tools": ".mcp",
    "to_langchain": ".langchain_bridge",
}

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals(), __all__)
