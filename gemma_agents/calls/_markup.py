"""Calls wrapped in dedicated tokens: ``<start>call:name{...}<end>`` (FunctionGemma, Gemma 4).

Both formats share the structure and differ only in tokens and string delimiter, so one
scanner serves both. It tolerates what real servers report: a missing end token, a missing
``call:`` prefix, parenthesised arguments ``call:f(arg: "v")``, and calls with no arguments.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._scan import remove_spans
from ._types import ParsedCalls, ToolCall, ToolSpec
from ._values import ValueSyntax, ValueSyntaxError

__all__ = ["MarkupFormat", "declaration_schema"]

_NAME_RE = re.compile(r"[^\s{}()\[\]<>,:=\"']+")
_TYPE_MAP = {
    "dict": "OBJECT",
    "object": "OBJECT",
    "hashmap": "OBJECT",
    "map": "OBJECT",
    "str": "STRING",
    "string": "STRING",
    "char": "STRING",
    "any": "STRING",
    "int": "INTEGER",
    "integer": "INTEGER",
    "long": "INTEGER",
    "short": "INTEGER",
    "byte": "INTEGER",
    "float": "NUMBER",
    "double": "NUMBER",
    "number": "NUMBER",
    "bool": "BOOLEAN",
    "boolean": "BOOLEAN",
    "array": "ARRAY",
    "arraylist": "ARRAY",
    "list": "ARRAY",
    "tuple": "ARRAY",
    "null": "NULL",
}


@dataclass(frozen=True)
class MarkupFormat:
    """Tokens of one markup dialect.

    Attributes:
        dialect: Name stamped on parsed calls.
        call_start / call_end: Tokens around a call.
        response_start / response_end: Tokens around a tool response.
        decl_start / decl_end: Tokens around a tool declaration.
        syntax: The value syntax (string delimiter).
    """

    dialect: str
    call_start: str
    call_end: str
    response_start: str
    response_end: str
    decl_start: str
    decl_end: str
    syntax: ValueSyntax

    # -- parsing ------------------------------------------------------------------------

    def parse(self, text: str, specs: list[ToolSpec]) -> ParsedCalls:
        calls: list[ToolCall] = []
        errors: list[tuple[str, str]] = []
        spans: list[tuple[int, int]] = []
        pos = 0
        while True:
            start = text.find(self.call_start, pos)
            if start == -1:
                break
            body = start + len(self.call_start)
            try:
                call, end = self._one_call(text, body)
            except ValueSyntaxError as exc:
                end = self._recover_end(text, body)
                errors.append((text[start:end][:300], f"malformed {self.dialect} call: {exc}"))
            else:
                calls.append(call)
            spans.append((start, end))
            pos = max(end, body)
        found = bool(calls or errors)
        return ParsedCalls(
            calls,
            text=remove_spans(text, spans) if spans else text,
            errors=errors,
            dialect=self.dialect if found else None,
        )

    def _one_call(self, text: str, pos: int) -> tuple[ToolCall, int]:
        start = pos
        pos = _skip_ws(text, pos)
        if text.startswith("call:", pos):
            pos = _skip_ws(text, pos + len("call:"))
        m = _NAME_RE.match(text, pos)
        if m is None:
            raise ValueSyntaxError("expected a function name after call:", pos)
        name = m.group(0)
        pos = _skip_ws(text, m.end())
        arguments: dict[str, Any] = {}
        if pos < len(text) and text[pos] in "{(":
            close = "}" if text[pos] == "{" else ")"
            arguments, pos = self.syntax.parse_object(text, pos + 1, close)
        elif pos < len(text) and not text.startswith(self.call_end, pos):
            raise ValueSyntaxError(f"expected '{{' after {name}", pos)
        pos_after = _skip_ws(text, pos)
        if text.startswith(self.call_end, pos_after):
            pos = pos_after + len(self.call_end)
        raw = text[start:pos]
        return ToolCall(name=name, arguments=arguments, dialect=self.dialect, raw=raw), pos

    def _recover_end(self, text: str, pos: int) -> int:
        """Where a broken call ends: its end token, the next call, or the end of text."""
        ends = [
            i for i in (text.find(self.call_end, pos), text.find(self.call_start, pos)) if i != -1
        ]
        if not ends:
            return len(text)
        end = min(ends)
        return end + len(self.call_end) if text.startswith(self.call_end, end) else end

    # -- rendering ----------------------------------------------------------------------

    def render_call(self, call: ToolCall) -> str:
        args = self.syntax.render_members(call.arguments)
        return f"{self.call_start}call:{call.name}{{{args}}}{self.call_end}"

    def render_declaration(self, spec: ToolSpec) -> str:
        decl: dict[str, Any] = {"description": spec.description}
        decl["parameters"] = declaration_schema(spec.parameters, top=True)
        members = self.syntax.render_members(decl)
        return f"{self.decl_start}declaration:{spec.name}{{{members}}}{self.decl_end}"

    def render_response(self, name: str, result: Any) -> str:
        payload = _response_payload(result)
        members = self.syntax.render_members(payload)
        return f"{self.response_start}response:{name}{{{members}}}{self.response_end}"


def declaration_schema(schema: Mapping[str, Any], *, top: bool = False) -> dict[str, Any]:
    """A JSON schema rewritten the way Google's templates declare it: upper-case types
    (BFCL/Java names mapped), properties sorted by name, ``description`` first and ``type``
    last in every node (``properties``, ``required``, ``type`` at the top level)."""
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "type":
            out[key] = _upper_type(value)
        elif key == "properties" and isinstance(value, Mapping):
            # The chat templates iterate properties with jinja's dictsort.
            out[key] = {
                k: declaration_schema(v) if isinstance(v, Mapping) else v
                for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
            }
        elif key in ("items", "additionalProperties") and isinstance(value, Mapping):
            out[key] = declaration_schema(value)
        elif key in ("anyOf", "oneOf", "allOf") and isinstance(value, list):
            out[key] = [declaration_schema(v) if isinstance(v, Mapping) else v for v in value]
        else:
            out[key] = value
    if top:
        out.setdefault("type", "OBJECT")
    first = [k for k in ("description", "properties", "required") if k in out]
    middle = [k for k in out if k not in first and k != "type"]
    last = ["type"] if "type" in out else []
    return {k: out[k] for k in (*first, *middle, *last)}


def _upper_type(value: Any) -> Any:
    if isinstance(value, str):
        return _TYPE_MAP.get(value.lower(), value.upper() or "STRING")
    if isinstance(value, list):
        return [_upper_type(v) for v in value]
    return value


def _response_payload(result: Any) -> Mapping[str, Any]:
    if isinstance(result, Mapping):
        return result
    if isinstance(result, str):
        try:
            decoded = json.loads(result)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict):
            return decoded
    return {"value": result}  # what the Gemma 4 template writes for a non-object result


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos
