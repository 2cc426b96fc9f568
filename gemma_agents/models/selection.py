"""Pick how a Gemma model is asked for tool calls: native, prompted in a dialect, or constrained.

Gemma generations differ in what they can do: Gemma 4 and FunctionGemma have tool tokens
(and Ollama parses them natively), Gemma 3 / 3n have none and follow a prompted python-list
format, and the tiny base 270M follows no instructions at all, so it only produces usable calls
when the output is forced into a JSON schema and shown a few examples. The choice is a pure
function of the model name, the runtime and its capabilities, so it can be tested without a
model and overridden per :class:`~gemma_agents.models.ChatGemma` instance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..exceptions import ConfigError
from ..runtime.base import Capabilities

__all__ = ["Mode", "Strategy", "family_of_model", "select_strategy"]

Mode = Literal["native", "prompted", "constrained"]

_MODES = ("auto", "native", "prompted", "constrained")
_NATIVE_FAMILIES = frozenset({"gemma4", "functiongemma"})
_TEXT_DIALECT = {
    "gemma3": "gemma3",
    "gemma3n": "gemma3",
    "functiongemma": "functiongemma",
    "gemma4": "gemma4",
}
_NATIVE_RUNTIMES = frozenset({"ollama", "openai"})
_TINY = re.compile(r"(?<![0-9.])(270m|0\.27b)", re.IGNORECASE)


@dataclass(frozen=True)
class Strategy:
    """How one model is driven.

    Attributes:
        mode: ``native`` (the runtime parses calls), ``prompted`` (tools rendered into the
            prompt, calls parsed from text) or ``constrained`` (output forced into a JSON
            schema that is the union of every tool call and a final answer).
        dialect: Call dialect used to render tools and parse text: ``native`` for native
            mode, ``json`` for constrained mode, else a text dialect (``gemma3``...).
        few_shot: Whether worked examples are added to the prompt.
        family: Model family (``gemma3``, ``gemma3n``, ``functiongemma``, ``gemma4``) or
            ``None`` when unknown.
        reason: One line saying why, surfaced in ``response_metadata`` and logs.
    """

    mode: Mode
    dialect: str
    few_shot: bool
    family: str | None
    reason: str


def family_of_model(model: str, capabilities: Capabilities | None = None) -> str | None:
    """Model family from the catalog, the runtime's report or the name itself.

    The catalog (``gemma_agents.catalog.family_of``) knows every Gemma tag; the runtime's
    ``Capabilities.family`` covers custom Ollama models; the name heuristics keep this
    working for GGUF paths and servers that report nothing.
    """
    found: str | None = None
    try:
        from ..catalog import family_of

        found = family_of(model)
    except Exception:  # a missing or broken catalog must not break model selection
        found = None
    if found:
        return str(found)
    name = model.lower().rsplit("/", 1)[-1]
    for family in ("functiongemma", "gemma3n", "gemma4", "gemma3"):
        pattern = family.replace("gemma", r"gemma[-_ ]?")
        if re.search(pattern, name):
            return family
    reported = (capabilities.family if capabilities else None) or ""
    reported = reported.lower()
    if reported in _TEXT_DIALECT:
        return reported
    if reported.startswith("gemma3n"):
        return "gemma3n"
    if reported.startswith("gemma4"):
        return "gemma4"
    if reported.startswith("gemma"):
        return "gemma3"
    return None


def is_tiny_base_model(model: str) -> bool:
    """True for the 270M base checkpoint, which needs constrained decoding and examples."""
    name = model.lower()
    return bool(_TINY.search(name)) and "functiongemma" not in name and "-it" not in name


def select_strategy(
    model: str,
    runtime: str,
    capabilities: Capabilities,
    *,
    dialect: str | None = None,
    mode: str = "auto",
    few_shot: bool | None = None,
) -> Strategy:
    """Decide mode, dialect and few-shot use for ``model`` served by ``runtime``.

    Args:
        model: Model name or GGUF path as the runtime knows it.
        runtime: Runtime backend name (``ollama``, ``llamacpp``, ``openai``, ``test``).
        capabilities: What the runtime reports for the model.
        dialect: Force a call dialect (``native`` forces native mode).
        mode: ``auto`` or a forced mode.
        few_shot: Force few-shot examples on or off (default: on in constrained mode only).

    Returns:
        The :class:`Strategy`.

    Raises:
        ConfigError: ``mode`` is not one of ``auto``, ``native``, ``prompted``,
            ``constrained``, or native mode was forced on a runtime that parses no calls.
    """
    if mode not in _MODES:
        raise ConfigError(
            f"unknown ChatGemma mode {mode!r}", hint=f"use one of: {', '.join(_MODES)}"
        )
    family = family_of_model(model, capabilities)
    text_dialect = _TEXT_DIALECT.get(family or "", "gemma3")

    chosen: Mode
    if mode != "auto":
        chosen = mode  # type: ignore[assignment]
        reason = f"mode={mode} requested"
    elif dialect == "native":
        chosen, reason = "native", "dialect=native requested"
    elif dialect is not None:
        chosen, reason = "prompted", f"dialect={dialect} requested"
    elif runtime == "llamacpp" and family in (None, "gemma3") and is_tiny_base_model(model):
        chosen = "constrained"
        reason = "base 270M model: JSON-schema constrained calls with few-shot examples"
    elif capabilities.tools and runtime in _NATIVE_RUNTIMES and family in _NATIVE_FAMILIES:
        chosen, reason = "native", f"{family} on {runtime} parses tool calls natively"
    elif capabilities.tools and runtime in _NATIVE_RUNTIMES and family is None:
        chosen, reason = "native", f"unknown family on {runtime} with native tool support"
    else:
        chosen = "prompted"
        reason = f"{family or 'unknown'} family on {runtime}: prompted {text_dialect} calls"

    if chosen == "native" and runtime not in _NATIVE_RUNTIMES and runtime != "test":
        raise ConfigError(
            f"native tool calls are not available on the {runtime} runtime",
            hint="use mode='prompted' or mode='constrained'",
        )
    if chosen == "native":
        resolved_dialect = "native"
    elif chosen == "constrained":
        resolved_dialect = "json"
    else:
        resolved_dialect = dialect if dialect not in (None, "native") else text_dialect
    use_few_shot = (chosen == "constrained") if few_shot is None else few_shot
    return Strategy(chosen, str(resolved_dialect), use_few_shot, family, reason)


def fallback_strategy(strategy: Strategy) -> Strategy:
    """The prompted strategy used after a runtime refused native tools for a model."""
    dialect = _TEXT_DIALECT.get(strategy.family or "", "gemma3")
    return Strategy(
        "prompted",
        dialect,
        strategy.few_shot,
        strategy.family,
        f"runtime refused native tools: prompted {dialect} calls",
    )
