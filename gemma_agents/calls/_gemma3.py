"""The ``gemma3`` dialect: Python-style call lists, as in Google's Gemma 3 guide.

Gemma 3 has no tool tokens; Google's documented prompt asks for
``[func_name1(param=value, ...), func_name2(...)]`` and nothing else. Models also wrap calls
in a ```` ```tool_code ```` fence (results then come back in ```` ```tool_output ````), answer
with a bare ``f(x=1)``, or put the list inside a ```` ```python ```` fence. All of these are
read with :mod:`ast` (never evaluated). Because a list of calls is also ordinary Python, the
parser is conservative: a list counts only when every element is a call, code fences other
than ``tool_code`` count only when they hold nothing but calls, and when tools are given only
their names count.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ._base import Dialect, register_dialect
from ._pycall import CallSyntaxError, call_from_node, call_name, parse_expression, render_call
from ._scan import find_fences, python_extent, remove_spans, result_text
from ._spec import ToolLike, resolve_name, tool_specs, unknown_tool_feedback
from ._types import ParsedCalls, ToolCall, ToolSpec

__all__ = ["Gemma3Dialect", "PythonCallParser"]

GEMMA3_INSTRUCTION = (
    "You have access to functions. If you decide to invoke any of the function(s),\n"
    "you MUST put it in the format of\n"
    "[func_name1(params_name1=params_value1, params_name2=params_value2...), func_name2(params)]\n"
    "\n"
    "You SHOULD NOT include any other text in the response if you call a function\n"
)
_LIST_START_RE = re.compile(r"\[\s*[A-Za-z_][\w.]*\s*\(")
_CALL_FENCES = frozenset({"tool_code", "tool_call", "tool_calls", "function_call"})
_PRINT_WRAPPERS = frozenset({"print"})


class PythonCallParser:
    """Finds Python call lists in text; shared by ``gemma3`` and reused by benchmarks."""

    def __init__(self, dialect: str, specs: list[ToolSpec]) -> None:
        self.dialect = dialect
        self.specs = {s.name: s for s in specs}
        self.calls: list[ToolCall] = []
        self.errors: list[tuple[str, str]] = []
        self.spans: list[tuple[int, int]] = []

    def parse(self, text: str) -> ParsedCalls:
        stripped = text.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            # The documented answer shape: the whole output is one call list.
            node = parse_expression(stripped)
            if (
                isinstance(node, ast.List)
                and node.elts
                and all(isinstance(e, ast.Call) and call_name(e.func) for e in node.elts)
                and self._accept(stripped, node.elts, prominent=True)
            ):
                return ParsedCalls(self.calls, text="", errors=self.errors, dialect=self.dialect)
        fences = find_fences(text)
        for fence in fences:
            body = fence.body(text)
            explicit = fence.lang in _CALL_FENCES
            if self._take_statements(body, explicit=explicit, prominent=True):
                self.spans.append((fence.start, fence.end))
        fenced = [(f.start, f.end) for f in fences]
        bare = not self.calls and not self.errors and not fences and stripped[:1] not in ("", "[")
        # A bare answer: the whole output is a call (or calls), no brackets.
        if bare and self._take_statements(stripped, explicit=False, prominent=True, bare=True):
            self.spans.append((0, len(text)))
        for m in _LIST_START_RE.finditer(text):
            start = m.start()
            if any(s <= start < e for s, e in fenced + self.spans):
                continue
            self._take_list(text, start)
        dialect = self.dialect if (self.calls or self.errors) else None
        cleaned = remove_spans(text, self.spans) if self.spans else text
        return ParsedCalls(self.calls, text=cleaned, errors=self.errors, dialect=dialect)

    # -- candidates -------------------------------------------------------------------

    def _take_list(self, text: str, start: int) -> None:
        end = python_extent(text, start)
        prominent = not text[:start].strip()
        if end is None:
            if prominent or self._known(_LIST_START_RE.match(text, start)):
                raw = text[start : start + 200]
                self.errors.append((raw, "unterminated call list: close every ( and ["))
                self.spans.append((start, len(text)))
            return
        source = text[start:end]
        node = parse_expression(source)
        if not isinstance(node, ast.List) or not node.elts:
            return
        if not all(isinstance(e, ast.Call) and call_name(e.func) for e in node.elts):
            return
        prominent = prominent and not text[end:].strip()
        if self._accept(source, node.elts, prominent=prominent):
            self.spans.append((start, end))

    def _take_statements(
        self, body: str, *, explicit: bool, prominent: bool, bare: bool = False
    ) -> bool:
        """Accept a block holding only calls: a call list, one call, or one per line."""
        stripped = body.strip()
        if not stripped:
            return False
        node = parse_expression(stripped)
        elts: list[ast.expr] | None = None
        if isinstance(node, ast.List | ast.Tuple) and node.elts:
            elts = list(node.elts)
        elif isinstance(node, ast.Call):
            elts = [node]
        else:
            try:
                module = ast.parse(stripped, mode="exec")
            except (SyntaxError, ValueError, MemoryError, RecursionError):
                module = None
            if (
                module is not None
                and module.body
                and all(
                    isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) for s in module.body
                )
            ):
                elts = [s.value for s in module.body if isinstance(s, ast.Expr)]
        if elts is None:
            if explicit:
                self.errors.append(
                    (stripped[:200], "tool_code block is not a list of function calls")
                )
                return True
            return False
        elts = [_unwrap_print(e) if explicit else e for e in elts]
        if not all(isinstance(e, ast.Call) and call_name(e.func) for e in elts):
            if explicit:
                self.errors.append(
                    (stripped[:200], "tool_code block holds something besides calls")
                )
                return True
            return False
        if bare:
            # A bare answer counts when it names a known tool, or clearly passes named values.
            calls = [e for e in elts if isinstance(e, ast.Call)]
            known = any(self._name(c) in self.specs for c in calls)
            if not known and not all(c.keywords and not c.args for c in calls):
                return False
        return self._accept(stripped, elts, prominent=prominent or explicit)

    def _accept(self, source: str, elts: Sequence[ast.expr], *, prominent: bool) -> bool:
        names = [self._name(e) for e in elts]
        if self.specs and not any(n in self.specs for n in names):
            if prominent:
                for n in names:
                    self.errors.append((source[:200], unknown_tool_feedback(n or "?", self.specs)))
                return True
            return False
        for elt, name in zip(elts, names, strict=True):
            if not isinstance(elt, ast.Call):
                continue
            raw = _segment(source, elt)
            if self.specs and name not in self.specs:
                self.errors.append((raw, unknown_tool_feedback(name or "?", self.specs)))
                continue
            try:
                call = call_from_node(elt, raw, self.dialect, self.specs)
                if name and call.name != name:
                    call = replace(call, name=name)
                self.calls.append(call)
            except CallSyntaxError as exc:
                self.errors.append((raw, str(exc)))
        return True

    def _name(self, node: ast.expr) -> str | None:
        name = call_name(node.func) if isinstance(node, ast.Call) else None
        return resolve_name(name, self.specs) if name else None

    def _known(self, match: re.Match[str] | None) -> bool:
        if match is None or not self.specs:
            return False
        name = match.group(0)[1:-1].strip()
        return resolve_name(name, self.specs) in self.specs


def _unwrap_print(node: ast.expr) -> ast.expr:
    """``print(f(x=1))`` (the Gemini tool_code habit) -> ``f(x=1)``."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _PRINT_WRAPPERS
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Call)
    ):
        return node.args[0]
    return node


def _segment(source: str, node: ast.expr) -> str:
    try:
        return ast.get_source_segment(source, node) or source
    except (IndexError, ValueError):
        return source


class Gemma3Dialect(Dialect):
    """``[f(x=1), g(y="s")]`` calls, tool results in a ```` ```tool_output ```` user turn."""

    name = "gemma3"
    result_role = "user"
    system_role = None
    stop = ()
    explicit = False
    priority = 40
    call_markers = ("[", "```")

    def parse(self, text: str, tools: Sequence[ToolLike] | None = None) -> ParsedCalls:
        return PythonCallParser(self.name, tool_specs(tools)).parse(text)

    def render_tools(self, tools: Sequence[ToolLike]) -> str:
        specs = [s.to_dict() for s in tool_specs(tools)]
        return GEMMA3_INSTRUCTION + json.dumps(specs, indent=2, ensure_ascii=False)

    def render_calls(self, calls: Sequence[ToolCall]) -> str:
        return "[" + ", ".join(render_call(c) for c in calls) + "]"

    def render_tool_result(self, name: str, result: Any, call_id: str | None = None) -> str:
        return f"```tool_output\n{result_text(result)}\n```"


register_dialect(Gemma3Dialect())
