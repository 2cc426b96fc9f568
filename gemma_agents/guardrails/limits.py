"""Size limits: the cheapest guard, run first so oversized input never reaches the rest.

Limits protect the context window, the rule guards' latency and the bill. They block
with a message naming the limit and the actual size; they never truncate silently
(truncation would change what the user asked without telling them).

Message counts and attachments are not visible in the text, so the graph passes them in
:class:`~._types.GuardContext.extra`: ``message_count`` (messages in the thread,
including the new one) and ``attachments`` (a list of ``bytes``, base64 ``str`` or sizes
in bytes as ``int``).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from ._types import Decision, GuardContext, Guardrail, Stage

if TYPE_CHECKING:
    from ..calls._types import ToolCall
    from ..tools._tool import Tool

__all__ = ["LimitsGuard", "attachment_size"]


def attachment_size(item: Any) -> int:
    """Size in bytes of one attachment: ``bytes``, base64 ``str``, or an ``int`` size."""
    if isinstance(item, bool):
        raise TypeError("attachment size cannot be a bool")
    if isinstance(item, int):
        return item
    if isinstance(item, (bytes, bytearray, memoryview)):
        return len(item)
    if isinstance(item, str):
        s = item.split(",", 1)[1] if item.startswith("data:") and "," in item else item
        try:
            return len(base64.b64decode(s, validate=True))
        except (binascii.Error, ValueError):
            return len(s.encode())  # a path or URL: its own size is what we can see
    raise TypeError(f"cannot size an attachment of type {type(item).__name__}")


def _fmt(n: int) -> str:
    return f"{n:,}"


class LimitsGuard(Guardrail):
    """Blocks text, threads and attachments over configured sizes.

    Args:
        max_chars: Most characters in one message (input/output/tool result).
        max_bytes: Most UTF-8 bytes in one message (CJK and emoji are 3-4 bytes each).
        max_messages: Most messages in one thread (``ctx.extra["message_count"]``).
        max_attachment_bytes: Largest single attachment.
        max_total_attachment_bytes: Largest sum of all attachments of one message.
        max_attachments: Most attachments on one message.
        max_tool_result_chars: Separate character limit for tool results (defaults to
            ``max_chars``); results are often larger than user messages.
        max_argument_chars: Most characters in a tool call's JSON-encoded arguments.
        stages: Where to run.
    """

    name = "limits"

    def __init__(
        self,
        *,
        max_chars: int | None = 8000,
        max_bytes: int | None = None,
        max_messages: int | None = None,
        max_attachment_bytes: int | None = 10 * 1024 * 1024,
        max_total_attachment_bytes: int | None = None,
        max_attachments: int | None = None,
        max_tool_result_chars: int | None = None,
        max_argument_chars: int | None = None,
        stages: Iterable[Stage] = ("input", "tool_call", "tool_result", "output"),
        fail_mode: Literal["open", "closed"] = "closed",
    ) -> None:
        for key, val in {
            "max_chars": max_chars,
            "max_bytes": max_bytes,
            "max_messages": max_messages,
            "max_attachment_bytes": max_attachment_bytes,
            "max_total_attachment_bytes": max_total_attachment_bytes,
            "max_attachments": max_attachments,
            "max_tool_result_chars": max_tool_result_chars,
            "max_argument_chars": max_argument_chars,
        }.items():
            if val is not None and (isinstance(val, bool) or val < 0):
                raise ValueError(f"{key} must be a non-negative int or None, got {val!r}")
        self.max_chars = max_chars
        self.max_bytes = max_bytes
        self.max_messages = max_messages
        self.max_attachment_bytes = max_attachment_bytes
        self.max_total_attachment_bytes = max_total_attachment_bytes
        self.max_attachments = max_attachments
        self.max_tool_result_chars = max_tool_result_chars
        self.max_argument_chars = max_argument_chars
        self.stages = frozenset(stages)
        self.fail_mode = fail_mode

    def _text_problems(self, text: str, what: str, max_chars: int | None) -> list[str]:
        out = []
        if max_chars is not None and len(text) > max_chars:
            out.append(f"{what} is {_fmt(len(text))} characters; the limit is {_fmt(max_chars)}")
        if self.max_bytes is not None:
            n = len(text.encode("utf-8", "surrogatepass"))
            if n > self.max_bytes:
                out.append(f"{what} is {_fmt(n)} bytes; the limit is {_fmt(self.max_bytes)}")
        return out

    def _context_problems(self, ctx: GuardContext) -> list[str]:
        out = []
        count = ctx.extra.get("message_count")
        if self.max_messages is not None and isinstance(count, int) and count > self.max_messages:
            out.append(
                f"the conversation has {_fmt(count)} messages; the limit is {_fmt(self.max_messages)}"
            )
        attachments: Sequence[Any] = ctx.extra.get("attachments") or ()
        if self.max_attachments is not None and len(attachments) > self.max_attachments:
            out.append(
                f"{len(attachments)} attachments were sent; the limit is {self.max_attachments}"
            )
        sizes = [attachment_size(a) for a in attachments]
        if self.max_attachment_bytes is not None:
            for i, n in enumerate(sizes):
                if n > self.max_attachment_bytes:
                    out.append(
                        f"attachment {i + 1} is {_fmt(n)} bytes; the limit is "
                        f"{_fmt(self.max_attachment_bytes)}"
                    )
        if (
            self.max_total_attachment_bytes is not None
            and sum(sizes) > self.max_total_attachment_bytes
        ):
            out.append(
                f"attachments total {_fmt(sum(sizes))} bytes; the limit is "
                f"{_fmt(self.max_total_attachment_bytes)}"
            )
        return out

    @staticmethod
    def _block(problems: list[str], stage: Stage, text: str | None = None) -> Decision | None:
        if not problems:
            return None
        return Decision(
            "block",
            tuple(problems),
            text=text,
            stage=stage,
            message="Too large to process: " + "; ".join(problems) + ".",
        )

    def check_input(self, text: str, ctx: GuardContext) -> Decision | None:
        problems = self._text_problems(text, "the message", self.max_chars)
        return self._block(problems + self._context_problems(ctx), "input", text)

    def check_output(self, text: str, ctx: GuardContext) -> Decision | None:
        return self._block(self._text_problems(text, "the answer", self.max_chars), "output", text)

    def check_tool_result(
        self, text: str, call: ToolCall, tool: Tool | None, ctx: GuardContext
    ) -> Decision | None:
        limit = (
            self.max_tool_result_chars if self.max_tool_result_chars is not None else self.max_chars
        )
        name = call.name if call is not None else "tool"
        problems = self._text_problems(text, f"the result of {name!r}", limit)
        return self._block(problems, "tool_result", text)

    def check_tool_call(
        self, call: ToolCall, tool: Tool | None, ctx: GuardContext
    ) -> Decision | None:
        if self.max_argument_chars is None:
            return None
        import json

        n = len(json.dumps(call.arguments, ensure_ascii=False, default=str))
        if n <= self.max_argument_chars:
            return None
        return self._block(
            [
                f"the arguments of {call.name!r} are {_fmt(n)} characters; the limit is {_fmt(self.max_argument_chars)}"
            ],
            "tool_call",
        )
