"""The ``hermes`` dialect: ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>``.

The format of Hermes/Qwen chat templates, and of the community "gemma3-tools" Ollama
templates; results go back inside ``<tool_response>`` tags. The tags make calls explicit, so
unknown tool names are still returned (the validator tells the model which names exist).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ._base import Dialect, register_dialect
from ._jsoncall import NotACall, call_from_json, is_call_shaped, loads_lenient
from ._scan import remove_spans, result_text
from ._spec import ToolLike, tool_specs
from ._types import ParsedCalls, ToolCall

__all__ = ["HermesDialect"]

_OPEN, _CLOSE = "<tool_call>", "</tool_call>"
_DECODER = json.JSONDecoder()
HERMES_INSTRUCTION = (
    "# Tools\n\n"
    "You may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n"
    "<tools>\n{tools}\n</tools>\n\n"
    "For each function call, return a json object with function name and arguments within "
    "<tool_call></tool_call> XML tags:\n"
    "<tool_call>\n"
    '{{"name": <function-name>, "arguments": <args-json-object>}}\n'
    "</tool_call>"
)


def _blocks(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, body)`` of each ``<tool_call>`` block.

    The body is read with the JSON decoder first, so a ``</tool_call>`` inside a string
    value does not cut the call short; without valid JSON the block runs to the closing
    tag, the next opening tag or the end of the text.
    """
    blocks = []
    pos = 0
    while (start := text.find(_OPEN, pos)) != -1:
        body_start = start + len(_OPEN)
        i = body_start
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        end = -1
        try:
            _, json_end = _DECODER.raw_decode(text, i)
        except (ValueError, RecursionError):
            json_end = -1
        if json_end != -1:
            j = json_end
            while j < len(text) and text[j] in " \t\r\n":
                j += 1
            if text.startswith(_CLOSE, j) or j == len(text) or text.startswith(_OPEN, j):
                body_end = json_end
                end = j + len(_CLOSE) if text.startswith(_CLOSE, j) else j
        if end == -1:
            stops = [
                k for k in (text.find(_CLOSE, body_start), text.find(_OPEN, body_start)) if k != -1
            ]
            body_end = min(stops) if stops else len(text)
            end = body_end + len(_CLOSE) if text.startswith(_CLOSE, body_end) else body_end
        blocks.append((start, end, text[body_start:body_end].strip()))
        pos = max(end, body_start)
    return blocks


class HermesDialect(Dialect):
    """JSON calls inside ``<tool_call>`` tags."""

    name = "hermes"
    result_role = "user"
    system_role = "system"
    stop = ()
    explicit = True
    priority = 30
    call_markers = ("<tool_call>",)

    def detect(self, text: str) -> bool:
        return "<tool_call>" in text

    def parse(self, text: str, tools: Sequence[ToolLike] | None = None) -> ParsedCalls:
        calls: list[ToolCall] = []
        errors: list[tuple[str, str]] = []
        spans: list[tuple[int, int]] = []
        for start, end, body in _blocks(text):
            spans.append((start, end))
            try:
                value = loads_lenient(body)
            except ValueError as exc:
                errors.append((text[start:end][:300], f"<tool_call> body is not valid JSON: {exc}"))
                continue
            items = value if isinstance(value, list) else [value]
            for item in items:
                if not is_call_shaped(item, strict=False):
                    errors.append(
                        (
                            body[:300],
                            '<tool_call> must hold {"name": <tool name>, "arguments": {...}}',
                        )
                    )
                    continue
                try:
                    calls.append(call_from_json(item, self.name, body))
                except NotACall as exc:
                    errors.append((body[:300], str(exc)))
        found = bool(calls or errors)
        return ParsedCalls(
            calls,
            text=remove_spans(text, spans) if spans else text,
            errors=errors,
            dialect=self.name if found else None,
        )

    def render_tools(self, tools: Sequence[ToolLike]) -> str:
        lines = "\n".join(json.dumps(s.to_openai(), ensure_ascii=False) for s in tool_specs(tools))
        return HERMES_INSTRUCTION.format(tools=lines)

    def render_calls(self, calls: Sequence[ToolCall]) -> str:
        return "\n".join(
            "<tool_call>\n"
            + json.dumps({"name": c.name, "arguments": c.arguments}, ensure_ascii=False)
            + "\n</tool_call>"
            for c in calls
        )

    def render_tool_result(self, name: str, result: Any, call_id: str | None = None) -> str:
        payload = json.dumps({"name": name, "content": result_text(result)}, ensure_ascii=False)
        return f"<tool_response>\n{payload}\n</tool_response>"


register_dialect(HermesDialect())
