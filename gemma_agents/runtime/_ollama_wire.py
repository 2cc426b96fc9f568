"""Ollama wire shapes: our :class:`Message` out, the client's responses back in.

Kept apart from the runtime so the mapping (base64 images, native tool calls, nanosecond
timings) can be read and tested on its own.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from ..calls._types import ToolCall
from .base import ChatResult, Message, StreamChunk, Usage

__all__ = [
    "chat_result",
    "has_model",
    "native_calls",
    "stream_chunk",
    "to_ollama_message",
    "usage_from",
]


def to_ollama_message(message: Message) -> dict[str, Any]:
    """Convert a :class:`Message` to an ``/api/chat`` message dict.

    ``developer`` (FunctionGemma's turn) is sent as ``system``: Ollama's templates render
    the system message into the developer/system slot themselves.
    """
    out: dict[str, Any] = {
        "role": "system" if message.role == "developer" else message.role,
        "content": message.content,
    }
    if message.images:
        out["images"] = [
            base64.b64encode(i).decode() if isinstance(i, bytes | bytearray) else i
            for i in message.images
        ]
    if message.tool_calls:
        out["tool_calls"] = [
            {"function": {"name": c.name, "arguments": dict(c.arguments)}}
            for c in message.tool_calls
        ]
    if message.tool_name:
        out["tool_name"] = message.tool_name
    return out


def has_model(names: Sequence[str], model: str) -> bool:
    wanted = model if ":" in model.rsplit("/", 1)[-1] else f"{model}:latest"
    return wanted in names or model in names


def usage_from(r: Any) -> Usage:
    """Ollama's counts and nanosecond durations as a :class:`Usage` (milliseconds)."""
    return Usage(
        prompt_tokens=r.prompt_eval_count or 0,
        completion_tokens=r.eval_count or 0,
        prompt_eval_ms=(r.prompt_eval_duration or 0) / 1e6,
        eval_ms=(r.eval_duration or 0) / 1e6,
        total_ms=(r.total_duration or 0) / 1e6,
    )


def native_calls(message: Any) -> list[ToolCall]:
    calls = []
    for call in message.tool_calls or []:
        args = call.function.arguments
        if isinstance(args, str):  # some templates hand back a JSON string
            try:
                args = json.loads(args)
            except ValueError:
                args = {"_raw": args}
        calls.append(
            ToolCall(name=call.function.name, arguments=dict(args or {}), dialect="native")
        )
    return calls


def chat_result(r: Any) -> ChatResult:
    return ChatResult(
        text=r.message.content or "",
        tool_calls=native_calls(r.message),
        usage=usage_from(r),
        model=r.model or "",
        done_reason=r.done_reason,
        thinking=r.message.thinking or None,
    )


def stream_chunk(r: Any) -> StreamChunk:
    return StreamChunk(
        text=r.message.content or "",
        tool_calls=native_calls(r.message),
        done=bool(r.done),
        usage=usage_from(r) if r.done else None,
        done_reason=r.done_reason,
        thinking=r.message.thinking or "",
    )
