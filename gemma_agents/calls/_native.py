"""The ``native`` dialect: calls the server already parsed (Ollama, OpenAI-compatible).

Ollama returns ``message.tool_calls`` with ``arguments`` as an object; OpenAI-compatible
servers send ``arguments`` as a JSON string. :func:`from_native` turns either (dicts or the
``ollama`` client's objects, or LangChain tool-call dicts) into :class:`ToolCall` values.
When a server fails to parse a call, the raw markup lands in the message text, so
:meth:`NativeDialect.parse` falls back to detecting a text dialect.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._base import Dialect, register_dialect
from ._scan import result_text
from ._spec import ToolLike
from ._types import ParsedCalls, ToolCall

__all__ = ["NativeDialect", "from_native"]


def _get(obj: Any, key: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


def from_native(tool_calls: Iterable[Any] | None) -> ParsedCalls:
    """Convert server-side tool calls into :class:`ToolCall` values (dialect ``native``).

    Accepts Ollama ``{"function": {"name", "arguments": {...}}}``, OpenAI
    ``{"id", "type": "function", "function": {"name", "arguments": "<json>"}}``, the
    ``ollama`` client's ``Message.ToolCall`` objects and LangChain ``{"name", "args", "id"}``.
    Entries that cannot be used go to ``.errors`` instead of raising.
    """
    calls: list[ToolCall] = []
    errors: list[tuple[str, str]] = []
    for item in tool_calls or ():
        function = _get(item, "function")
        source = function if function is not None and not isinstance(function, str) else item
        name = _get(source, "name")
        args = _get(source, "arguments")
        if args is None:
            args = _get(source, "args")
        raw = _raw(item)
        if not isinstance(name, str) or not name:
            errors.append((raw, "native tool call without a function name"))
            continue
        if isinstance(args, str):
            try:
                args = json.loads(args) if args.strip() else {}
            except ValueError as exc:
                errors.append((raw, f"{name}: arguments are not valid JSON ({exc})"))
                continue
        if args is None:
            args = {}
        if not isinstance(args, Mapping):
            errors.append((raw, f"{name}: arguments must be an object, got {type(args).__name__}"))
            continue
        call_id = _get(item, "id")
        extra = {"id": str(call_id)} if call_id else {}
        calls.append(ToolCall(name=name, arguments=dict(args), dialect="native", raw=raw, **extra))
    return ParsedCalls(calls, errors=errors, dialect="native" if (calls or errors) else None)


def _raw(item: Any) -> str:
    if isinstance(item, Mapping):
        try:
            return json.dumps(item, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            return repr(item)
    dump = getattr(item, "model_dump_json", None)
    return str(dump()) if callable(dump) else repr(item)


class NativeDialect(Dialect):
    """Server-parsed calls; text parsing falls back to auto-detection."""

    name = "native"
    result_role = "tool"
    system_role = "system"
    stop = ()
    explicit = False
    priority = 1000

    def parse(self, text: str, tools: Sequence[ToolLike] | None = None) -> ParsedCalls:
        from ._api import parse_tool_calls

        return parse_tool_calls(text, tools, "auto")

    def render_tools(self, tools: Sequence[ToolLike]) -> str:
        return ""  # the tools travel in the request's ``tools`` field

    def render_calls(self, calls: Sequence[ToolCall]) -> str:
        return json.dumps(
            [{"name": c.name, "arguments": c.arguments} for c in calls], ensure_ascii=False
        )

    def render_tool_result(self, name: str, result: Any, call_id: str | None = None) -> str:
        return result_text(result)


register_dialect(NativeDialect())
