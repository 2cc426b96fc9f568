"""The ``key:value`` object syntax of FunctionGemma and Gemma 4, parsed by recursive descent.

Both formats write arguments as ``{city:<escape>Tokyo, JP<escape>,n:3,obj:{...},arr:[...]}``:
bare keys, strings between a delimiter token (``<escape>`` or ``<|"|>``), numbers,
``true``/``false``/``null``, nested objects and arrays. A delimited string is opaque, so
commas and braces inside it never split arguments (Google's sample regexes get this wrong).
The parser is lenient with what real models emit: plain ``"double"`` or ``'single'`` quotes
instead of the delimiter, quoted keys, ``=`` instead of ``:``, trailing commas, and bare words
(read as strings).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["ValueSyntax", "ValueSyntaxError"]

_INT_RE = re.compile(r"[+-]?\d+")
_FLOAT_RE = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?")
_KEYWORDS: dict[str, Any] = {
    "true": True,
    "false": False,
    "null": None,
    "none": None,
}
_BARE_KEY_RE = re.compile(r"[A-Za-z0-9_.$@/-]+")
_MAX_DEPTH = 200


class ValueSyntaxError(ValueError):
    """The object syntax is broken at ``pos``."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(f"{message} (at offset {pos})")
        self.pos = pos


class ValueSyntax:
    """Parser and renderer for one delimiter (``<escape>`` or ``<|"|>``).

    Args:
        delimiter: The token that opens and closes every string.
        lenient_quotes: Also accept ``"..."`` (JSON escapes) and ``'...'`` strings.
    """

    def __init__(self, delimiter: str, *, lenient_quotes: bool = True) -> None:
        self.delimiter = delimiter
        self.lenient_quotes = lenient_quotes

    # -- parsing ------------------------------------------------------------------------

    def parse_object(self, text: str, pos: int, close: str = "}") -> tuple[dict[str, Any], int]:
        """Parse the members after an opening ``{`` (or ``(``) at ``text[pos - 1]``.

        Returns the object and the offset just past the closing ``close``.

        Raises:
            ValueSyntaxError: the syntax is broken or the text ends first.
        """
        return self._members(text, pos, close, 0)

    def _members(self, text: str, pos: int, close: str, depth: int) -> tuple[dict[str, Any], int]:
        if depth > _MAX_DEPTH:
            raise ValueSyntaxError("nesting too deep", pos)
        result: dict[str, Any] = {}
        pos = _skip_ws(text, pos)
        while True:
            if pos >= len(text):
                raise ValueSyntaxError(f"missing closing {close!r}", pos)
            if text[pos] == close:
                return result, pos + 1
            key, pos = self._key(text, pos)
            pos = _skip_ws(text, pos)
            if pos >= len(text) or text[pos] not in ":=":
                raise ValueSyntaxError(f"expected ':' after key {key!r}", pos)
            value, pos = self._value(text, _skip_ws(text, pos + 1), (",", close), depth)
            result[key] = value
            pos = _skip_ws(text, pos)
            if pos < len(text) and text[pos] == ",":
                pos = _skip_ws(text, pos + 1)
            elif pos < len(text) and text[pos] != close:
                raise ValueSyntaxError(f"expected ',' or {close!r}", pos)

    def _array(self, text: str, pos: int, depth: int) -> tuple[list[Any], int]:
        if depth > _MAX_DEPTH:
            raise ValueSyntaxError("nesting too deep", pos)
        items: list[Any] = []
        pos = _skip_ws(text, pos)
        while True:
            if pos >= len(text):
                raise ValueSyntaxError("missing closing ']'", pos)
            if text[pos] == "]":
                return items, pos + 1
            value, pos = self._value(text, pos, (",", "]"), depth)
            items.append(value)
            pos = _skip_ws(text, pos)
            if pos < len(text) and text[pos] == ",":
                pos = _skip_ws(text, pos + 1)
            elif pos < len(text) and text[pos] != "]":
                raise ValueSyntaxError("expected ',' or ']'", pos)

    def _key(self, text: str, pos: int) -> tuple[str, int]:
        string = self._string(text, pos)
        if string is not None:
            return string
        m = _BARE_KEY_RE.match(text, pos)
        if m is None:
            raise ValueSyntaxError("expected a key", pos)
        return m.group(0), m.end()

    def _value(
        self, text: str, pos: int, terminators: tuple[str, ...], depth: int
    ) -> tuple[Any, int]:
        if pos >= len(text):
            raise ValueSyntaxError("expected a value", pos)
        string = self._string(text, pos)
        if string is not None:
            return string
        ch = text[pos]
        if ch == "{":
            return self._members(text, pos + 1, "}", depth + 1)
        if ch == "[":
            return self._array(text, pos + 1, depth + 1)
        end = pos
        stops = set(terminators) | {"}", "]", ")"}
        while (
            end < len(text) and text[end] not in stops and not text.startswith(self.delimiter, end)
        ):
            if text[end] == "\n" and "\n" not in terminators:
                break
            end += 1
        token = text[pos:end].strip()
        if not token:
            raise ValueSyntaxError("expected a value", pos)
        return _scalar(token), end

    def _string(self, text: str, pos: int) -> tuple[str, int] | None:
        """A delimited or (leniently) quoted string at ``pos``, else ``None``."""
        if text.startswith(self.delimiter, pos):
            start = pos + len(self.delimiter)
            end = text.find(self.delimiter, start)
            if end == -1:
                raise ValueSyntaxError(f"unterminated {self.delimiter} string", pos)
            return text[start:end], end + len(self.delimiter)
        if not self.lenient_quotes or pos >= len(text) or text[pos] not in "\"'":
            return None
        quote = text[pos]
        j = pos + 1
        while j < len(text):
            if text[j] == "\\":
                j += 2
                continue
            if text[j] == quote:
                raw = text[pos + 1 : j]
                return _unescape(raw, quote), j + 1
            j += 1
        raise ValueSyntaxError("unterminated quoted string", pos)

    # -- rendering ----------------------------------------------------------------------

    def render(self, value: Any) -> str:
        """Write ``value`` in the object syntax (strings always delimited)."""
        if isinstance(value, str):
            return f"{self.delimiter}{value}{self.delimiter}"
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return repr(value) if math.isfinite(value) else self.render(str(value))
        if isinstance(value, Mapping):
            return "{" + self.render_members(value) + "}"
        if isinstance(value, Sequence | set | frozenset):
            return "[" + ",".join(self.render(v) for v in value) + "]"
        return self.render(str(value))

    def render_members(self, mapping: Mapping[Any, Any]) -> str:
        """``k:v,k2:v2`` without the braces (keys bare when safe, else delimited)."""
        return ",".join(f"{self.render_key(k)}:{self.render(v)}" for k, v in mapping.items())

    def render_key(self, key: Any) -> str:
        key = str(key)
        if _BARE_KEY_RE.fullmatch(key) and key.lower() not in _KEYWORDS:
            return key
        return f"{self.delimiter}{key}{self.delimiter}"


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _scalar(token: str) -> Any:
    lowered = token.lower()
    if lowered in _KEYWORDS:
        return _KEYWORDS[lowered]
    if _INT_RE.fullmatch(token):
        return int(token)
    if _FLOAT_RE.fullmatch(token):
        return float(token)
    return token  # a bare word: models drop the delimiters around simple strings


def _unescape(raw: str, quote: str) -> str:
    if "\\" not in raw:
        return raw
    if quote == '"':
        try:
            value = json.loads(f'"{raw}"')
            if isinstance(value, str):
                return value
        except ValueError:
            pass
    return re.sub(r"\\(.)", r"\1", raw)
