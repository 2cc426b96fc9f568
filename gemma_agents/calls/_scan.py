"""Text scanning shared by the dialects: code fences, bracket extents, JSON candidates.

Everything here is linear or capped: model output can be long and adversarial, and a
parser that goes quadratic on a wall of brackets would stall the agent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Fence",
    "find_fences",
    "iter_json_values",
    "python_extent",
    "remove_spans",
    "result_text",
]

_FENCE_RE = re.compile(r"```[ \t]*([\w.+#-]*)[^\n`]*\n(.*?)(?:```|\Z)", re.DOTALL)
_MAX_SCAN = 200_000
_MAX_JSON_ATTEMPTS = 2_000
_CLOSERS = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True)
class Fence:
    """A fenced code block: ``start``/``end`` span the fence, ``body_*`` its content."""

    start: int
    end: int
    lang: str
    body_start: int
    body_end: int

    def body(self, text: str) -> str:
        return text[self.body_start : self.body_end]


def find_fences(text: str) -> list[Fence]:
    """Every fenced code block; an unterminated last fence runs to the end of the text."""
    fences = []
    for m in _FENCE_RE.finditer(text):
        fences.append(Fence(m.start(), m.end(), m.group(1).lower(), m.start(2), m.end(2)))
    return fences


def python_extent(text: str, start: int, limit: int = _MAX_SCAN) -> int | None:
    """End (exclusive) of the bracketed Python expression opening at ``text[start]``.

    Strings (single, double, triple quoted, with backslash escapes) are skipped, so brackets
    inside them do not count. Returns ``None`` when the brackets never balance within
    ``limit`` characters.
    """
    if start >= len(text) or text[start] not in _CLOSERS:
        return None
    stack: list[str] = []
    i, n = start, min(len(text), start + limit)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            end = _string_end(text, i, n)
            if end is None:
                return None
            i = end
            continue
        if ch in _CLOSERS:
            stack.append(_CLOSERS[ch])
        elif ch in ")]}":
            if not stack or stack.pop() != ch:
                return None
            if not stack:
                return i + 1
        i += 1
    return None


def _string_end(text: str, i: int, n: int) -> int | None:
    quote = text[i] * 3 if text.startswith(text[i] * 3, i) else text[i]
    j = i + len(quote)
    while j < n:
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if text.startswith(quote, j):
            return j + len(quote)
        if ch == "\n" and len(quote) == 1:
            return None
        j += 1
    return None


def iter_json_values(text: str, openers: str = "{[") -> Iterator[tuple[int, int, Any]]:
    """Yield ``(start, end, value)`` for each top-level JSON value embedded in ``text``.

    Uses the real decoder (``raw_decode``) at every opening brace/bracket that is not inside
    an earlier decoded value; attempts are capped so hostile text stays cheap.
    """
    decoder = json.JSONDecoder()
    pos, attempts = 0, 0
    while attempts < _MAX_JSON_ATTEMPTS:
        starts = [i for i in (text.find(o, pos) for o in openers) if i != -1]
        if not starts:
            return
        i = min(starts)
        attempts += 1
        try:
            value, end = decoder.raw_decode(text, i)
        except (ValueError, RecursionError):
            pos = i + 1
            continue
        yield i, end, value
        pos = end


def remove_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` without ``spans``, with the blank lines they leave collapsed and trimmed."""
    if not spans:
        return text.strip()
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            start = pos
        out.append(text[pos:start])
        pos = max(pos, end)
    out.append(text[pos:])
    joined = "".join(out)
    joined = re.sub(r"[ \t]+\n", "\n", joined)
    return re.sub(r"\n{3,}", "\n\n", joined).strip()


def result_text(result: Any) -> str:
    """A tool result as text: strings verbatim, everything else as JSON."""
    if isinstance(result, str):
        return result
    try:
        return json.dumps(result, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(result)
