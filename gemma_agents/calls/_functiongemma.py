"""The ``functiongemma`` dialect: FunctionGemma's control tokens.

Calls are ``<start_function_call>call:NAME{key:<escape>text<escape>,n:3}<end_function_call>``;
tools are declared in a ``developer`` turn (that turn is what switches function calling on),
and results come back as ``<start_function_response>response:NAME{...}<end_function_response>``,
which is also a stop sequence so the model does not invent the tool's answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._base import Dialect, register_dialect
from ._markup import MarkupFormat
from ._spec import ToolLike, tool_specs
from ._types import ParsedCalls, ToolCall
from ._values import ValueSyntax

__all__ = ["FUNCTIONGEMMA", "FunctionGemmaDialect"]

FUNCTIONGEMMA = MarkupFormat(
    dialect="functiongemma",
    call_start="<start_function_call>",
    call_end="<end_function_call>",
    response_start="<start_function_response>",
    response_end="<end_function_response>",
    decl_start="<start_function_declaration>",
    decl_end="<end_function_declaration>",
    syntax=ValueSyntax("<escape>"),
)
FUNCTIONGEMMA_PREAMBLE = "You are a model that can do function calling with the following functions"


class FunctionGemmaDialect(Dialect):
    """FunctionGemma markup; the developer turn carries the declarations."""

    name = "functiongemma"
    result_role = "tool"
    system_role = "developer"
    stop = ("<start_function_response>",)
    explicit = True
    priority = 20
    call_markers = ("<start_function_call>",)

    def detect(self, text: str) -> bool:
        return FUNCTIONGEMMA.call_start in text

    def parse(self, text: str, tools: Sequence[ToolLike] | None = None) -> ParsedCalls:
        return FUNCTIONGEMMA.parse(text, tool_specs(tools))

    def render_tools(self, tools: Sequence[ToolLike]) -> str:
        decls = "".join(FUNCTIONGEMMA.render_declaration(s) for s in tool_specs(tools))
        return FUNCTIONGEMMA_PREAMBLE + decls

    def render_calls(self, calls: Sequence[ToolCall]) -> str:
        return "".join(FUNCTIONGEMMA.render_call(c) for c in calls)

    def render_tool_result(self, name: str, result: Any, call_id: str | None = None) -> str:
        return FUNCTIONGEMMA.render_response(name, result)


register_dialect(FunctionGemmaDialect())
