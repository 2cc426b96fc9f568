"""The value types every dialect produces and consumes.

Kept free of parsing logic so that runtimes, tools and guardrails can import them without
pulling in any dialect.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ParsedCalls", "ToolCall", "ToolSpec", "new_call_id"]


def new_call_id() -> str:
    """Return a short unique id in the ``call_<hex>`` shape LangChain and OpenAI use."""
    return f"call_{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class ToolCall:
    """One tool invocation parsed from model output (or given natively by the runtime).

    Equality ignores ``id``, ``dialect`` and ``raw`` (the same call is the same call
    whichever syntax carried it), so that ``parse(render(calls)) == calls`` holds.

    Attributes:
        name: Tool name exactly as the model wrote it (dotted names allowed).
        arguments: Decoded argument values, keyed by the tool's original property names.
        id: Call id, generated when the model gave none.
        dialect: Which call dialect produced it (``gemma3``, ``json``, ``native``...).
        raw: The source text of the call, for error messages.
    """

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=new_call_id, compare=False)
    dialect: str = field(default="unknown", compare=False)
    raw: str = field(default="", compare=False, repr=False)

    def to_langchain(self) -> dict[str, Any]:
        """Return the ``langchain_core`` ``ToolCall`` TypedDict form."""
        return {"name": self.name, "args": dict(self.arguments), "id": self.id, "type": "tool_call"}


class ParsedCalls(list[ToolCall]):
    """The calls found in one model output, plus what surrounded them.

    A plain ``list[ToolCall]`` for callers that only want the calls.

    Attributes:
        text: The output with the call markup removed (user-visible prose).
        errors: Fragments that looked like calls but could not be parsed, each a
            ``(raw_fragment, error_message)`` pair; they become ``invalid_tool_calls``.
        dialect: The dialect that matched, or ``None`` when nothing matched.
    """

    def __init__(
        self,
        calls: list[ToolCall] | None = None,
        *,
        text: str = "",
        errors: list[tuple[str, str]] | None = None,
        dialect: str | None = None,
    ) -> None:
        super().__init__(calls or [])
        self.text = text
        self.errors = list(errors or [])
        self.dialect = dialect


@dataclass(frozen=True)
class ToolSpec:
    """What a model needs to know about a tool: its name, description and JSON schema.

    Attributes:
        name: Tool name (may contain dots).
        description: One-paragraph description shown to the model.
        parameters: JSON schema (``type: object``) of the arguments; BFCL-style
            schemas (``"type": "dict"``) are accepted and normalised downstream.
    """

    name: str
    description: str = ""
    parameters: Mapping[str, Any] = field(
        default_factory=lambda: {"type": "object", "properties": {}}
    )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "parameters": dict(self.parameters),
        }

    def to_openai(self) -> dict[str, Any]:
        """The ``{"type": "function", "function": {...}}`` form used by Ollama and OpenAI."""
        return {"type": "function", "function": self.to_dict()}
