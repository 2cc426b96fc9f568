"""The ``gemma4`` dialect: Gemma 4's native tool tokens and thinking channel.

Calls are ``<|tool_call>call:NAME{key:<|"|>text<|"|>}<tool_call|>``, declarations
``<|tool>declaration:NAME{...}<tool|>`` in the system turn, results
``<|tool_response>response:NAME{...}<tool_response|>`` (generation stops at
``<|tool_response>``). Thinking, when enabled, arrives as ``<|channel>thought ...<channel|>``
before the answer and is stripped from the prose. Malformed variants seen in the wild
(parenthesised arguments, plain quotes, a missing ``<tool_call|>``) are tolerated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ._base import Dialect, register_dialect
from ._markup import MarkupFormat
from ._spec import ToolLike, tool_specs
from ._types import ParsedCalls, ToolCall
from ._values import ValueSyntax

__all__ = ["GEMMA4", "Gemma4Dialect", "split_thinking"]

GEMMA4 = MarkupFormat(
    dialect="gemma4",
    call_start="<|tool_call>",
    call_end="<tool_call|>",
    response_start="<|tool_response>",
    response_end="<tool_response|>",
    decl_start="<|tool>",
    decl_end="<tool|>",
    syntax=ValueSyntax('<|"|>'),
)
_THOUGHT_RE = re.compile(r"<\|channel\>(?:thought)?\s*(.*?)(?:<channel\|>|\Z)", re.DOTALL)


def split_thinking(text: str) -> tuple[str, str]:
    """Split Gemma 4 output into ``(thinking, rest)``.

    ``<|channel>thought ...<channel|>`` blocks are removed from ``rest`` and joined into
    ``thinking``; an unclosed block (generation cut off) runs to the end.
    """
    thoughts = [m.group(1).strip() for m in _THOUGHT_RE.finditer(text)]
    if not thoughts:
        return "", text
    return "\n\n".join(t for t in thoughts if t), _THOUGHT_RE.sub("", text).strip()


class Gemma4Dialect(Dialect):
    """Gemma 4 markup with ``<|"|>`` string delimiters."""

    name = "gemma4"
    result_role = "tool"
    system_role = "system"
    stop = ("<|tool_response>",)
    explicit = True
    priority = 10
    call_markers = ("<|tool_call>", "<|channel>")

    def detect(self, text: str) -> bool:
        return GEMMA4.call_start in text or "<|channel>" in text

    def parse(self, text: str, tools: Sequence[ToolLike] | None = None) -> ParsedCalls:
        _, rest = split_thinking(text)
        parsed = GEMMA4.parse(rest, tool_specs(tools))
        if parsed.dialect is None:
            parsed.dialect = self.name if "<|channel>" in text else None
        return parsed

    def render_tools(self, tools: Sequence[ToolLike]) -> str:
        return "".join(GEMMA4.render_declaration(s) for s in tool_specs(tools))

    def render_calls(self, calls: Sequence[ToolCall]) -> str:
        return "".join(GEMMA4.render_call(c) for c in calls)

    def render_tool_result(self, name: str, result: Any, call_id: str | None = None) -> str:
        return GEMMA4.render_response(name, result)


register_dialect(Gemma4Dialect())
