"""Normalise anything that describes a tool into a :class:`ToolSpec`.

Users hand tools over in many shapes (our ``Tool``, OpenAI dicts, LangChain tools, pydantic
models, plain functions); every dialect renders from the one normalised shape.
"""

from __future__ import annotations

import inspect
from collections.abc import Container, Iterable, Mapping, Sequence
from typing import Any, TypeAlias

from ..exceptions import ToolDefinitionError
from ._types import ToolSpec

__all__ = [
    "ToolLike",
    "param_names",
    "resolve_name",
    "to_tool_spec",
    "tool_specs",
    "unknown_tool_feedback",
]

ToolLike: TypeAlias = Any
"""A :class:`ToolSpec`, a ``{name, description, parameters}`` or OpenAI tool dict, a
``gemma_agents`` ``Tool``, a LangChain ``BaseTool``, a pydantic model class or a function."""

_EMPTY_PARAMS: dict[str, Any] = {"type": "object", "properties": {}}
# Namespaces models put in front of tool names out of habit (Gemini's ``default_api.``,
# OpenAI's ``functions.``); dropped when the rest is a known tool.
_HABIT_PREFIXES = ("default_api.", "functions.", "tools.", "api.")


def to_tool_spec(obj: ToolLike) -> ToolSpec:
    """Return the :class:`ToolSpec` for ``obj``.

    Accepted: ``ToolSpec``; a dict ``{name, description, parameters}`` (``input_schema`` /
    ``inputSchema`` as used by Anthropic and MCP also work) or the OpenAI form
    ``{"type": "function", "function": {...}}``; our ``Tool`` (via ``.spec()``); a LangChain
    ``BaseTool``, a pydantic ``BaseModel`` class or a plain function (via LangChain's
    ``convert_to_openai_tool``, which reads type hints and Google-style docstrings).

    Raises:
        ToolDefinitionError: ``obj`` is none of these or has no name.
    """
    if isinstance(obj, ToolSpec):
        return obj
    if isinstance(obj, Mapping):
        return _from_mapping(obj)
    spec_method = getattr(obj, "spec", None)
    if callable(spec_method) and not inspect.isclass(obj):
        try:
            spec = spec_method()
        except TypeError:
            spec = None
        if isinstance(spec, ToolSpec):
            return spec
    if _is_langchain_tool(obj) or inspect.isclass(obj) or callable(obj):
        try:
            from langchain_core.utils.function_calling import convert_to_openai_tool

            converted = convert_to_openai_tool(obj)
        except Exception as exc:  # LangChain raises ValueError/TypeError/others
            raise ToolDefinitionError(
                _guess_name(obj),
                f"cannot derive a tool schema: {exc}",
                hint="add type hints and a docstring, or pass a dict with name/parameters",
            ) from exc
        return _from_mapping(converted)
    raise ToolDefinitionError(
        _guess_name(obj),
        f"unsupported tool object of type {type(obj).__name__}",
        hint="pass a Tool, ToolSpec, dict, LangChain tool, pydantic model or function",
    )


def tool_specs(tools: Sequence[ToolLike] | None) -> list[ToolSpec]:
    """Normalise a sequence of tools (``None`` gives an empty list)."""
    return [to_tool_spec(t) for t in tools or ()]


def param_names(spec: ToolSpec) -> list[str]:
    """The tool's parameter names in declaration order (for positional arguments)."""
    props = spec.parameters.get("properties") if isinstance(spec.parameters, Mapping) else None
    return list(props) if isinstance(props, Mapping) else []


def resolve_name(name: str, known: Container[str]) -> str:
    """``name``, or the known tool it means once a habitual prefix is removed
    (``default_api.get_weather`` -> ``get_weather``)."""
    if not known or name in known:
        return name
    for prefix in _HABIT_PREFIXES:
        if name.startswith(prefix) and name[len(prefix) :] in known:
            return name[len(prefix) :]
    return name


def unknown_tool_feedback(name: str, valid_names: Iterable[str]) -> str:
    """:func:`gemma_agents.schema.unknown_tool_feedback`, imported on first use so that
    ``import gemma_agents.calls`` does not pull in pydantic model building."""
    from ..schema._feedback import unknown_tool_feedback as feedback

    return feedback(name, valid_names)


def _from_mapping(data: Mapping[str, Any]) -> ToolSpec:
    if data.get("type") == "function" and isinstance(data.get("function"), Mapping):
        data = data["function"]
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ToolDefinitionError(
            repr(name), "tool dict has no name", hint='add "name": "<tool name>"'
        )
    params: Any = None
    for key in ("parameters", "input_schema", "inputSchema", "args_schema"):
        if data.get(key) is not None:
            params = data[key]
            break
    if params is None:
        params = dict(_EMPTY_PARAMS)
    if not isinstance(params, Mapping):
        raise ToolDefinitionError(
            name, f"parameters must be a JSON schema object, got {type(params).__name__}"
        )
    description = data.get("description") or ""
    return ToolSpec(name=name, description=str(description), parameters=dict(params))


def _is_langchain_tool(obj: Any) -> bool:
    try:
        from langchain_core.tools import BaseTool
    except ImportError:  # pragma: no cover - langchain-core is a hard dependency
        return False
    return isinstance(obj, BaseTool)


def _guess_name(obj: Any) -> str:
    return str(getattr(obj, "name", None) or getattr(obj, "__name__", None) or type(obj).__name__)
