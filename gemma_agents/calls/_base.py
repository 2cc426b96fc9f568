"""The :class:`Dialect` contract and the registry of dialects.

A dialect is one way of writing tool calls in model text: how tools are declared in the
prompt, how the model writes a call, how a result is fed back. Each dialect lives in its own
private module and registers one instance here, so adding a dialect never touches the others.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

from ..exceptions import ConfigError
from ._spec import ToolLike
from ._types import ParsedCalls, ToolCall

__all__ = ["DIALECTS", "Dialect", "get_dialect", "register_dialect"]


class Dialect(ABC):
    """One tool-call format: parse model text, render prompts, calls and results.

    Class attributes describe how a chat built on the dialect must be laid out, so that
    ``ChatGemma`` and the runtimes never hard-code per-format knowledge.

    Attributes:
        name: Registry key (``gemma3``, ``json``, ``functiongemma``, ``gemma4``, ``hermes``,
            ``line``, ``native``).
        result_role: Role of the message that carries a tool result back: ``"user"`` for
            prompt-based dialects (Gemma 3 has no tool role), ``"tool"`` for formats with a
            dedicated response block that the chat template places itself.
        system_role: Role for system text; ``None`` means the model has no system turn and
            the text must be folded into the first user turn (Gemma 3).
        stop: Extra stop sequences that end generation right after a call, so the model
            does not hallucinate the tool's answer.
        explicit: ``True`` when calls are delimited by dedicated markup; such formats are
            detected before the ambiguous ones (python lists, bare JSON).
        priority: Auto-detection order (lower first): the most specific markup wins.
        call_markers: Substrings that can begin call markup; a streaming consumer holds
            text back from the user once one of them (or a prefix of one) appears.
    """

    name: ClassVar[str] = ""
    result_role: ClassVar[str] = "user"
    system_role: ClassVar[str | None] = "system"
    stop: ClassVar[tuple[str, ...]] = ()
    explicit: ClassVar[bool] = False
    priority: ClassVar[int] = 100
    call_markers: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def parse(self, text: str, tools: Sequence[ToolLike] | None = None) -> ParsedCalls:
        """Extract the calls from model text; never raises (problems go to ``.errors``).

        Args:
            text: Raw model output.
            tools: The tools offered to the model. In ambiguous formats only their names
                count as calls; positional arguments map to their parameter order.
        """

    @abstractmethod
    def render_tools(self, tools: Sequence[ToolLike]) -> str:
        """Prompt text that declares ``tools`` and tells the model how to call them."""

    @abstractmethod
    def render_calls(self, calls: Sequence[ToolCall]) -> str:
        """How an assistant turn that made ``calls`` is written in this dialect."""

    @abstractmethod
    def render_tool_result(self, name: str, result: Any, call_id: str | None = None) -> str:
        """The block that hands ``result`` of tool ``name`` back to the model."""

    def detect(self, text: str) -> bool:
        """Cheap check: does ``text`` contain this dialect's call markup?

        The default parses; explicit dialects override it with a substring test.
        """
        parsed = self.parse(text)
        return bool(parsed) or bool(parsed.errors)

    def __repr__(self) -> str:
        return f"<Dialect {self.name}>"


DIALECTS: dict[str, Dialect] = {}
"""Every registered dialect by name (auto-detection follows ``Dialect.priority``)."""

_ALIASES = {
    "python": "gemma3",
    "tool_code": "gemma3",
    "qwen": "hermes",
    "ollama": "native",
    "openai": "native",
}


def register_dialect(dialect: Dialect) -> Dialect:
    """Add ``dialect`` to :data:`DIALECTS` (replacing one of the same name)."""
    DIALECTS[dialect.name] = dialect
    return dialect


def get_dialect(name: str | Dialect) -> Dialect:
    """Return the dialect called ``name`` (a :class:`Dialect` is returned unchanged).

    Raises:
        ConfigError: no dialect has that name; the hint lists the valid ones.
    """
    if isinstance(name, Dialect):
        return name
    key = _ALIASES.get(name.strip().lower(), name.strip().lower())
    try:
        return DIALECTS[key]
    except KeyError:
        raise ConfigError(
            f"unknown tool-call dialect {name!r}",
            hint=f"use one of: {', '.join(sorted(DIALECTS))}",
        ) from None
