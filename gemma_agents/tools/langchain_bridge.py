"""Two-way bridge between our :class:`Tool` and LangChain's ``BaseTool``.

``to_langchain`` lets registry tools run anywhere LangChain tools run (LangGraph's
``ToolNode``, other agents); ``from_langchain`` brings the LangChain ecosystem's tools into a
registry. Our risk metadata travels in ``BaseTool.metadata["gemma_agents"]`` so a round trip
keeps it.

LangChain tools carry no risk metadata, so a foreign one is imported *conservatively*: it
may do anything, so ``side_effects="external"`` and ``idempotent=False`` (never re-run after
a crash) unless the caller says otherwise. Approval is left to the guardrail policy, which
sees ``external`` and can require it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, create_model

from ..exceptions import ToolDefinitionError
from ._tool import SideEffects, Tool
from .decorator import check_tool_name, clean_schema
from .results import ToolResult

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool, StructuredTool

__all__ = ["from_langchain", "model_for_schema", "sanitize_name", "to_langchain"]

_META_KEY = "gemma_agents"


def to_langchain(tool: Tool) -> StructuredTool:
    """A LangChain ``StructuredTool`` that validates with the tool's model and runs it.

    ``ainvoke`` runs through ``Tool.arun`` (timeout honoured; sync tools in a worker
    thread, async ones on the caller's loop); ``invoke`` through ``Tool.run`` (an async
    tool gets its own event loop, so call ``invoke`` outside a running loop). Results that are
    :class:`ToolResult` become their text; ``metadata["gemma_agents"]`` holds the risk
    metadata (side effects, approval, timeout, idempotency, untrusted output, source).
    """
    from langchain_core.tools import StructuredTool

    model = tool.args_model
    renamed = any((info.alias or name) != name for name, info in model.model_fields.items())

    def to_original(kwargs: dict[str, Any]) -> dict[str, Any]:
        # LangChain validated with our model and passes *field* names; the function wants
        # the original parameter names, which the aliases carry.
        if not renamed:
            return kwargs
        return model.model_construct(**kwargs).model_dump(by_alias=True)

    def func(**kwargs: Any) -> Any:
        return _text(tool.run(to_original(kwargs)))

    async def coroutine(**kwargs: Any) -> Any:
        return _text(await tool.arun(to_original(kwargs)))

    return StructuredTool(
        name=tool.name,
        description=tool.description,
        args_schema=model,
        func=func,
        coroutine=coroutine,
        tags=sorted(tool.tags),
        metadata={_META_KEY: _risk(tool)},
    )


def from_langchain(
    lc_tool: BaseTool,
    *,
    name: str | None = None,
    side_effects: SideEffects | None = None,
    requires_approval: bool | None = None,
    idempotent: bool | None = None,
    timeout: float | None = None,
    untrusted_output: bool | None = None,
) -> Tool:
    """Wrap a LangChain ``BaseTool`` as a :class:`Tool` (run through its ``ainvoke``).

    Args:
        lc_tool: Any LangChain tool (``@tool`` functions, ``StructuredTool``, subclasses).
        name: Override the name (LangChain names may contain characters our call dialects
            cannot write; those are replaced by ``_`` otherwise).
        side_effects: Defaults to the metadata we wrote in :func:`to_langchain`, else
            ``"external"`` (unknown code: assume the worst).
        requires_approval: Defaults to the round-tripped value, else ``False``.
        idempotent: Defaults to the round-tripped value, else ``False``.
        timeout: Seconds per run; defaults to the round-tripped value, else 30.
        untrusted_output: Defaults to the round-tripped value, else ``False``.

    Raises:
        ToolDefinitionError: the tool's schema cannot be turned into a validator.
    """
    meta = dict((lc_tool.metadata or {}).get(_META_KEY) or {})
    tool_name = check_tool_name(name or sanitize_name(lc_tool.name))
    model, schema = _lc_schema(tool_name, lc_tool)

    async def call(**kwargs: Any) -> Any:
        return await lc_tool.ainvoke(kwargs)

    return Tool(
        name=tool_name,
        description=(lc_tool.description or "").strip() or tool_name,
        args_model=model,
        fn=call,
        side_effects=side_effects or meta.get("side_effects") or "external",
        requires_approval=_pick(requires_approval, meta.get("requires_approval"), False),
        timeout=timeout if timeout is not None else meta.get("timeout", 30.0),
        idempotent=_pick(idempotent, meta.get("idempotent"), False),
        tags=frozenset(lc_tool.tags or ()),
        untrusted_output=_pick(untrusted_output, meta.get("untrusted_output"), False),
        source=meta.get("source") or "langchain",
        parameters_schema=schema,
    )


def sanitize_name(name: str) -> str:
    """Map a foreign tool name onto our name grammar (``get-weather`` -> ``get_weather``)."""
    parts = [re.sub(r"\W", "_", part) or "_" for part in str(name).split(".")]
    parts = ["_" + p if p[0].isdigit() else p for p in parts]
    return ".".join(parts)[:64]


def model_for_schema(tool_name: str, schema: dict[str, Any]) -> type[BaseModel]:
    """A validator for a JSON schema that arrived from outside (LangChain, MCP).

    Uses :func:`gemma_agents.schema.model_from_json_schema` (aliases keep odd property
    names). If that module is unavailable, a permissive model is used and the server/tool
    on the other side does the validation.

    Raises:
        ToolDefinitionError: the schema cannot be converted.
    """
    try:
        from ..schema import model_from_json_schema
    except ImportError:
        return create_model(  # type: ignore[call-overload,no-any-return]
            "ExternalArgs", __config__=ConfigDict(extra="allow")
        )
    try:
        return model_from_json_schema(schema, name=_model_name(tool_name))
    except Exception as exc:
        raise ToolDefinitionError(tool_name, f"cannot use its input schema: {exc}") from exc


def _lc_schema(tool_name: str, lc_tool: BaseTool) -> tuple[type[BaseModel], dict[str, Any]]:
    call_schema = lc_tool.tool_call_schema
    args_schema = lc_tool.args_schema
    if isinstance(call_schema, type) and issubclass(call_schema, BaseModel):
        # tool_call_schema is args_schema minus injected arguments, rebuilt without the
        # aliases; when nothing is injected, the original keeps aliased names working.
        model: type[BaseModel] = call_schema
        if (
            isinstance(args_schema, type)
            and issubclass(args_schema, BaseModel)
            and set(args_schema.model_fields) == set(call_schema.model_fields)
        ):
            model = args_schema
        return model, clean_schema(model.model_json_schema(by_alias=True))
    if isinstance(call_schema, dict):
        schema = {k: v for k, v in call_schema.items() if k not in ("title", "description")}
    else:  # pydantic v1 models and other exotic shapes: go through LangChain's converter
        from langchain_core.utils.function_calling import convert_to_openai_tool

        schema = dict(convert_to_openai_tool(lc_tool)["function"].get("parameters") or {})
    schema.setdefault("type", "object")
    schema.setdefault("properties", {})
    return model_for_schema(tool_name, schema), clean_schema(schema)


def _risk(tool: Tool) -> dict[str, Any]:
    return {
        "side_effects": tool.side_effects,
        "requires_approval": tool.requires_approval,
        "timeout": tool.timeout,
        "idempotent": tool.idempotent,
        "untrusted_output": tool.untrusted_output,
        "source": tool.source,
    }


def _text(value: Any) -> Any:
    return value.text if isinstance(value, ToolResult) else value


def _pick(explicit: bool | None, meta: Any, default: bool) -> bool:
    if explicit is not None:
        return explicit
    return bool(meta) if meta is not None else default


def _model_name(tool_name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[._]", tool_name) if p) + "Args"
