"""Turning the ``Agent`` constructor's flexible arguments into the graph's parts.

Each function accepts the forms the public API promises (a model string or a LangChain
model; tools as functions, Tool objects, LangChain tools or a registry; guardrails as
``None``/``False``/a pipeline/a list) and returns one canonical form, or raises a
:class:`~gemma_agents.exceptions.ConfigError` that says what to pass instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.runnables import Runnable

from ..exceptions import ConfigError

if TYPE_CHECKING:
    from ..guardrails._types import Guardrail
    from ..guardrails.pipeline import GuardrailPipeline
    from ..tools._tool import Tool
    from ..tools.registry import ToolRegistry

__all__ = [
    "bind_tools",
    "colder_model",
    "default_redactor",
    "resolve_guards",
    "resolve_model",
    "resolve_tools",
    "user_message",
]

log = logging.getLogger(__name__)


def resolve_model(model: Any) -> BaseChatModel:
    if isinstance(model, BaseChatModel):
        return model
    from ..runtime.base import Runtime

    if isinstance(model, str | Runtime):
        from ..models import ChatGemma

        return ChatGemma(model=model)
    raise ConfigError(
        f"cannot use {type(model).__name__} as a model",
        hint="pass a model string ('ollama:gemma3:4b', 'llamacpp:gemma3-270m', 'auto'), "
        "a gemma_agents Runtime, or a LangChain chat model",
    )


def resolve_tools(tools: ToolRegistry | Iterable[Any] | None) -> dict[str, Tool]:
    from ..tools.registry import ToolRegistry

    if tools is None:
        return {}
    registry = tools if isinstance(tools, ToolRegistry) else ToolRegistry(tools)
    return {t.name: t for t in registry}


def bind_tools(model: BaseChatModel, tools: dict[str, Tool]) -> Runnable[Any, Any]:
    """Bind the tools once; a model without tool support is used as is (prompted)."""
    if not tools:
        return model
    payload: list[Any] = (
        list(tools.values())
        if _is_chat_gemma(model)
        else [t.spec().to_openai() for t in tools.values()]
    )
    try:
        return model.bind_tools(payload)
    except NotImplementedError:
        log.warning("%s cannot bind tools; it will not see them", type(model).__name__)
        return model


def _is_chat_gemma(model: BaseChatModel) -> bool:
    """ChatGemma takes our Tool objects (risk metadata included); others get OpenAI dicts."""
    try:
        from ..models import ChatGemma
    except ImportError:
        return False
    return isinstance(model, ChatGemma)


def colder_model(model: BaseChatModel, tools: dict[str, Tool], bound: Runnable[Any, Any]) -> Any:
    """The tool-bound model at temperature 0, for the loop detector's constrained retry."""
    temperature = getattr(model, "temperature", None)
    if not isinstance(temperature, int | float) or temperature <= 0:
        return bound
    try:
        colder = model.model_copy(update={"temperature": 0.0})
    except Exception:
        return bound
    return bind_tools(colder, tools)


def resolve_guards(
    guardrails: GuardrailPipeline | Sequence[Guardrail] | bool | None,
) -> GuardrailPipeline | None:
    if guardrails is False:
        return None
    from ..guardrails.pipeline import GuardrailPipeline

    if guardrails is None or guardrails is True:
        from ..guardrails import default_guardrails

        pipeline = default_guardrails()
        return pipeline if isinstance(pipeline, GuardrailPipeline) else GuardrailPipeline(pipeline)
    if isinstance(guardrails, GuardrailPipeline):
        return guardrails
    return GuardrailPipeline(list(guardrails))


def default_redactor(guards: GuardrailPipeline | None) -> Callable[[str], str] | None:
    if guards is None:
        return None
    try:
        from ..guardrails.pii import redact
    except ImportError:  # pragma: no cover - guardrails always ship pii
        return None
    return redact


def user_message(message: str | BaseMessage) -> BaseMessage:
    if isinstance(message, BaseMessage):
        return message
    if isinstance(message, str):
        return HumanMessage(content=message)
    raise ConfigError(
        f"a message must be a str or a LangChain message, not {type(message).__name__}",
        hint='agent.invoke("What is 2 + 2?")',
    )
