"""Narrow the constrained grammar to what the request talks about: tools and arguments.

**Tools.** Among near-identical tools (``country_info.capital`` / ``.population`` /
``.largest_city``) a 270M model picks almost at random, yet the request usually names the
one it wants: when the names share a word and exactly one tool's *distinctive* name words
(those the other names do not share) appear in the request, only that tool is offered
as a call (a direct answer stays possible). This is lexical tool retrieval; when it does not single out one
tool (none or several match, e.g. a request for two different tools) nothing changes.

**Arguments.** A tiny base model under a grammar fills every property the grammar lets it reach: offered
``rounding``, ``z`` or ``get_area`` it writes *some* value (``1000000000000000``,
``5``, ``false``) although the request said nothing about them, and the tool then runs
with an invented setting instead of its default. Dropping an optional property whose
name (and enum values) the request does not mention removes that temptation; required
properties are never dropped, a ``unit(s)`` property stays when the request writes a
number with a unit ("4 inches"), a ``year`` one when it writes a year, and a tool without required properties is left alone so
that its call can still say something.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..calls._types import ToolSpec

__all__ = ["mentioned_arguments", "named_tools"]

_SPLIT = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_GENERIC = frozenset(
    {"get", "set", "use", "is", "has", "the", "and", "for", "with", "of", "to", "in", "id"}
)
_PREFIX = 4
# A number followed by a word ("4 inches", "10 kg"): the request gives a unit, so a
# ``unit``/``units`` argument is mentioned although its name is not.
_YEAR = re.compile(r"\b(1[5-9]|20)\d\d\b")
_MEASURE = re.compile(r"\d\s*(?!and\b|or\b|to\b|in\b|of\b|for\b)[a-zA-Z\u00b0%$\u20ac\u00a3]")


def _tokens(text: str) -> set[str]:
    """Lower-case word stems: names split at ``_``/camelCase, long words cut to 4 letters."""
    out = set()
    for word in _SPLIT.findall(text):
        word = word.lower()
        if word in _GENERIC:
            continue
        out.add(word[:_PREFIX] if len(word) > _PREFIX else word)
    return out


def _mentioned(name: str, schema: Any, request: set[str], hints: set[str]) -> bool:
    keys = _tokens(name)
    if keys & hints:
        return True
    for sub in (schema, schema.get("items") if isinstance(schema, Mapping) else None):
        if isinstance(sub, Mapping) and isinstance(sub.get("enum"), list):
            for value in sub["enum"]:
                keys |= _tokens(str(value))
    return bool(keys & request)


def mentioned_arguments(spec: ToolSpec, request: str) -> ToolSpec:
    """``spec`` without the optional properties ``request`` does not mention.

    Args:
        spec: A bound tool.
        request: The latest user request.

    Returns:
        ``spec`` itself when nothing is dropped, else a copy with a narrower schema (for
        the grammar only: validation keeps using the full tool).
    """
    params = spec.parameters if isinstance(spec.parameters, Mapping) else {}
    props = params.get("properties")
    required = params.get("required")
    if not isinstance(props, Mapping) or not isinstance(required, list) or not required:
        return spec
    words = _tokens(request)
    # Values whose kind the request shows without naming it: a unit, a year.
    hints = set()
    if _MEASURE.search(request):
        hints |= {"unit", "units"}
    if _YEAR.search(request):
        hints.add("year")
    keep = {
        name: sub
        for name, sub in props.items()
        if name in required or _mentioned(str(name), sub, words, hints)
    }
    if len(keep) == len(props):
        return spec
    return ToolSpec(spec.name, spec.description, {**params, "properties": keep})


def named_tools(tools: Sequence[ToolSpec], request: str) -> list[ToolSpec]:
    """The one tool whose distinctive name words the request uses, else all ``tools``.

    Only for near-identical tools, whose names share a word (``country_info``,
    ``calculate``): tools with unrelated names are told apart by the model itself.

    Args:
        tools: The offered tools, in order.
        request: The latest user request.
    """
    if len(tools) < 2:
        return list(tools)
    names = {spec.name: _tokens(spec.name.replace(".", " ").replace("_", " ")) for spec in tools}
    shared = set.intersection(*names.values())
    if not shared:
        return list(tools)  # unrelated names: the model tells them apart by itself
    words = _tokens(request)
    hits = [spec for spec in tools if (names[spec.name] - shared) & words]
    return hits if len(hits) == 1 else list(tools)
