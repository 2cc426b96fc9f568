"""Python call syntax (``name(a=1, b="x")``) parsed with :mod:`ast`, never evaluated.

Shared by the ``gemma3`` dialect (``[f(x=1), g(y=2)]``, ``tool_code`` fences) and the
``line`` dialect (``FUNCTION_CALL: f(x=1)``). Values are read from the syntax tree as
literals only; JSON spellings (``true``, ``false``, ``null``) are accepted because models mix
them in. Argument names that are Python keywords (``from=``), which small models do write, are
recovered by renaming them before parsing; names that are not identifiers are rendered as
``**{"Content-Type": ...}``, which parses back to the same arguments.
"""

from __future__ import annotations

import ast
import io
import itertools
import keyword
import math
import tokenize
from collections.abc import Mapping, Sequence
from typing import Any

from ._types import ToolCall, ToolSpec

__all__ = [
    "CallSyntaxError",
    "call_from_node",
    "call_name",
    "literal_value",
    "parse_expression",
    "render_call",
    "render_value",
]

_KW_PREFIX = "__gakw_"
_NAMED_CONSTANTS = {
    "true": True,
    "false": False,
    "null": None,
    "none": None,
    "True": True,
    "False": False,
    "None": None,
}
_RESERVED_ARG_NAMES = frozenset({"True", "False", "None"})


class CallSyntaxError(ValueError):
    """A call-shaped fragment that cannot be turned into a :class:`ToolCall`."""


def parse_expression(source: str) -> ast.expr | None:
    """Parse ``source`` as one Python expression, or return ``None``.

    Retries once with keyword argument names such as ``from=`` renamed, because Gemma writes
    them for schemas that use them and Python rejects them.
    """
    try:
        return ast.parse(source.strip(), mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        pass
    renamed = _rename_keyword_args(source.strip())
    if renamed is None:
        return None
    try:
        return ast.parse(renamed, mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def call_name(node: ast.expr) -> str | None:
    """``f`` or ``a.b.c`` for a Name/Attribute chain; ``None`` for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def call_from_node(
    node: ast.Call,
    source: str,
    dialect: str,
    specs: Mapping[str, ToolSpec] | None = None,
) -> ToolCall:
    """Build a :class:`ToolCall` from a call node.

    Args:
        node: The parsed call.
        source: The raw text of the call (kept on the result for error messages).
        dialect: Dialect name to stamp on the call.
        specs: Tools by name; positional arguments map to the parameter order of the tool.

    Raises:
        CallSyntaxError: the callee is not a (dotted) name, an argument is not a literal, or
            positional arguments cannot be mapped.
    """
    name = call_name(node.func)
    if name is None:
        raise CallSyntaxError("the called object must be a plain or dotted function name")
    arguments: dict[str, Any] = {}
    if node.args:
        spec = (specs or {}).get(name)
        order = _param_order(spec) if spec else []
        if not order:
            raise CallSyntaxError(
                f"{name}: positional arguments are not allowed, write name=value for each argument"
            )
        if len(node.args) > len(order):
            raise CallSyntaxError(
                f"{name}: {len(node.args)} positional arguments given but the tool has "
                f"{len(order)} parameters"
            )
        for param, arg in zip(order, node.args, strict=False):
            if isinstance(arg, ast.Starred):
                raise CallSyntaxError(f"{name}: *args is not allowed")
            arguments[param] = literal_value(arg, f"{name}: argument {param}")
    for kw in node.keywords:
        if kw.arg is None:
            value = literal_value(kw.value, f"{name}: **arguments")
            if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
                raise CallSyntaxError(f"{name}: ** must unpack a dict with string keys")
            arguments.update(value)
            continue
        arg_name = kw.arg[len(_KW_PREFIX) :] if kw.arg.startswith(_KW_PREFIX) else kw.arg
        arguments[arg_name] = literal_value(kw.value, f"{name}: argument {arg_name}")
    return ToolCall(name=name, arguments=arguments, dialect=dialect, raw=source)


def literal_value(node: ast.expr, where: str) -> Any:
    """Read a literal from the syntax tree (no evaluation); tuples and sets become lists."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str | int | float | bool) or node.value is None:
            return node.value
        raise CallSyntaxError(f"{where}: unsupported constant {node.value!r}")
    if isinstance(node, ast.Name):
        if node.id in _NAMED_CONSTANTS:
            return _NAMED_CONSTANTS[node.id]
        raise CallSyntaxError(
            f"{where}: {node.id} is a bare name, not a value; put strings in quotes"
        )
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [literal_value(elt, where) for elt in node.elts]
    if isinstance(node, ast.Dict):
        result: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                raise CallSyntaxError(f"{where}: ** inside a dict is not allowed")
            k = literal_value(key, where)
            if isinstance(k, list | dict):
                raise CallSyntaxError(f"{where}: dict keys must be strings or numbers")
            result[k] = literal_value(value, where)
        return result
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = literal_value(node.operand, where)
        if isinstance(operand, int | float) and not isinstance(operand, bool):
            return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        raise CallSyntaxError(
            f"{where}: nested call {call_name(node.func) or '(...)'}(...) is not a value; "
            "call tools one at a time and pass literal values"
        )
    raise CallSyntaxError(f"{where}: only literal values are allowed ({type(node).__name__})")


def render_call(call: ToolCall) -> str:
    """``name(a=1, b="x")``; a name that is not an identifier is written ``**{"a-b": 1}``
    in place (Python allows keywords after ``**``), so argument order survives."""
    parts: list[str] = []
    for key, value in call.arguments.items():
        if isinstance(key, str) and key.isidentifier() and key not in _RESERVED_ARG_NAMES:
            parts.append(f"{key}={render_value(value)}")
        else:
            parts.append(f"**{{{render_value(key)}: {render_value(value)}}}")
    return f"{call.name}({', '.join(parts)})"


def render_value(value: Any) -> str:
    """A Python literal for ``value`` that :func:`literal_value` reads back unchanged."""
    if value is None or isinstance(value, bool | int | str):
        return repr(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return repr(value)
        return repr(str(value))  # inf/nan have no literal; keep them visible as text
    if isinstance(value, Mapping):
        items = ", ".join(f"{render_value(k)}: {render_value(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, Sequence | set | frozenset):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    return repr(str(value))


def _param_order(spec: ToolSpec) -> list[str]:
    props = spec.parameters.get("properties") if isinstance(spec.parameters, Mapping) else None
    return list(props) if isinstance(props, Mapping) else []


def _rename_keyword_args(source: str) -> str | None:
    """Rename ``from=`` style keyword arguments so :mod:`ast` accepts the call."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    significant = [t for t in tokens if t.type not in (tokenize.NL, tokenize.COMMENT)]
    targets = [
        tok
        for tok, nxt in itertools.pairwise(significant)
        if tok.type == tokenize.NAME
        and keyword.iskeyword(tok.string)
        and tok.string not in _RESERVED_ARG_NAMES
        and nxt.type == tokenize.OP
        and nxt.string == "="
    ]
    if not targets:
        return None
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    out = source
    for tok in reversed(targets):
        start = offsets[tok.start[0] - 1] + tok.start[1]
        end = offsets[tok.end[0] - 1] + tok.end[1]
        out = out[:start] + _KW_PREFIX + tok.string + out[end:]
    return out
