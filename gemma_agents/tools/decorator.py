"""Turn a typed, documented Python function into a :class:`Tool`.

The function's type hints become a pydantic model (the validator *and* the JSON schema the
model sees) and its Google-style docstring becomes the descriptions. Everything that would
make a tool unusable at run time (no hints, ``*args``, a type with no JSON schema, a name the
call dialects cannot write) is rejected here, at definition time, with a
:class:`ToolDefinitionError` naming the tool and the problem.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable
from typing import Annotated, Any, get_args, get_origin, overload

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.errors import PydanticSchemaGenerationError, PydanticUserError
from pydantic.fields import FieldInfo

from ..exceptions import ToolDefinitionError
from ._docstring import parse_docstring
from ._tool import SideEffects, Tool

__all__ = ["check_tool_name", "clean_schema", "function_to_tool", "tool"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_MAX_NAME = 64
_SIDE_EFFECTS: frozenset[str] = frozenset(typing.get_args(SideEffects))
_RESERVED = frozenset(dir(BaseModel)) | {"model_config", "model_fields", "schema", "json"}
_MODEL_CONFIG = ConfigDict(extra="forbid", populate_by_name=True)


def check_tool_name(name: str) -> str:
    """Return ``name`` if every call dialect can write it, else raise ToolDefinitionError.

    Names are identifiers, optionally namespaced with dots (``files.read``): Gemma's Python
    call syntax parses ``files.read(path="a")`` but not ``read-file(...)``.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ToolDefinitionError(
            str(name),
            "invalid name: use letters, digits and underscores, optionally dot-separated",
            hint="e.g. 'get_weather' or 'files.read'",
        )
    if len(name) > _MAX_NAME:
        raise ToolDefinitionError(name, f"name longer than {_MAX_NAME} characters")
    return name


@overload
def tool(fn: Callable[..., Any], /) -> Tool: ...


@overload
def tool(
    name: str | None = None,
    /,
    *,
    description: str | None = None,
    side_effects: SideEffects = "none",
    requires_approval: bool = False,
    timeout: float | None = 30.0,
    idempotent: bool = True,
    tags: typing.Iterable[str] = (),
    untrusted_output: bool = False,
    args_schema: type[BaseModel] | None = None,
) -> Callable[[Callable[..., Any]], Tool]: ...


def tool(
    fn_or_name: Callable[..., Any] | str | None = None,
    /,
    *,
    description: str | None = None,
    side_effects: SideEffects = "none",
    requires_approval: bool = False,
    timeout: float | None = 30.0,
    idempotent: bool = True,
    tags: typing.Iterable[str] = (),
    untrusted_output: bool = False,
    args_schema: type[BaseModel] | None = None,
) -> Tool | Callable[[Callable[..., Any]], Tool]:
    """Declare a tool: ``@tool``, ``@tool("name")`` or ``@tool(side_effects="write", ...)``.

    The decorated object is a :class:`Tool` that stays callable like the original function.

    Args:
        fn_or_name: The function (bare ``@tool``) or the tool's name.
        description: Overrides the docstring summary.
        side_effects: ``none``, ``read``, ``write`` or ``external``; guardrail policies use
            it to decide approvals.
        requires_approval: Always pause for a human before running.
        timeout: Seconds before a run is abandoned; ``None`` for no limit.
        idempotent: Safe to re-run after a crash with the same arguments.
        tags: Labels for :meth:`ToolRegistry.filter`.
        untrusted_output: Results come from third parties and are fenced as data.
        args_schema: Use this pydantic model instead of deriving one from the signature.

    Raises:
        ToolDefinitionError: the function cannot be a tool (see :func:`function_to_tool`).
    """
    options: dict[str, Any] = {
        "description": description,
        "side_effects": side_effects,
        "requires_approval": requires_approval,
        "timeout": timeout,
        "idempotent": idempotent,
        "tags": tags,
        "untrusted_output": untrusted_output,
        "args_schema": args_schema,
    }
    if callable(fn_or_name) and not isinstance(fn_or_name, str):
        return function_to_tool(fn_or_name, **options)
    name = fn_or_name

    def decorate(fn: Callable[..., Any]) -> Tool:
        return function_to_tool(fn, name=name, **options)

    return decorate


def function_to_tool(
    fn: Callable[..., Any],
    *,
    name: str | None = None,
    description: str | None = None,
    side_effects: SideEffects = "none",
    requires_approval: bool = False,
    timeout: float | None = 30.0,
    idempotent: bool = True,
    tags: typing.Iterable[str] = (),
    untrusted_output: bool = False,
    args_schema: type[BaseModel] | None = None,
    source: str = "python",
) -> Tool:
    """Build a :class:`Tool` from a function (what ``@tool`` does, without the sugar).

    Args:
        fn: Sync or async function with type hints on every parameter.
        name: Tool name; defaults to ``fn.__name__``.
        description: Defaults to the docstring's text before its first section.
        side_effects: See :func:`tool`.
        requires_approval: See :func:`tool`.
        timeout: See :func:`tool`.
        idempotent: See :func:`tool`.
        tags: See :func:`tool`.
        untrusted_output: See :func:`tool`.
        args_schema: A ready pydantic model for the arguments.
        source: Provenance recorded on the tool.

    Raises:
        ToolDefinitionError: invalid name, no description, a parameter without a type hint,
            ``*args``/``**kwargs``/positional-only parameters, or a type that has no JSON
            schema (``object``, callables, arbitrary classes).
    """
    if isinstance(fn, Tool):
        return fn
    if name is None:
        name = getattr(fn, "__name__", None) or "<anonymous>"
    tool_name = check_tool_name(name)
    doc = parse_docstring(inspect.getdoc(fn))
    text = (description if description is not None else doc.description).strip()
    if not text:
        raise ToolDefinitionError(
            tool_name,
            "no description",
            hint="write a docstring (its first paragraph becomes the description) or pass description=",
        )
    if side_effects not in _SIDE_EFFECTS:
        raise ToolDefinitionError(
            tool_name, f"side_effects must be one of {sorted(_SIDE_EFFECTS)}, got {side_effects!r}"
        )
    if timeout is not None and not timeout > 0:
        raise ToolDefinitionError(tool_name, f"timeout must be positive or None, got {timeout!r}")
    model = args_schema or _args_model(tool_name, fn, doc.params)
    schema = _schema(tool_name, model)
    return Tool(
        name=tool_name,
        description=text,
        args_model=model,
        fn=fn,
        side_effects=side_effects,
        requires_approval=requires_approval,
        timeout=timeout,
        idempotent=idempotent,
        tags=frozenset(tags),
        untrusted_output=untrusted_output,
        source=source,
        parameters_schema=schema,
    )


def _args_model(tool_name: str, fn: Callable[..., Any], docs: dict[str, str]) -> type[BaseModel]:
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        raise ToolDefinitionError(tool_name, f"cannot read the signature: {exc}") from exc
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:  # NameError for unresolved forward references, and others
        raise ToolDefinitionError(
            tool_name,
            f"cannot resolve type hints: {exc}",
            hint="import the types the annotations name at module level",
        ) from exc
    fields: dict[str, Any] = {}
    used: set[str] = set()
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise ToolDefinitionError(
                tool_name,
                f"*{param.name} / **{param.name} parameters are not supported",
                hint="declare every argument explicitly so the model sees a schema",
            )
        if param.kind is param.POSITIONAL_ONLY:
            raise ToolDefinitionError(
                tool_name,
                f"parameter {param.name!r} is positional-only; tools are called by keyword",
            )
        if param.name not in hints:
            raise ToolDefinitionError(
                tool_name,
                f"parameter {param.name!r} has no type hint",
                hint=f"annotate it, e.g. `{param.name}: str`",
            )
        annotation, inner_doc = _strip_string_metadata(hints[param.name])
        if _base_type(annotation) is object:
            raise ToolDefinitionError(
                tool_name,
                f"parameter {param.name!r}: type 'object' says nothing to the model",
                hint="use a concrete type (str, int, a pydantic model, dict[str, Any]...)",
            )
        field_name = _field_name(param.name, used)
        fields[field_name] = _field(annotation, param, docs.get(param.name) or inner_doc)
    try:
        return create_model(  # type: ignore[call-overload,no-any-return]
            _model_name(tool_name), __config__=_MODEL_CONFIG, **fields
        )
    except (PydanticSchemaGenerationError, PydanticUserError, TypeError, ValueError) as exc:
        raise ToolDefinitionError(
            tool_name, f"unsupported parameter type: {_first_line(exc)}"
        ) from exc


def _field(annotation: Any, param: inspect.Parameter, doc: str | None) -> tuple[Any, FieldInfo]:
    default = param.default
    alias = param.name
    has_inner_description = any(
        isinstance(m, FieldInfo) and m.description for m in _metadata(annotation)
    )
    description = None if has_inner_description else doc
    kwargs: dict[str, Any] = {"alias": alias}
    if isinstance(default, FieldInfo):
        # ``x: int = Field(3, ge=0)``: keep its constraints, add our alias and description.
        if default.metadata:
            annotation = Annotated[(annotation, *default.metadata)]  # type: ignore[valid-type]
        description = default.description or description
        if default.default_factory is not None:
            kwargs["default_factory"] = default.default_factory
        else:
            kwargs["default"] = default.default
        if default.examples:
            kwargs["examples"] = default.examples
    elif default is not inspect.Parameter.empty:
        kwargs["default"] = default
    # Passing description=None would erase one given inside Annotated[..., Field(...)].
    if description:
        kwargs["description"] = description
    return annotation, Field(**kwargs)


def _schema(tool_name: str, model: type[BaseModel]) -> dict[str, Any]:
    try:
        raw = model.model_json_schema(by_alias=True)
    except Exception as exc:  # PydanticInvalidForJsonSchema and friends
        raise ToolDefinitionError(
            tool_name,
            f"a parameter type has no JSON schema: {_first_line(exc)}",
            hint="callables and arbitrary classes cannot be sent by a model; use data types",
        ) from exc
    return clean_schema(raw)


def clean_schema(schema: Any) -> Any:
    """Drop the auto-generated ``title`` keywords pydantic adds (tokens the model pays for).

    Property *names* called ``title`` are kept: only the keyword inside a schema object
    is removed, never a key of a ``properties`` mapping.
    """
    if isinstance(schema, dict):
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key == "title" and isinstance(value, str):
                continue
            if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
                out[key] = {k: clean_schema(v) for k, v in value.items()}
            else:
                out[key] = clean_schema(value)
        return out
    if isinstance(schema, list):
        return [clean_schema(item) for item in schema]
    return schema


def _strip_string_metadata(annotation: Any) -> tuple[Any, str | None]:
    """``Annotated[int, "how many"]`` (the LangChain convention) -> (int, "how many")."""
    if get_origin(annotation) is not Annotated:
        return annotation, None
    base, *meta = get_args(annotation)
    texts = [m for m in meta if isinstance(m, str)]
    others = [m for m in meta if not isinstance(m, str)]
    stripped = Annotated[(base, *others)] if others else base  # type: ignore[valid-type]
    return stripped, (texts[0] if texts else None)


def _metadata(annotation: Any) -> tuple[Any, ...]:
    return tuple(get_args(annotation)[1:]) if get_origin(annotation) is Annotated else ()


def _base_type(annotation: Any) -> Any:
    return get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation


def _field_name(param: str, used: set[str]) -> str:
    """A pydantic-safe field name; the alias keeps the original name for the model."""
    name = param
    if name.startswith("_"):
        name = "f" + name
    if name in _RESERVED:
        name = name + "_"
    while name in used:
        name = name + "_"
    used.add(name)
    return name


def _model_name(tool_name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[._]", tool_name)) + "Args"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
