"""The ``line`` dialect: one ``FUNCTION_CALL: name(param="value")`` line per call.

A format for prompting models that handle a fixed line prefix better than a bracketed list;
arguments use Python call syntax and are read with :mod:`ast` like ``gemma3``.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ._base import Dialect, register_dialect
from ._pycall import CallSyntaxError, call_from_node, parse_expression, render_call
from ._scan import python_extent, remove_spans, result_text
from ._spec import ToolLike, resolve_name, tool_specs, unknown_tool_feedback
from ._types import ParsedCalls, ToolCall

__all__ = ["LineDialect"]

PREFIX = "FUNCTION_CALL:"
_LINE_RE = re.compile(r"FUNCTION_CALL:[ \t]*([A-Za-z_][\w.]*)[ \t]*(\()?")
LINE_INSTRUCTION = (
    "You have access to the functions listed below. To call a function, write one line\n"
    f"{PREFIX} function_name(param_name1=value1, param_name2=value2)\n"
    "using Python literal values (strings in double quotes), one line per call, and no other\n"
    "text. You will receive each result on a line starting with FUNCTION_RESULT.\n"
    "Functions:\n"
)


class LineDialect(Dialect):
    """``FUNCTION_CALL:`` lines."""

    name = "line"
    result_role = "user"
    system_role = None
    stop = ()
    explicit = False
    priority = 50
    call_markers = ("FUNCTION_CALL:",)

    def parse(self, text: str, tools: Sequence[ToolLike] | None = None) -> ParsedCalls:
        specs = {s.name: s for s in tool_specs(tools)}
        calls: list[ToolCall] = []
        errors: list[tuple[str, str]] = []
        spans: list[tuple[int, int]] = []
        for m in _LINE_RE.finditer(text):
            if spans and m.start() < spans[-1][1]:
                continue  # inside a string of the previous call
            name = resolve_name(m.group(1), specs)
            line_end = text.find("\n", m.start())
            line_end = len(text) if line_end == -1 else line_end
            if m.group(2) is None:
                errors.append(
                    (text[m.start() : line_end], f"{name}: expected ( after the function name")
                )
                spans.append((m.start(), line_end))
                continue
            open_paren = m.end() - 1
            end = python_extent(text, open_paren)
            if end is None:
                errors.append((text[m.start() : line_end], f"{name}: unbalanced parentheses"))
                spans.append((m.start(), line_end))
                continue
            source = m.group(1) + text[open_paren:end]
            spans.append((m.start(), end))
            if specs and name not in specs:
                errors.append((source, unknown_tool_feedback(name, specs)))
                continue
            node = parse_expression(source)
            if not isinstance(node, ast.Call):
                errors.append((source, f"{name}: not a valid call; write name=value arguments"))
                continue
            try:
                call = call_from_node(node, source, self.name, specs)
                calls.append(replace(call, name=name) if call.name != name else call)
            except CallSyntaxError as exc:
                errors.append((source, str(exc)))
        found = bool(calls or errors)
        return ParsedCalls(
            calls,
            text=remove_spans(text, spans) if spans else text,
            errors=errors,
            dialect=self.name if found else None,
        )

    def render_tools(self, tools: Sequence[ToolLike]) -> str:
        specs = [s.to_dict() for s in tool_specs(tools)]
        return LINE_INSTRUCTION + json.dumps(specs, indent=2, ensure_ascii=False)

    def render_calls(self, calls: Sequence[ToolCall]) -> str:
        return "\n".join(f"{PREFIX} {render_call(c)}" for c in calls)

    def render_tool_result(self, name: str, result: Any, call_id: str | None = None) -> str:
        return f"FUNCTION_RESULT {name}:\n{result_text(result)}"


register_dialect(LineDialect())
