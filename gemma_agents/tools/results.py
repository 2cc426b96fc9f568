"""What tools hand back, and the per-call context they can read.

Two concerns live here because every tool pack needs both:

* :class:`ToolResult` carries a result *and* where it came from. Text fetched from the web or
  read from a file was written by someone other than the user, so it is marked untrusted and
  the graph and the guardrails fence it as data (a prompt-injection defence) instead of
  letting it read like instructions.
* :class:`ToolContext` tells a tool who it is working for (user, thread, channel) without
  putting those in the model-visible arguments, where the model could forge them. The agent
  sets it around each tool run with :func:`use_tool_context`; ``asyncio`` tasks and
  ``asyncio.to_thread`` copy it, so sync and async tools both see it.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import ToolExecutionError

__all__ = [
    "ToolContext",
    "ToolInputError",
    "ToolResult",
    "current_tool_context",
    "is_untrusted",
    "mark_untrusted",
    "result_text",
    "use_tool_context",
]


class ToolInputError(ToolExecutionError):
    """The arguments matched the schema but make no sense (unknown zone, path outside root).

    The message is written for the model: it says what was wrong and what to send instead,
    so the agent shows it as a correctable tool error rather than a crash. The hint is
    folded into ``message`` because that is the part the agent shows the model.
    """

    def __init__(self, tool: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(tool, f"{message}; {hint}" if hint else message)
        self.hint = hint


@dataclass(frozen=True)
class ToolResult:
    """A tool's result plus its provenance.

    Attributes:
        content: The result: text, or a JSON-able value.
        untrusted: The content was written by a third party (web page, file, MCP server)
            and must be treated as data, never as instructions.
        source: Where it came from (``https://...``, ``file:notes/a.txt``, ``mcp:server``).
        truncated: The content was cut at a size cap (the text says so too).
        metadata: Extra facts for callers (status code, content type, byte counts).
    """

    content: Any
    untrusted: bool = False
    source: str | None = None
    truncated: bool = False
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The content as text: strings as-is, everything else as indented JSON."""
        return result_text(self.content)

    def __str__(self) -> str:
        return self.text


def mark_untrusted(text: Any, source: str | None = None, **metadata: Any) -> ToolResult:
    """Wrap ``text`` as third-party content that must be fenced before the model reads it."""
    return ToolResult(content=text, untrusted=True, source=source, metadata=dict(metadata))


def is_untrusted(result: Any, tool: Any | None = None) -> bool:
    """Whether ``result`` (from ``tool``) must be fenced as untrusted data.

    True when the result is a :class:`ToolResult` marked untrusted, or when the tool
    declares ``untrusted_output``; a tool's flag cannot be switched off by a result.
    """
    if isinstance(result, ToolResult) and result.untrusted:
        return True
    return bool(getattr(tool, "untrusted_output", False))


def result_text(value: Any) -> str:
    """Render any tool return value as the text the model reads."""
    if isinstance(value, ToolResult):
        return value.text
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


@dataclass(frozen=True)
class ToolContext:
    """Who a tool call is made for; set by the agent, never by the model.

    Attributes:
        user_id: The end user (memory tools namespace by it).
        thread_id: The conversation.
        channel: Where the request came from (``cli``, ``slack``, ...).
        extra: Anything else the host application wants tools to see.
    """

    user_id: str = "default"
    thread_id: str | None = None
    channel: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


_CONTEXT: contextvars.ContextVar[ToolContext | None] = contextvars.ContextVar(
    "gemma_agents_tool_context", default=None
)


def current_tool_context() -> ToolContext:
    """The context of the tool call in progress (a default one outside any agent run)."""
    return _CONTEXT.get() or ToolContext()


@contextmanager
def use_tool_context(context: ToolContext | None = None, /, **fields: Any) -> Iterator[ToolContext]:
    """Set the tool context for the duration of a ``with`` block.

    Args:
        context: A ready context; or pass its fields as keywords (``user_id="u1"``).
        **fields: Fields of :class:`ToolContext` when ``context`` is not given.
    """
    value = context if context is not None else ToolContext(**fields)
    token = _CONTEXT.set(value)
    try:
        yield value
    finally:
        _CONTEXT.reset(token)
