"""The ``json`` dialect: ``{"name": ..., "parameters": {...}}`` objects, Google's JSON variant.

Calls may be bare, in a list, in a ```` ```json ```` fence or embedded in prose; the parser
decodes every JSON value in the text with the real decoder and keeps the call-shaped ones.
Ordinary JSON (a data sample, a schema, a tool declaration) is left alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ._base import Dialect, register_dialect
from ._jsoncall import NotACall, call_from_json, is_call_shaped
from ._scan import find_fences, iter_json_values, remove_spans, result_text
from ._spec import ToolLike, resolve_name, tool_specs, unknown_tool_feedback
from ._types import ParsedCalls, ToolCall, ToolSpec

__all__ = ["JsonDialect", "parse_json_calls"]

JSON_INSTRUCTION = (
    "You have access to functions. If you decide to invoke any of the function(s),\n"
    "you MUST put it in the format of\n"
    '{"name": function name, "parameters": dictionary of argument name and its value}\n'
    "\n"
    "You SHOULD NOT include any other text in the response if you call a function\n"
)


def parse_json_calls(text: str, specs: list[ToolSpec], dialect: str = "json") -> ParsedCalls:
    """Find call-shaped JSON values in ``text`` (see module docs)."""
    known = {s.name for s in specs}
    calls: list[ToolCall] = []
    errors: list[tuple[str, str]] = []
    spans: list[tuple[int, int]] = []
    for start, end, value in iter_json_values(text):
        items = value if isinstance(value, list) else [value]
        if not items or not all(is_call_shaped(v, strict=not known) for v in items):
            continue
        prominent = not text[:start].strip() and not text[end:].strip()
        prominent = prominent or _whole_fence(text, start, end)
        names = [resolve_name(_name_of(v), known) for v in items]
        unknown_only = known and not any(n in known for n in names)
        if unknown_only and not (prominent and all(is_call_shaped(v, strict=True) for v in items)):
            continue
        raw_all = text[start:end]
        for item, name in zip(items, names, strict=True):
            raw = json.dumps(item, ensure_ascii=False) if len(items) > 1 else raw_all
            if known and name not in known:
                errors.append((raw, unknown_tool_feedback(name, known)))
                continue
            try:
                call = call_from_json(item, dialect, raw)
                calls.append(replace(call, name=name) if call.name != name else call)
            except NotACall as exc:
                errors.append((raw, str(exc)))
        spans.append((start, end))
    spans = _widen_to_fences(text, spans)
    found = bool(calls or errors)
    cleaned = remove_spans(text, spans) if spans else text
    return ParsedCalls(calls, text=cleaned, errors=errors, dialect=dialect if found else None)


def _name_of(value: Any) -> str:
    inner = value.get("function") if isinstance(value.get("function"), dict) else value
    for key in ("name", "tool", "tool_name", "function"):
        if isinstance(inner.get(key), str):
            return str(inner[key])
    return "?"


def _whole_fence(text: str, start: int, end: int) -> bool:
    return any(
        f.body_start <= start
        and end <= f.body_end
        and not text[f.body_start : start].strip()
        and not text[end : f.body_end].strip()
        for f in find_fences(text)
    )


def _widen_to_fences(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A fence that held nothing but a call disappears entirely from the prose."""
    fences = find_fences(text) if spans else []
    out = []
    for start, end in spans:
        for f in fences:
            if (
                f.body_start <= start
                and end <= f.body_end
                and not text[f.body_start : start].strip()
                and not text[end : f.body_end].strip()
            ):
                start, end = f.start, f.end
                break
        out.append((start, end))
    return out


class JsonDialect(Dialect):
    """Google's documented JSON call format."""

    name = "json"
    result_role = "user"
    system_role = None
    stop = ()
    explicit = False
    priority = 60
    call_markers = ("{", "[", "```")

    def parse(self, text: str, tools: Sequence[ToolLike] | None = None) -> ParsedCalls:
        return parse_json_calls(text, tool_specs(tools), self.name)

    def render_tools(self, tools: Sequence[ToolLike]) -> str:
        specs = [s.to_dict() for s in tool_specs(tools)]
        return JSON_INSTRUCTION + json.dumps(specs, indent=2, ensure_ascii=False)

    def render_calls(self, calls: Sequence[ToolCall]) -> str:
        objs = [{"name": c.name, "parameters": c.arguments} for c in calls]
        if len(objs) == 1:
            return json.dumps(objs[0], ensure_ascii=False)
        return json.dumps(objs, ensure_ascii=False)

    def render_tool_result(self, name: str, result: Any, call_id: str | None = None) -> str:
        return f"Result of {name}:\n{result_text(result)}"


register_dialect(JsonDialect())
