"""Recognising a decoded JSON value as a tool call.

Shared by the ``json`` dialect (calls embedded anywhere in prose) and ``hermes`` (calls
inside ``<tool_call>`` tags). The accepted shapes are the ones models actually emit:
``{"name", "parameters"}`` (Google's JSON variant), ``{"name", "arguments"}`` (Hermes, Qwen,
OpenAI, where ``arguments`` may be a JSON string), ``{"function": {...}}`` wrappers and
``{"tool", "arguments"}``.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from typing import Any

from ._pycall import CallSyntaxError, literal_value
from ._types import ToolCall

__all__ = ["NotACall", "call_from_json", "is_call_shaped", "loads_lenient"]

_NAME_KEYS = ("name", "tool", "tool_name", "function")
_ARG_KEYS = ("parameters", "arguments", "args", "tool_input")
_META_KEYS = frozenset({"id", "type", "call_id", "index"})


class NotACall(ValueError):
    """A JSON value that is call-shaped but unusable (message says why)."""


def _unwrap(value: Mapping[str, Any]) -> Mapping[str, Any]:
    inner = value.get("function")
    if isinstance(inner, Mapping) and ("name" in inner):
        return inner
    return value


def is_call_shaped(value: Any, *, strict: bool) -> bool:
    """Does ``value`` look like one call?

    Args:
        value: A decoded JSON value.
        strict: Require an arguments key and no keys beyond name/arguments/id/type, so that
            ordinary JSON in prose (``{"name": "Bob", "age": 3}``) and tool *declarations*
            (which carry a ``description``) are not mistaken for calls.
    """
    if not isinstance(value, Mapping):
        return False
    value = _unwrap(value)
    name_keys = [k for k in _NAME_KEYS if isinstance(value.get(k), str)]
    if not name_keys:
        return False
    arg_keys = [k for k in _ARG_KEYS if k in value]
    if not strict:
        return True
    if len(arg_keys) != 1:
        return False
    allowed = {name_keys[0], arg_keys[0], *_META_KEYS}
    return set(value) <= allowed


def call_from_json(value: Mapping[str, Any], dialect: str, raw: str) -> ToolCall:
    """Build the :class:`ToolCall` for a call-shaped value.

    Raises:
        NotACall: the arguments are not an object (or a JSON string holding one).
    """
    value = _unwrap(value)
    name = next(value[k] for k in _NAME_KEYS if isinstance(value.get(k), str))
    name_key = next(k for k in _NAME_KEYS if value.get(k) == name)
    arg_key = next((k for k in _ARG_KEYS if k in value), None)
    if arg_key is None:
        # Flattened form {"name": "f", "city": "Paris"}: the other keys are the arguments.
        args: Any = {k: v for k, v in value.items() if k != name_key and k not in _META_KEYS}
    else:
        args = value[arg_key]
    if isinstance(args, str):
        try:
            args = json.loads(args) if args.strip() else {}
        except ValueError as exc:
            raise NotACall(f"{name}: arguments string is not valid JSON ({exc})") from None
    if args is None:
        args = {}
    if not isinstance(args, Mapping):
        raise NotACall(f"{name}: arguments must be a JSON object, got {type(args).__name__}")
    call_id = value.get("id") or value.get("call_id")
    extra = {"id": str(call_id)} if isinstance(call_id, str | int) and call_id != "" else {}
    return ToolCall(name=name, arguments=dict(args), dialect=dialect, raw=raw, **extra)


def loads_lenient(source: str) -> Any:
    """JSON, or failing that a Python literal (single quotes, ``True``), never evaluated.

    Raises:
        ValueError: neither reading works.
    """
    try:
        return json.loads(source)
    except ValueError as json_error:
        try:
            node = ast.parse(source.strip(), mode="eval").body
            return literal_value(node, "value")
        except (SyntaxError, CallSyntaxError, ValueError, MemoryError, RecursionError):
            raise ValueError(str(json_error)) from None
