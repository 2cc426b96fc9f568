"""A small Google-style docstring reader for tool descriptions.

The model only sees a tool's description and its parameter descriptions, so the docstring a
developer already writes is the natural place for them. We read just what we need (the
summary paragraphs and the ``Args:`` section) instead of depending on a docstring library.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

__all__ = ["ParsedDocstring", "parse_docstring"]

# Section headers that end the free-text description (Google and common variants).
_SECTIONS = frozenset(
    {
        "args",
        "arguments",
        "parameters",
        "params",
        "keyword args",
        "keyword arguments",
        "kwargs",
        "returns",
        "return",
        "yields",
        "yield",
        "raises",
        "raise",
        "exceptions",
        "example",
        "examples",
        "note",
        "notes",
        "warning",
        "warnings",
        "see also",
        "todo",
        "attributes",
        "references",
    }
)
_ARG_SECTIONS = frozenset({"args", "arguments", "parameters", "params"})
_HEADER = re.compile(r"^([A-Za-z][A-Za-z ]*):\s*$")
# ``name (type, optional): text`` or ``name: text``; ``*args`` style names are allowed so that
# we can skip them cleanly.
_ARG_LINE = re.compile(r"^\*{0,2}([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(([^)]*)\))?\s*:\s*(.*)$")


@dataclass
class ParsedDocstring:
    """What a tool needs from a docstring.

    Attributes:
        description: The text before the first section, paragraphs joined by blank lines
            and lines within a paragraph joined by spaces.
        params: Parameter name -> description from the ``Args:`` section.
        returns: The ``Returns:`` text, if any.
    """

    description: str = ""
    params: dict[str, str] = field(default_factory=dict)
    returns: str = ""


def parse_docstring(doc: str | None) -> ParsedDocstring:
    """Split a Google-style docstring into description, parameter docs and returns text.

    Unknown sections are skipped; text that does not follow the format degrades to being
    part of the description rather than raising, because a slightly unusual docstring must
    never make a tool unusable.
    """
    if not doc:
        return ParsedDocstring()
    lines = inspect.cleandoc(doc).splitlines()
    result = ParsedDocstring()
    description: list[str] = []
    section: str | None = None
    section_lines: dict[str, list[str]] = {}
    for line in lines:
        header = _HEADER.match(line)
        if header and header.group(1).strip().lower() in _SECTIONS:
            section = header.group(1).strip().lower()
            section_lines.setdefault(section, [])
            continue
        if section is None:
            description.append(line)
        else:
            section_lines[section].append(line)
    result.description = _join_paragraphs(description)
    for name, body in section_lines.items():
        if name in _ARG_SECTIONS:
            result.params.update(_parse_args(body))
        elif name in ("returns", "return"):
            result.returns = _join_paragraphs([ln.strip() for ln in body])
    return result


def _join_paragraphs(lines: list[str]) -> str:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def _parse_args(body: list[str]) -> dict[str, str]:
    """Entries start at the section's base indentation; deeper lines continue them."""
    params: dict[str, str] = {}
    non_empty = [ln for ln in body if ln.strip()]
    if not non_empty:
        return params
    base = min(len(ln) - len(ln.lstrip()) for ln in non_empty)
    current: str | None = None
    for line in body:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        match = _ARG_LINE.match(line.strip()) if indent == base else None
        if match:
            current = match.group(1)
            params[current] = match.group(3).strip()
        elif current is not None:
            params[current] = f"{params[current]} {line.strip()}".strip()
    return params
