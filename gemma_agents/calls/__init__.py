"""Tool-call dialects: find Gemma tool calls in model text and render prompts in each format.

Gemma 3 has no tool tokens, FunctionGemma and Gemma 4 have their own markup, community
templates use Hermes tags, and servers with native tool support hand calls over as JSON. This
package turns all of them into :class:`ToolCall` values and back::

    from gemma_agents.calls import parse_tool_calls, render_tools

    prompt = render_tools([get_weather], "gemma3")
    calls = parse_tool_calls('[get_weather(city="Paris")]', tools=[get_weather])
    calls[0].arguments  # {"city": "Paris"}

Dialects: ``gemma3`` (python list / tool_code fence), ``json``, ``functiongemma``,
``gemma4``, ``hermes``, ``line`` (``FUNCTION_CALL:`` lines) and ``native`` (server-parsed).
"""

from __future__ import annotations

from . import _functiongemma, _gemma3, _gemma4, _hermes, _json, _line, _native  # noqa: F401
from ._api import (
    detect_dialect,
    parse_tool_calls,
    render_calls,
    render_tool_result,
    render_tools,
)
from ._base import DIALECTS, Dialect, get_dialect, register_dialect
from ._gemma4 import split_thinking
from ._native import from_native
from ._spec import ToolLike, to_tool_spec
from ._types import ParsedCalls, ToolCall, ToolSpec, new_call_id

__all__ = [
    "DIALECTS",
    "Dialect",
    "ParsedCalls",
    "ToolCall",
    "ToolLike",
    "ToolSpec",
    "detect_dialect",
    "from_native",
    "get_dialect",
    "new_call_id",
    "parse_tool_calls",
    "register_dialect",
    "render_calls",
    "render_tool_result",
    "render_tools",
    "split_thinking",
    "to_tool_spec",
]
