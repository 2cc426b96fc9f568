"""OpenAI wire shapes: messages out; choices, JSON-string tool arguments, usage back in.

Servers differ in the details (llama.cpp adds ``timings``, vLLM nests errors under
``detail``, llama-cpp-python returns per-token embeddings); the tolerant readers live here.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

from ..calls._types import ToolCall
from ..exceptions import InferenceError
from .base import ChatResult, Message, StreamChunk, Usage

__all__ = [
    "OPTION_NAMES",
    "assemble_stream",
    "chat_result",
    "data_url",
    "error_text",
    "family_of_model",
    "is_per_token",
    "pooled",
    "response_format",
    "sampling",
    "to_openai_message",
    "tool_call",
    "usage_from",
]

log = logging.getLogger("gemma_agents.runtime")

#: Ollama-vocabulary options and their OpenAI request names.
OPTION_NAMES = {
    "temperature": "temperature",
    "top_p": "top_p",
    "seed": "seed",
    "num_predict": "max_tokens",
    "max_tokens": "max_tokens",
    "stop": "stop",
    "presence_penalty": "presence_penalty",
    "frequency_penalty": "frequency_penalty",
    "top_k": "top_k",  # vLLM and llama.cpp accept these extensions
    "min_p": "min_p",
    "repeat_penalty": "repeat_penalty",
}


def sampling(options: Mapping[str, Any]) -> dict[str, Any]:
    """Map Ollama-vocabulary options to OpenAI request fields; others are dropped."""
    out: dict[str, Any] = {}
    for key, value in options.items():
        if key in OPTION_NAMES and value is not None:
            out[OPTION_NAMES[key]] = value
        else:
            log.debug("option %r has no OpenAI equivalent; not sent", key)
    return out


def response_format(
    format: Mapping[str, Any] | str, style: Literal["auto", "json_schema", "json_object"]
) -> dict[str, Any]:
    """``format`` as a ``response_format``: strict ``json_schema`` unless ``json_object``."""
    if format == "json" or isinstance(format, str):
        return {"type": "json_object"}
    if style == "json_object":
        return {"type": "json_object", "schema": dict(format)}
    name = re.sub(r"[^A-Za-z0-9_-]", "_", str(format.get("title") or "output"))[:64]
    return {
        "type": "json_schema",
        "json_schema": {"name": name, "schema": dict(format), "strict": True},
    }


def assemble_stream(events: Iterable[dict[str, Any]], started: float) -> Iterator[StreamChunk]:
    """Turn SSE chat events into chunks; tool-call fragments are joined by ``index``.

    Text and reasoning pass through as they arrive; tool calls come as one chunk once the
    stream ends (their JSON arguments are only parseable whole); the last chunk carries
    the usage (from ``stream_options.include_usage``) and the finish reason.
    """
    partial: dict[int, dict[str, str]] = {}
    finish: str | None = None
    usage: Usage | None = None
    for event in events:
        if event.get("usage"):
            usage = usage_from(event, (time.perf_counter() - started) * 1000)
        for choice in event.get("choices") or []:
            delta = choice.get("delta") or {}
            for call in delta.get("tool_calls") or []:
                slot = partial.setdefault(int(call.get("index", len(partial))), {})
                fn = call.get("function") or {}
                slot["name"] = slot.get("name", "") + (fn.get("name") or "")
                slot["arguments"] = slot.get("arguments", "") + (fn.get("arguments") or "")
            finish = choice.get("finish_reason") or finish
            text = delta.get("content") or ""
            thinking = delta.get("reasoning_content") or delta.get("reasoning") or ""
            if text or thinking:
                yield StreamChunk(text=text, thinking=thinking)
    if partial:
        calls = [tool_call(p["name"], p["arguments"]) for _, p in sorted(partial.items())]
        yield StreamChunk(tool_calls=calls)
    if usage is None:
        usage = Usage(total_ms=(time.perf_counter() - started) * 1000)
    yield StreamChunk(done=True, usage=usage, done_reason=finish)


def to_openai_message(message: Message) -> dict[str, Any]:
    """Convert a :class:`Message` to an OpenAI chat message (``developer`` -> ``system``)."""
    role = "system" if message.role == "developer" else message.role
    content: Any = message.content
    if message.images:
        content = [{"type": "text", "text": message.content}] + [
            {"type": "image_url", "image_url": {"url": data_url(image)}} for image in message.images
        ]
    out: dict[str, Any] = {"role": role, "content": content}
    if message.tool_calls:
        out["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
            }
            for call in message.tool_calls
        ]
    if role == "tool":
        out["tool_call_id"] = message.tool_call_id or ""
        if message.tool_name:
            out["name"] = message.tool_name
    return out


def data_url(image: bytes | str) -> str:
    if isinstance(image, str):
        if image.startswith(("data:", "http://", "https://")):
            return image
        raw = base64.b64decode(image[:64] + "=" * (-len(image[:64]) % 4))
        encoded = image
    else:
        raw, encoded = image, base64.b64encode(image).decode()
    mime = "image/png"
    if raw.startswith(b"\xff\xd8"):
        mime = "image/jpeg"
    elif raw.startswith(b"GIF8"):
        mime = "image/gif"
    elif raw[8:12] == b"WEBP":
        mime = "image/webp"
    return f"data:{mime};base64,{encoded}"


def is_per_token(embedding: Sequence[Any]) -> bool:
    return bool(embedding) and isinstance(embedding[0], Sequence)


def pooled(embedding: Sequence[Any]) -> list[float]:
    """One vector per text: per-token rows (llama-cpp-python without pooling) are
    mean-pooled and L2-normalised, like the pooled vectors other servers return."""
    if not is_per_token(embedding):
        return [float(x) for x in embedding]
    width = len(embedding[0])
    mean = [sum(float(row[i]) for row in embedding) / len(embedding) for i in range(width)]
    norm = math.sqrt(sum(v * v for v in mean)) or 1.0
    return [v / norm for v in mean]


def family_of_model(model: str) -> str | None:
    lowered = model.lower().replace("-", "").replace("_", "")
    for family in ("gemma4", "gemma3n", "gemma3", "gemma2"):
        if family in lowered:
            return "gemma3" if family == "gemma3n" else family
    return None


def error_text(body: Any) -> str:
    """The message inside an OpenAI/vLLM/llama.cpp/FastAPI error body."""
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return body.strip()[:500]
    if isinstance(body, Mapping):
        inner = body.get("error", body.get("detail", body.get("message", body)))
        if isinstance(inner, Mapping):
            return str(inner.get("message") or inner)
        return str(inner)
    return str(body)


def tool_call(name: str, arguments: Any) -> ToolCall:
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    try:
        parsed = json.loads(arguments) if isinstance(arguments, str) else arguments
    except ValueError:
        parsed = None
    if parsed in (None, ""):
        parsed = {} if not raw.strip() else {"_raw": raw}
    if not isinstance(parsed, dict):
        parsed = {"_raw": raw}
    return ToolCall(name=name, arguments=parsed, dialect="native", raw=raw)


def usage_from(data: Mapping[str, Any], wall_ms: float) -> Usage:
    """Token counts, plus llama.cpp's ``timings`` when the server sends them."""
    usage = data.get("usage") or {}
    timings = data.get("timings") or {}
    details = usage.get("prompt_tokens_details") or {}
    return Usage(
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
        prompt_eval_ms=float(timings.get("prompt_ms") or 0.0),
        eval_ms=float(timings.get("predicted_ms") or 0.0),
        total_ms=wall_ms,
        cached_tokens=int(details.get("cached_tokens") or timings.get("cache_n") or 0),
    )


def chat_result(data: Mapping[str, Any], model: str, wall_ms: float) -> ChatResult:
    choices = data.get("choices") or []
    if not choices:
        raise InferenceError(f"the server answered without choices: {str(data)[:200]}")
    message = choices[0].get("message") or {}
    calls = [
        tool_call(
            (c.get("function") or {}).get("name", ""),
            (c.get("function") or {}).get("arguments", ""),
        )
        for c in message.get("tool_calls") or []
    ]
    thinking = message.get("reasoning_content") or message.get("reasoning")
    return ChatResult(
        text=message.get("content") or "",
        tool_calls=calls,
        usage=usage_from(data, wall_ms),
        model=data.get("model") or model,
        done_reason=choices[0].get("finish_reason"),
        thinking=thinking or None,
    )
