"""MCP servers as tool sources: a real FastMCP/MCPServer over stdio and streamable HTTP."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("mcp")


from gemma_agents.exceptions import ConfigError, RuntimeUnavailable, ToolExecutionError
from gemma_agents.tools import ToolRegistry, is_untrusted
from gemma_agents.tools.mcp import MCPConnection, MCPServer

SERVER = str(Path(__file__).with_name("mcp_server.py"))
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stdio_connection() -> Iterator[MCPConnection]:
    server = MCPServer(
        "testsrv",
        command=[sys.executable, SERVER],
        requires_approval=["explode"],
        timeout=20,
    )
    with MCPConnection(server) as connection:
        yield connection


def test_stdio_server_tools_become_registry_tools(stdio_connection: MCPConnection) -> None:
    registry = ToolRegistry(stdio_connection.tools())
    assert registry.names() == ["testsrv.add", "testsrv.get_greeting", "testsrv.explode"]
    add = registry["testsrv.add"]
    assert add.source == "mcp:testsrv"
    assert (add.side_effects, add.idempotent, add.untrusted_output) == ("external", False, True)
    assert add.json_schema()["required"] == ["a", "b"]
    assert "mcp" in add.tags and not add.requires_approval
    assert registry["testsrv.explode"].requires_approval
    result = add.run({"a": 2, "b": 40})
    assert result.text == "42" and is_untrusted(result, add)
    greeting = registry["testsrv.get_greeting"]
    assert greeting.run({"name": "Ada"}).text == "Hello, Ada!"  # server-side default applied
    assert greeting.run({"name": "Ada", "punctuation": "?"}).text == "Hello, Ada?"


def test_stdio_errors_and_concurrent_async_calls(stdio_connection: MCPConnection) -> None:
    tools = {t.name: t for t in stdio_connection.tools()}
    with pytest.raises(ToolExecutionError) as info:
        tools["testsrv.explode"].run({"reason": "boom"})
    assert info.value.tool == "testsrv.explode"

    async def many() -> list[str]:
        results = await asyncio.gather(
            *(tools["testsrv.add"].arun({"a": i, "b": i}) for i in range(6))
        )
        return [r.text for r in results]

    assert asyncio.run(many()) == ["0", "2", "4", "6", "8", "10"]


def test_include_exclude_namespace_and_annotations() -> None:
    server = MCPServer(
        "testsrv",
        command=[sys.executable, SERVER],
        namespace="",
        include=["add", "get-*"],
        exclude=["get-greeting"],
        trust_annotations=True,
    )
    with MCPConnection(server) as connection:
        tools = connection.tools()
    assert [t.name for t in tools] == ["add"]
    assert (tools[0].side_effects, tools[0].idempotent) == ("read", True)


def _wait_for_port(port: int, process: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("MCP HTTP server exited early")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError("MCP HTTP server did not start")


def test_streamable_http_server(free_port: int) -> None:
    port = free_port
    process = subprocess.Popen(
        [sys.executable, SERVER, "--http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process, time.monotonic() + 60)
        server = MCPServer(
            "web", url=f"http://127.0.0.1:{port}/mcp", headers={"Authorization": "Bearer t"}
        )
        assert "Bearer" not in repr(server)
        with MCPConnection(server) as connection:
            registry = ToolRegistry(connection.tools())
            assert registry.names() == ["web.add", "web.get_greeting", "web.explode"]
            assert registry["web.add"].run({"a": 20, "b": 22}).text == "42"
            assert registry["web.add"].source == "mcp:web"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_unreachable_servers_fail_clearly(tmp_path: Path, free_port: int) -> None:
    crash = tmp_path / "crash.py"
    crash.write_text(
        "import sys\nsys.stderr.write('cannot start: missing API key\\n')\nsys.exit(3)\n"
    )
    with pytest.raises(RuntimeUnavailable) as info:
        MCPConnection(
            MCPServer("crashy", command=[sys.executable, str(crash)], startup_timeout=20)
        ).start()
    assert "MCP server 'crashy' did not start" in str(info.value)
    assert "missing API key" in str(info.value)
    with pytest.raises(RuntimeUnavailable, match="did not start"):
        MCPConnection(
            MCPServer("down", url=f"http://127.0.0.1:{free_port}/mcp", startup_timeout=5)
        ).start()
    with pytest.raises(ConfigError, match="exactly one of"):
        MCPServer("both", command="x", url="http://127.0.0.1/mcp")
