"""Tools from Model Context Protocol servers (needs the ``mcp`` extra).

An :class:`MCPConnection` starts (stdio) or reaches (streamable HTTP) one server, lists its
tools and turns each into a registry :class:`Tool`: the server's ``inputSchema`` is what the
model sees and (through :func:`gemma_agents.schema.model_from_json_schema`) what validates
the arguments before they are sent.

The MCP session lives on its own thread and event loop. Tools may be called from any thread
or loop (``Tool.run`` makes a fresh loop per call; the agent graph has its own), and an MCP
session is bound to the loop that opened it, so calls are handed to that loop and awaited
from wherever the caller is.

Risk metadata is conservative: a server is third-party code, so its tools are
``side_effects="external"``, not idempotent, and their output is untrusted. The tool
*annotations* a server sends (``readOnlyHint``...) are claims, not guarantees; they are used
only when ``trust_annotations=True``.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import fnmatch
import json
import shlex
import tempfile
import threading
import weakref
from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError, RuntimeUnavailable, ToolExecutionError
from ._tool import SideEffects, Tool
from .decorator import check_tool_name, clean_schema
from .langchain_bridge import model_for_schema, sanitize_name
from .results import ToolResult

__all__ = ["MCPConnection", "MCPServer", "load_mcp_tools"]

_OPEN: weakref.WeakSet[MCPConnection] = weakref.WeakSet()


@dataclass
class MCPServer:
    """How to reach one MCP server, and how much to trust it.

    Attributes:
        name: Short name; the default namespace (``name.tool``) and ``source`` (``mcp:name``).
        command: Start the server and talk over stdio (argv list or a shell-like string).
        url: Or connect to a streamable HTTP endpoint (``http://127.0.0.1:8000/mcp``).
        env: Extra environment for a stdio server.
        cwd: Working directory for a stdio server.
        headers: HTTP headers (e.g. authorization) for a URL server; never logged.
        namespace: Prefix for tool names; ``None`` uses ``name``, ``""`` none.
        include: Only tools whose server-side names match these globs.
        exclude: Drop tools matching these globs.
        requires_approval: ``True`` for all tools, or globs of server-side tool names.
        side_effects: Risk class given to every tool.
        untrusted_output: Fence results as third-party data.
        trust_annotations: Derive side effects / idempotency from the server's hints.
        timeout: Seconds per tool call.
        startup_timeout: Seconds to start and initialise the session.
    """

    name: str
    command: Sequence[str] | str | None = None
    url: str | None = None
    env: Mapping[str, str] | None = None
    cwd: str | Path | None = None
    headers: Mapping[str, str] | None = field(default=None, repr=False)
    namespace: str | None = None
    include: Sequence[str] | None = None
    exclude: Sequence[str] = ()
    requires_approval: bool | Sequence[str] = False
    side_effects: SideEffects = "external"
    untrusted_output: bool = True
    trust_annotations: bool = False
    timeout: float = 30.0
    startup_timeout: float = 30.0

    def __post_init__(self) -> None:
        if (self.command is None) == (self.url is None):
            raise ConfigError(
                f"MCP server {self.name!r}: give exactly one of command= (stdio) or url= (HTTP)"
            )
        check_tool_name(sanitize_name(self.name))

    @property
    def prefix(self) -> str:
        return sanitize_name(self.name) if self.namespace is None else self.namespace


class MCPConnection:
    """A live session with one MCP server; use as a context manager or call :meth:`close`."""

    def __init__(self, server: MCPServer) -> None:
        self.server = server
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._session: Any = None
        self._listed: list[Any] = []
        # Server stderr goes to a temp file, quoted in start-up errors (closed in close()).
        self._stderr = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")  # noqa: SIM115

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> MCPConnection:
        """Connect and initialise (blocking).

        Raises:
            RuntimeUnavailable: the ``mcp`` extra is missing or the server did not start.
        """
        if self._thread is not None:
            return self
        _require_mcp()
        self._thread = threading.Thread(
            target=self._thread_main, name=f"mcp-{self.server.name}", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(self.server.startup_timeout + 5) or self._error is not None:
            detail = _one_line(self._error) if self._error else "timed out"
            detail += self._stderr_tail()
            self.close()
            raise RuntimeUnavailable(
                f"MCP server {self.server.name!r} did not start: {detail}",
                hint="check the command/URL; run the server by hand to see its errors",
            )
        _OPEN.add(self)
        return self

    def close(self) -> None:
        """End the session (and stop a stdio server process)."""
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._stderr.close()
        _OPEN.discard(self)

    def __enter__(self) -> MCPConnection:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- tools -------------------------------------------------------------------------------

    def tools(self) -> list[Tool]:
        """The server's tools as registry tools (filtered by include/exclude)."""
        self.start()
        out: list[Tool] = []
        for remote in self._listed:
            remote_name = str(remote.name)
            if self.server.include is not None and not _match(remote_name, self.server.include):
                continue
            if _match(remote_name, self.server.exclude):
                continue
            out.append(self._make_tool(remote))
        return out

    async def acall(
        self, name: str, arguments: Mapping[str, Any], *, label: str | None = None
    ) -> ToolResult:
        """Call server-side tool ``name`` from any event loop (``label`` names it in errors)."""
        future = self._submit(name, arguments, label or name)
        return await asyncio.wrap_future(future)

    def call(
        self, name: str, arguments: Mapping[str, Any], *, label: str | None = None
    ) -> ToolResult:
        """Call server-side tool ``name`` from synchronous code."""
        return self._submit(name, arguments, label or name).result(timeout=self.server.timeout + 5)

    # -- internals ---------------------------------------------------------------------------

    def _submit(
        self, name: str, arguments: Mapping[str, Any], label: str
    ) -> concurrent.futures.Future[ToolResult]:
        if self._loop is None or self._session is None or self._loop.is_closed():
            raise ToolExecutionError(label, f"MCP server {self.server.name!r} is not connected")
        return asyncio.run_coroutine_threadsafe(
            self._call(name, dict(arguments), label), self._loop
        )

    async def _call(self, name: str, arguments: dict[str, Any], label: str) -> ToolResult:
        import anyio

        with anyio.fail_after(self.server.timeout):
            result = await self._session.call_tool(name, arguments)
        text = _content_text(result)
        if _field(result, "is_error", "isError"):
            raise ToolExecutionError(label, text or "the MCP server reported an error")
        return ToolResult(
            content=text,
            untrusted=self.server.untrusted_output,
            source=f"mcp:{self.server.name}",
        )

    def _make_tool(self, remote: Any) -> Tool:
        remote_name = str(remote.name)
        local = sanitize_name(remote_name)
        if self.server.prefix:
            local = f"{self.server.prefix}.{local}"
        check_tool_name(local)
        schema = dict(_field(remote, "input_schema", "inputSchema") or {})
        schema.pop("$schema", None)
        schema.setdefault("type", "object")
        schema.setdefault("properties", {})
        model = model_for_schema(local, schema)
        required = set(schema.get("required") or ())
        side_effects, idempotent = self.server.side_effects, False
        hints = _field(remote, "annotations", "annotations")
        if self.server.trust_annotations and hints is not None:
            if _field(hints, "read_only_hint", "readOnlyHint"):
                side_effects = "read"
            idempotent = bool(_field(hints, "idempotent_hint", "idempotentHint"))
        approval = self.server.requires_approval
        needs_approval = approval if isinstance(approval, bool) else _match(remote_name, approval)

        async def call(**kwargs: Any) -> ToolResult:
            # Optional properties the model left out come back as None from the validator;
            # send only what was given so the server applies its own defaults.
            args = {k: v for k, v in kwargs.items() if v is not None or k in required}
            return await self.acall(remote_name, args, label=local)

        return Tool(
            name=local,
            description=(remote.description or "").strip() or f"{remote_name} (MCP tool)",
            args_model=model,
            fn=call,
            side_effects=side_effects,
            requires_approval=needs_approval,
            timeout=self.server.timeout + 5,
            idempotent=idempotent,
            tags=frozenset({"mcp", f"mcp:{self.server.name}"}),
            untrusted_output=self.server.untrusted_output,
            source=f"mcp:{self.server.name}",
            parameters_schema=clean_schema(schema),
        )

    def _thread_main(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # surfaced by start()
            self._error = self._error or exc
        finally:
            self._ready.set()

    async def _main(self) -> None:
        import anyio
        from mcp import ClientSession

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            async with AsyncExitStack() as stack:
                # Contexts are entered outside the timeout scope: anyio scopes must exit in
                # the order they were entered, and these stay open until close().
                read, write = await self._open_transport(stack)
                session = await stack.enter_async_context(ClientSession(read, write))
                with anyio.fail_after(self.server.startup_timeout):
                    await session.initialize()
                    self._listed = await _list_tools(session)
                self._session = session
                self._ready.set()
                await self._stop.wait()
        except BaseException as exc:
            self._error = exc
            raise
        finally:
            self._session = None

    async def _open_transport(self, stack: AsyncExitStack) -> tuple[Any, Any]:
        server = self.server
        if server.command is not None:
            from mcp import StdioServerParameters
            from mcp.client.stdio import stdio_client

            argv = (
                shlex.split(server.command)
                if isinstance(server.command, str)
                else list(server.command)
            )
            params = StdioServerParameters(
                command=argv[0],
                args=argv[1:],
                env=dict(server.env) if server.env else None,
                cwd=str(server.cwd) if server.cwd else None,
            )
            streams = await stack.enter_async_context(stdio_client(params, errlog=self._stderr))
            return streams[0], streams[1]
        assert server.url is not None
        headers = dict(server.headers or {})
        try:  # mcp >= 1.2x / 2.x
            from mcp.client.streamable_http import streamable_http_client
            from mcp.shared._httpx_utils import create_mcp_http_client

            client = create_mcp_http_client(headers=headers or None)
            await stack.enter_async_context(client)
            streams = await stack.enter_async_context(
                streamable_http_client(server.url, http_client=client)
            )
        except ImportError:  # older 1.x
            from mcp.client.streamable_http import (  # type: ignore[attr-defined]
                streamablehttp_client,
            )

            streams = await stack.enter_async_context(
                streamablehttp_client(server.url, headers=headers)
            )
        return streams[0], streams[1]

    def _stderr_tail(self) -> str:
        try:
            self._stderr.seek(0)
            lines = [ln for ln in self._stderr.read().splitlines() if ln.strip()]
        except (ValueError, OSError):
            return ""
        return ("\n  server stderr: " + " | ".join(lines[-3:])) if lines else ""


def load_mcp_tools(server: MCPServer | None = None, /, **options: Any) -> list[Tool]:
    """Connect to a server and return its tools; the connection stays open until exit.

    Use :class:`MCPConnection` directly to control when the session (and a stdio server
    process) ends.
    """
    config = server if server is not None else MCPServer(**options)
    return MCPConnection(config).start().tools()


async def _list_tools(session: Any) -> list[Any]:
    result = await session.list_tools()
    tools = list(result.tools)
    for _page in range(100):
        cursor = _field(result, "next_cursor", "nextCursor")
        if not cursor:
            break
        try:
            import mcp.types as mcp_types

            result = await session.list_tools(
                params=mcp_types.PaginatedRequestParams(cursor=cursor)
            )
        except TypeError:  # older clients take the cursor directly
            result = await session.list_tools(cursor=cursor)
        tools.extend(result.tools)
    return tools


def _content_text(result: Any) -> str:
    parts: list[str] = []
    for block in _field(result, "content", "content") or []:
        kind = getattr(block, "type", "")
        if kind == "text":
            parts.append(str(block.text))
        elif kind == "resource":
            resource = block.resource
            text = getattr(resource, "text", None)
            parts.append(str(text) if text is not None else f"[binary resource {resource.uri}]")
        elif kind == "resource_link":
            parts.append(f"[resource {block.uri}]")
        else:
            mime = _field(block, "mime_type", "mimeType") or "unknown"
            parts.append(f"[{kind or 'content'} of type {mime} not shown]")
    structured = _field(result, "structured_content", "structuredContent")
    if not parts and structured is not None:
        parts.append(json.dumps(structured, indent=2, ensure_ascii=False, default=str))
    return "\n".join(parts)


def _field(obj: Any, new: str, old: str) -> Any:
    value = getattr(obj, new, None)
    return value if value is not None else getattr(obj, old, None)


def _match(name: str, globs: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, g) for g in globs)


def _one_line(exc: BaseException) -> str:
    inner: BaseException = exc
    while isinstance(inner, BaseExceptionGroup) and inner.exceptions:
        inner = inner.exceptions[0]
    text = str(inner).strip().splitlines()
    return f"{type(inner).__name__}: {text[0]}" if text else type(inner).__name__


def _require_mcp() -> None:
    try:
        import mcp  # noqa: F401
    except ImportError as exc:
        raise RuntimeUnavailable(
            "MCP support needs the 'mcp' extra",
            hint="pip install 'gemma-agents[mcp]'",
        ) from exc


@atexit.register
def _close_all() -> None:
    for connection in list(_OPEN):
        with contextlib.suppress(Exception):
            connection.close()
