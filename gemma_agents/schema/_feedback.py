"""Model-visible corrections for bad tool calls.

A small model fixes its call far more often when told exactly which argument is wrong,
what was expected and what it sent, in the tool's own (original) parameter names, than when
shown a raw pydantic traceback. These messages go back to the model as the tool result.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from ._normalize import normalize_schema

__all__ = ["unknown_tool_feedback", "validation_feedback"]

_MAX_VALUE_CHARS = 120
_MAX_SCHEMA_CHARS = 240
_FRIENDLY = {
    "missing": "missing required argument",
    "extra_forbidden": "unexpected argument",
    "string_type": "expected a string",
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected an object",
    "model_type": "expected an object",
    "model_attributes_type": "expected an object",
}


def unknown_tool_feedback(name: str, valid_names: Iterable[str]) -> str:
    """Tell the model that ``name`` is not a tool and list the ones that exist.

    The closest matches (difflib) come first, so a near-miss such as ``get_wether`` points
    straight at ``get_weather``.
    """
    names = list(dict.fromkeys(str(n) for n in valid_names))
    if not names:
        return f"Unknown tool {name!r}: no tools are available; answer without calling a tool."
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if not close:
        lowered = {n.lower(): n for n in names}
        close = [lowered[n] for n in difflib.get_close_matches(name.lower(), list(lowered), n=3)]
    ordered = close + [n for n in names if n not in close]
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return f"Unknown tool {name!r}.{hint} Valid tools: {', '.join(ordered)}."


def validation_feedback(
    tool_name: str, error: ValidationError | Exception | str, schema: Mapping[str, Any] | None
) -> str:
    """A precise correction for arguments that failed validation.

    One line per problem: the argument path in the tool's original names, what was
    expected, what was given, and the relevant schema excerpt; unexpected arguments list
    the valid ones (closest first). Ends with an instruction to call the tool again.

    Args:
        tool_name: The tool that was called.
        error: The pydantic ``ValidationError`` (other exceptions and strings are shown
            as they are).
        schema: The tool's parameter schema (any dialect; normalised here).
    """
    norm = normalize_schema(schema or {})
    lines = [f"Invalid arguments for tool {tool_name!r}:"]
    if isinstance(error, ValidationError):
        for item in error.errors(include_url=False):
            lines.append("- " + _describe(item, norm))
    else:
        lines.append(f"- {error}")
    raw_props = norm.get("properties")
    props: Mapping[str, Any] = raw_props if isinstance(raw_props, Mapping) else {}
    required = [r for r in norm.get("required") or [] if r in props]
    if props:
        lines.append(
            f"Arguments of {tool_name}: {', '.join(props)}"
            + (f" (required: {', '.join(required)})" if required else "")
            + "."
        )
    lines.append(f"Call {tool_name} again with corrected arguments.")
    return "\n".join(lines)


def _describe(item: Mapping[str, Any], norm: Mapping[str, Any]) -> str:
    loc = [p for p in item.get("loc", ()) if not _is_internal(p)]
    path = _path(loc)
    kind = str(item.get("type", ""))
    sub = _sub_schema(norm, loc)
    given = item.get("input")
    if kind == "missing":
        return f"{path}: missing required argument{_excerpt(sub)}"
    if kind == "extra_forbidden":
        parent = _sub_schema(norm, loc[:-1])
        valid = list((parent or {}).get("properties") or {})
        name = str(loc[-1]) if loc else path
        close = difflib.get_close_matches(name, valid, n=1, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        listing = f" Valid arguments: {', '.join(valid)}." if valid else ""
        return f"{path}: unexpected argument.{hint}{listing}"
    expected = _FRIENDLY.get(kind) or str(item.get("msg", "invalid value"))
    if kind in ("literal_error", "enum", "value_error") and sub and "enum" in sub:
        expected = "expected one of " + ", ".join(json.dumps(v) for v in sub["enum"])
    return f"{path}: {expected}; got {_short(given)}{_excerpt(sub)}"


def _is_internal(part: Any) -> bool:
    """Union-member and validator tags pydantic puts into ``loc`` (``str``, ``list[int]``,
    ``function-before[...]``), which mean nothing to the model."""
    if isinstance(part, int):
        return False
    text = str(part)
    return (
        text in ("str", "int", "float", "bool", "none", "NoneType")
        or "[" in text
        or text.startswith(("function-", "literal", "json-or-python", "lax-", "strict-"))
    )


def _path(loc: list[Any]) -> str:
    if not loc:
        return "(arguments)"
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _sub_schema(norm: Mapping[str, Any], loc: list[Any]) -> Mapping[str, Any] | None:
    node: Any = norm
    for part in loc:
        if not isinstance(node, Mapping):
            return None
        if isinstance(part, int):
            node = node.get("items")
        else:
            props = node.get("properties")
            node = props.get(str(part)) if isinstance(props, Mapping) else None
    return node if isinstance(node, Mapping) else None


def _excerpt(sub: Mapping[str, Any] | None) -> str:
    if not sub:
        return ""
    keep = {k: v for k, v in sub.items() if k in ("type", "enum", "description", "items", "format")}
    if not keep:
        return ""
    text = json.dumps(keep, ensure_ascii=False, default=str)
    if len(text) > _MAX_SCHEMA_CHARS:
        text = text[: _MAX_SCHEMA_CHARS - 3] + "..."
    return f" (schema: {text})"


def _short(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 3] + "..."
    return text
