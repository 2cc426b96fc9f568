"""Ollama's OpenAI-compatible ``/v1`` endpoints for the fake server.

Real Ollama serves ``/v1/chat/completions``, ``/v1/completions``, ``/v1/embeddings`` and
``/v1/models`` next to its native API; the fake does too, so the OpenAI-compatible runtime
gets wire-level tests of SSE streaming, ``tool_calls`` with JSON-string arguments, usage
chunks and OpenAI-shaped error bodies (401/404/5xx) without a GPU server.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ._fake_models import FakeModel, HTTPError, count_tokens, split_pieces
from ._fake_routes import apply_options, chat_request_tokens, registry_name

if TYPE_CHECKING:
    from ._fake_routes import Route
    from .fake_ollama import FakeOllama, _Handler

__all__ = ["OPENAI_ROUTES"]


def _auth(fake: FakeOllama, h: _Handler) -> None:
    if fake.api_key is not None and h.headers.get("Authorization") != f"Bearer {fake.api_key}":
        raise HTTPError(401, "Incorrect API key provided")


def _lookup(fake: FakeOllama, name: Any) -> tuple[str, FakeModel]:
    if not isinstance(name, str) or not name:
        raise HTTPError(400, "model is required")
    return fake._model(name)


def _sse(objects: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> Iterator[str]:
    for obj in objects:
        yield f"data: {json.dumps(obj)}\n\n"
    yield "data: [DONE]\n\n"


def _sse_error(message: str) -> str:
    error = {"message": message, "type": "api_error", "param": None, "code": None}
    return f"data: {json.dumps({'error': error})}\n\n"


def _models(fake: FakeOllama, h: _Handler, body: dict[str, Any], midstream: str | None) -> None:
    _auth(fake, h)
    created = int(time.time())
    data = [
        {"id": key, "object": "model", "created": created, "owned_by": "library"}
        for key in sorted(fake.models)
    ]
    h.send_json(200, {"object": "list", "data": data})


def _to_native(body: dict[str, Any]) -> dict[str, Any]:
    """Translate an OpenAI request into the ``/api/chat`` body handlers receive."""
    native = dict(body)
    options: dict[str, Any] = {}
    if body.get("max_tokens") is not None:
        options["num_predict"] = body["max_tokens"]
    if body.get("stop") is not None:
        options["stop"] = body["stop"]
    for key in ("temperature", "top_p", "seed"):
        if body.get(key) is not None:
            options[key] = body[key]
    native["options"] = options
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        native["format"] = (fmt.get("json_schema") or {}).get("schema") or "json"
    elif fmt.get("type") == "json_object":  # llama-cpp-python's form carries a schema
        native["format"] = fmt.get("schema") or "json"
    return native


def _chat(fake: FakeOllama, h: _Handler, body: dict[str, Any], midstream: str | None) -> None:
    _auth(fake, h)
    name = body.get("model")
    key, model = _lookup(fake, name)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise HTTPError(400, "[] is too short - 'messages'")
    if "completion" not in model.capabilities:
        raise HTTPError(400, f'"{name}" does not support chat')
    if body.get("tools") and "tools" not in model.capabilities:
        raise HTTPError(400, f"{registry_name(key)} does not support tools")
    native = _to_native(body)
    reply = fake._chat_reply(native)
    content, reason = apply_options(reply.content, native["options"], reply.done_reason)
    calls: list[dict[str, Any]] = [
        {
            "id": tc.get("id") or f"call_{uuid.uuid4().hex[:8]}",
            "index": i,
            "type": "function",
            "function": {
                "name": tc["function"]["name"],
                "arguments": json.dumps(tc["function"].get("arguments", {})),
            },
        }
        for i, tc in enumerate(reply.tool_calls)
    ]
    finish = "tool_calls" if calls else reason
    prompt_tokens = chat_request_tokens(body)
    completion_tokens = count_tokens(content) + sum(
        count_tokens(c["function"]["arguments"]) for c in calls
    )
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    base = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:6]}",
        "created": int(time.time()),
        "model": name,
        "system_fingerprint": "fp_ollama",
    }
    fake._touch(key, None)
    if not body.get("stream"):
        if midstream is not None:
            raise HTTPError(500, midstream)
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if reply.thinking:
            message["reasoning"] = reply.thinking
        if calls:
            message["tool_calls"] = calls
        choice = {"index": 0, "message": message, "finish_reason": finish}
        h.send_json(200, {**base, "object": "chat.completion", "choices": [choice], "usage": usage})
        return

    def chunks() -> Iterator[dict[str, Any]]:
        head = {**base, "object": "chat.completion.chunk"}
        for piece in split_pieces(content) or [""]:
            delta: dict[str, Any] = {"role": "assistant", "content": piece}
            yield {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
        if calls:
            delta = {"role": "assistant", "content": "", "tool_calls": calls}
            yield {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
        done = {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": finish}
        yield {**head, "choices": [done]}
        if (body.get("stream_options") or {}).get("include_usage"):
            yield {**head, "choices": [], "usage": usage}

    h.send_stream(
        _sse(chunks()), content_type="text/event-stream", error_line=_sse_error, midstream=midstream
    )


def _completions(
    fake: FakeOllama, h: _Handler, body: dict[str, Any], midstream: str | None
) -> None:
    _auth(fake, h)
    name = body.get("model")
    _key, model = _lookup(fake, name)
    if "completion" not in model.capabilities:
        raise HTTPError(400, f'"{name}" does not support generate')
    native = _to_native(body)
    prompt = str(body.get("prompt") or "")
    text = fake._generate_text({**native, "prompt": prompt, "raw": True})
    text, reason = apply_options(text, native["options"], "stop")
    usage = {
        "prompt_tokens": count_tokens(prompt),
        "completion_tokens": count_tokens(text),
        "total_tokens": count_tokens(prompt) + count_tokens(text),
    }
    base = {
        "id": f"cmpl-{uuid.uuid4().hex[:6]}",
        "object": "text_completion",
        "created": int(time.time()),
        "model": name,
        "system_fingerprint": "fp_ollama",
    }
    if not body.get("stream"):
        choice = {"text": text, "index": 0, "finish_reason": reason}
        h.send_json(200, {**base, "choices": [choice], "usage": usage})
        return
    pieces: list[dict[str, Any]] = [
        {**base, "choices": [{"text": p, "index": 0, "finish_reason": None}]}
        for p in split_pieces(text)
    ]
    pieces.append({**base, "choices": [{"text": "", "index": 0, "finish_reason": reason}]})
    if (body.get("stream_options") or {}).get("include_usage"):
        pieces.append({**base, "choices": [], "usage": usage})
    h.send_stream(
        _sse(pieces), content_type="text/event-stream", error_line=_sse_error, midstream=midstream
    )


def _embeddings(fake: FakeOllama, h: _Handler, body: dict[str, Any], midstream: str | None) -> None:
    _auth(fake, h)
    name = body.get("model")
    key, model = _lookup(fake, name)
    raw = body.get("input", "")
    texts = [raw] if isinstance(raw, str) else raw
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise HTTPError(400, "invalid input type")
    vectors = fake._embed(key, model, texts)
    data = [{"object": "embedding", "embedding": v, "index": i} for i, v in enumerate(vectors)]
    count = sum(count_tokens(t) for t in texts)
    usage = {"prompt_tokens": count, "total_tokens": count}
    h.send_json(200, {"object": "list", "data": data, "model": name, "usage": usage})


OPENAI_ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/v1/models"): _models,
    ("POST", "/v1/chat/completions"): _chat,
    ("POST", "/v1/completions"): _completions,
    ("POST", "/v1/embeddings"): _embeddings,
}
