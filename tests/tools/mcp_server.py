"""A tiny real MCP server for the MCP client tests.

Run over stdio (``python mcp_server.py``) or streamable HTTP
(``python mcp_server.py --http PORT``). Works with mcp 2.x (``MCPServer``) and 1.x
(``FastMCP``).
"""

from __future__ import annotations

import sys

from mcp.types import ToolAnnotations

try:
    from mcp.server.mcpserver import MCPServer as _Server
except ImportError:  # mcp 1.x
    from mcp.server.fastmcp import FastMCP as _Server

server = _Server("testsrv")


@server.tool(annotations=ToolAnnotations(readOnlyHint=True, idempotentHint=True))
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool(name="get-greeting")
def greeting(name: str, punctuation: str = "!") -> str:
    """Greet someone by name."""
    return f"Hello, {name}{punctuation}"


@server.tool()
def explode(reason: str) -> str:
    """Always fails, to test error propagation."""
    raise ValueError(f"exploded: {reason}")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--http":
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run()
