"""Module-level entry points: parse, detect and render in any dialect by name.

These are what ``ChatGemma``, the agent graph and the benchmarks call; they pick the dialect
object from the registry and guarantee that parsing never raises on model text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ._base import DIALECTS, Dialect, get_dialect
from ._spec import ToolLike, resolve_name, tool_specs
from ._types import ParsedCalls, ToolCall, ToolSpec

__all__ = [
    "detect_dialect",
    "parse_tool_calls",
    "render_calls",
    "render_tool_result",
    "render_tools",
]

_NOT_AUTO = frozenset({"native"})


def parse_tool_calls(
    text: str,
    tools: Sequence[ToolLike] | None = None,
    dialect: str | Dialect = "auto",
) -> ParsedCalls:
    """Find the tool calls in model output.

    Args:
        text: Raw model output (``None`` is treated as empty).
        tools: The tools offered to the model. When given, ambiguous formats (python lists,
            bare JSON, ``FUNCTION_CALL`` lines) only count calls to these names, and
            positional arguments are mapped to their parameter order. Unknown names inside
            explicit markup (``<tool_call>`` tags and the like) are still returned, so the
            validator can tell the model which names exist.
        dialect: A dialect name, or ``"auto"`` to detect it: explicit markup first
            (gemma4, functiongemma, hermes), then tool_code fences and python lists,
            ``FUNCTION_CALL`` lines, JSON. Broken markup is reported in ``.errors``
            unless a later dialect finds real calls.

    Returns:
        The calls (possibly none) with ``.text`` (the prose without call markup),
        ``.errors`` (fragments that looked like calls but did not parse) and ``.dialect``.
        Never raises because of the text.
    """
    text = text if isinstance(text, str) else ("" if text is None else str(text))
    specs = tool_specs(tools)
    if dialect != "auto":
        return _safe_parse(get_dialect(dialect), text, specs)
    fallback: ParsedCalls | None = None
    for candidate in _auto_order():
        if candidate.explicit and not candidate.detect(text):
            continue
        parsed = _safe_parse(candidate, text, specs)
        if parsed:
            return parsed
        if parsed.errors:
            # Broken markup is reported unless a later dialect finds real calls (markup
            # tokens can appear inside a string argument of another format).
            fallback = fallback or parsed
        elif candidate.explicit:
            text = parsed.text  # e.g. Gemma 4 thinking removed; keep looking for calls
    return fallback if fallback is not None else ParsedCalls(text=text, dialect=None)


def detect_dialect(text: str, tools: Sequence[ToolLike] | None = None) -> str | None:
    """Name of the dialect whose calls (or call-shaped errors) appear in ``text``, or ``None``."""
    parsed = parse_tool_calls(text, tools, "auto")
    return parsed.dialect if (parsed or parsed.errors) else None


def render_tools(tools: Sequence[ToolLike], dialect: str | Dialect = "gemma3") -> str:
    """The prompt text that declares ``tools`` in ``dialect`` and says how to call them."""
    return get_dialect(dialect).render_tools(tool_specs(tools))


def render_calls(calls: Sequence[ToolCall], dialect: str | Dialect = "gemma3") -> str:
    """An assistant turn that made ``calls``, written in ``dialect`` (for history replay)."""
    return get_dialect(dialect).render_calls(list(calls))


def render_tool_result(
    name: str,
    result: Any,
    dialect: str | Dialect = "gemma3",
    call_id: str | None = None,
) -> str:
    """The block that returns ``result`` of tool ``name`` to the model in ``dialect``."""
    return get_dialect(dialect).render_tool_result(name, result, call_id)


def _auto_order() -> list[Dialect]:
    dialects = [d for d in DIALECTS.values() if d.name not in _NOT_AUTO]
    return sorted(dialects, key=lambda d: (not d.explicit, d.priority))


def _safe_parse(dialect: Dialect, text: str, specs: list[ToolSpec]) -> ParsedCalls:
    try:
        parsed = dialect.parse(text, specs)
    except Exception as exc:  # last line of defence: model text must never crash the agent
        return ParsedCalls(
            text=text,
            errors=[(text[:200], f"internal {dialect.name} parser error: {exc!r}")],
            dialect=dialect.name,
        )
    if specs:
        known = {s.name for s in specs}
        for i, call in enumerate(parsed):
            name = resolve_name(call.name, known)
            if name != call.name:
                parsed[i] = replace(call, name=name)
    return parsed
