"""The ``/api/*`` endpoints of :class:`~gemma_agents.testing.fake_ollama.FakeOllama`.

Each route is a function ``(fake, handler, body, midstream_error)``; the shapes follow
Ollama's ``docs/api.md`` and the ``ollama`` Python client's response models, so the real
client parses every answer without special cases.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ._fake_models import (
    FakeModel,
    HTTPError,
    count_tokens,
    ndjson,
    normalize_name,
    now_rfc3339,
    split_pieces,
)

if TYPE_CHECKING:
    from .fake_ollama import FakeOllama, _Handler

__all__ = ["ROUTES", "Route", "apply_options", "chat_request_tokens", "metrics"]

Route = Callable[["FakeOllama", "_Handler", dict[str, Any], "str | None"], None]


def registry_name(key: str) -> str:
    """Ollama's fully qualified name, as its capability errors print it."""
    return f"registry.ollama.ai/{key}" if "/" in key else f"registry.ollama.ai/library/{key}"


def apply_options(text: str, options: Mapping[str, Any], reason: str) -> tuple[str, str]:
    """Honour ``stop`` (cut at the first stop string) and ``num_predict`` (token cap)."""
    stops = options.get("stop") or []
    for stop in [stops] if isinstance(stops, str) else stops:
        if stop and stop in text:
            text, reason = text[: text.index(stop)], "stop"
    limit = options.get("num_predict", options.get("max_tokens"))
    if isinstance(limit, int) and limit >= 0:
        pieces = split_pieces(text)
        if len(pieces) > limit:
            text, reason = "".join(pieces[:limit]), "length"
    return text, reason


def metrics(load_ns: int, prompt_count: int, eval_count: int) -> dict[str, int]:
    """Timing fields in nanoseconds: 1 ms per prompt token, 10 ms per output token."""
    prompt_ns, eval_ns = prompt_count * 1_000_000, eval_count * 10_000_000
    return {
        "total_duration": load_ns + prompt_ns + eval_ns + 500_000,
        "load_duration": load_ns,
        "prompt_eval_count": prompt_count,
        "prompt_eval_duration": prompt_ns,
        "eval_count": eval_count,
        "eval_duration": eval_ns,
    }


def chat_request_tokens(body: Mapping[str, Any]) -> int:
    """Prompt tokens of a chat request: message texts plus the rendered tool schemas."""
    total = sum(count_tokens(str(m.get("content") or "")) for m in body.get("messages") or [])
    if body.get("tools"):
        total += count_tokens(json.dumps(body["tools"]))
    return total


def _check_messages(messages: Any) -> list[dict[str, Any]]:
    if messages is None:
        return []
    if not isinstance(messages, list) or not all(
        isinstance(m, dict) and isinstance(m.get("role"), str) for m in messages
    ):
        raise HTTPError(400, "invalid message format: each message needs a role")
    return messages


def _check_think(name: str, model: FakeModel, think: Any) -> None:
    if think not in (None, False) and "thinking" not in model.capabilities:
        raise HTTPError(400, f'"{name}" does not support thinking')


def _root(fake: FakeOllama, h: _Handler, body: dict[str, Any], midstream: str | None) -> None:
    h.send_text(200, "Ollama is running")


def _version(fake: FakeOllama, h: _Handler, body: dict[str, Any], midstream: str | None) -> None:
    h.send_json(200, {"version": fake.version})


def _tags(fake: FakeOllama, h: _Handler, body: dict[str, Any], midstream: str | None) -> None:
    stamp = now_rfc3339()
    h.send_json(200, {"models": [m.tag(k, stamp) for k, m in sorted(fake.models.items())]})


def _ps(fake: FakeOllama, h: _Handler, body: dict[str, Any], midstream: str | None) -> None:
    now = time.time()
    running = []
    for key, expiry in sorted(fake.loaded.items()):
        model = fake.models.get(key)
        if model is None or expiry <= now:
            continue
        running.append(
            {
                **model.tag(key, now_rfc3339()),
                "expires_at": "2318-08-01T00:00:00Z"
                if math.isinf(expiry)
                else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expiry)),
                "size_vram": model.size,
                "context_length": min(model.context_length, 4096),
            }
        )
    h.send_json(200, {"models": running})


def _show(fake: FakeOllama, h: _Handler, body: dict[str, Any], midstream: str | None) -> None:
    key, model = fake._model(body.get("model") or body.get("name"))
    h.send_json(200, model.show(key, now_rfc3339()))


def _delete(fake: FakeOllama, h: _Handler, body: dict[str, Any], midstream: str | None) -> None:
    name = body.get("model") or body.get("name") or ""
    if normalize_name(str(name)) not in fake.models:
        raise HTTPError(404, f"model '{name}' not found")
    fake.remove_model(str(name))
    h.send_json(200, {})


def _chat(fake: FakeOllama, h: _Handler, body: dict[str, Any], midstream: str | None) -> None:
    name = body.get("model")
    key, model = fake._model(name)
    messages = _check_messages(body.get("messages"))
    if "completion" not in model.capabilities:
        raise HTTPError(400, f'"{name}" does not support chat')
    if body.get("tools") and "tools" not in model.capabilities:
        raise HTTPError(400, f"{registry_name(key)} does not support tools")
    think = body.get("think")
    _check_think(str(name), model, think)
    load_ns = fake._touch(key, body.get("keep_alive"))
    stream = body.get("stream", True) is not False
    base = {"model": name, "created_at": now_rfc3339()}
    if not messages:  # an empty chat only loads the model
        done = {**base, "message": {"role": "assistant", "content": ""}}
        done |= {"done_reason": "load", "done": True}
        _send(h, stream, [done], midstream)
        return
    reply = fake._chat_reply(body)
    content, reason = apply_options(reply.content, body.get("options") or {}, reply.done_reason)
    thinking = reply.thinking if think is not False else ""
    calls = [
        {**tc, "function": {"index": i, **tc.get("function", {})}}
        for i, tc in enumerate(reply.tool_calls)
    ]
    prompt_count = reply.prompt_eval_count
    if prompt_count is None:
        prompt_count = chat_request_tokens(body)
    eval_count = reply.eval_count
    if eval_count is None:
        eval_count = count_tokens(content) + count_tokens(thinking)
        eval_count += sum(count_tokens(json.dumps(c["function"])) for c in calls)
    final = {"done_reason": reason, "done": True, **metrics(load_ns, prompt_count, eval_count)}
    if not stream:
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if thinking:
            message["thinking"] = thinking
        if calls:
            message["tool_calls"] = calls
        _send(h, False, [{**base, "message": message, **final}], midstream)
        return

    def chunks() -> Iterator[dict[str, Any]]:
        for piece in split_pieces(thinking):
            thought = {"role": "assistant", "content": "", "thinking": piece}
            yield {**base, "message": thought, "done": False}
        for piece in split_pieces(content):
            yield {**base, "message": {"role": "assistant", "content": piece}, "done": False}
        if calls:
            message = {"role": "assistant", "content": "", "tool_calls": calls}
            yield {**base, "message": message, "done": False}
        yield {**base, "message": {"role": "assistant", "content": ""}, **final}

    _send(h, True, chunks(), midstream)


def _generate(fake: FakeOllama, h: _Handler, body: dict[str, Any], midstream: str | None) -> None:
    name = body.get("model")
    key, model = fake._model(name)
    if "completion" not in model.capabilities:
        raise HTTPError(400, f'"{name}" does not support generate')
    _check_think(str(name), model, body.get("think"))
    load_ns = fake._touch(key, body.get("keep_alive"))
    stream = body.get("stream", True) is not False
    base = {"model": name, "created_at": now_rfc3339()}
    prompt = str(body.get("prompt") or "")
    if not prompt and not body.get("images"):
        _send(h, stream, [{**base, "response": "", "done": True, "done_reason": "load"}], midstream)
        return
    text, reason = apply_options(fake._generate_text(body), body.get("options") or {}, "stop")
    prompt_count = count_tokens(prompt) + count_tokens(str(body.get("system") or ""))
    eval_count = count_tokens(text)
    final: dict[str, Any] = {"done": True, "done_reason": reason}
    final |= metrics(load_ns, prompt_count, eval_count)
    if not body.get("raw"):
        final["context"] = list(range(1, prompt_count + eval_count + 1))
    if not stream:
        _send(h, False, [{**base, "response": text, **final}], midstream)
        return
    pieces = [{**base, "response": p, "done": False} for p in split_pieces(text)]
    _send(h, True, [*pieces, {**base, "response": "", **final}], midstream)


def _embed(fake: FakeOllama, h: _Handler, body: dict[str, Any], midstream: str | None) -> None:
    name = body.get("model")
    key, model = fake._model(name)
    if "embedding" not in model.capabilities:
        raise HTTPError(400, f'"{name}" does not support embeddings')
    raw = body.get("input", "")
    texts = [raw] if isinstance(raw, str) else raw
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise HTTPError(400, "invalid input type: expected a string or a list of strings")
    vectors = fake._embed(key, model, texts)
    dims = body.get("dimensions")
    if isinstance(dims, int) and dims > 0:
        vectors = [_renormalize(v[:dims]) for v in vectors]
    load_ns = fake._touch(key, body.get("keep_alive"))
    count = sum(count_tokens(t) for t in texts)
    h.send_json(
        200,
        {
            "model": name,
            "embeddings": vectors,
            "total_duration": load_ns + count * 100_000 + 200_000,
            "load_duration": load_ns,
            "prompt_eval_count": count,
        },
    )


def _embeddings(fake: FakeOllama, h: _Handler, body: dict[str, Any], midstream: str | None) -> None:
    """The deprecated single-text ``/api/embeddings`` endpoint."""
    key, model = fake._model(body.get("model"))
    h.send_json(200, {"embedding": fake._embed(key, model, [str(body.get("prompt") or "")])[0]})


def _pull(fake: FakeOllama, h: _Handler, body: dict[str, Any], midstream: str | None) -> None:
    name = str(body.get("model") or body.get("name") or "")
    if not name:
        raise HTTPError(400, "model is required")
    key = normalize_name(name)
    model = fake.registry.get(key)
    stream = body.get("stream", True) is not False
    if model is None:
        missing = "pull model manifest: file does not exist"
        if not stream:
            raise HTTPError(500, missing)
        h.send_stream(ndjson([{"status": "pulling manifest"}]), midstream=missing)
        return

    def progress() -> Iterator[dict[str, Any]]:
        yield {"status": "pulling manifest"}
        for digest, total in ((model.digest(key), model.size), (model.digest(key + "p"), 487)):
            for step in range(5):
                completed = total * step // 4
                yield {
                    "status": f"pulling {digest[:12]}",
                    "digest": f"sha256:{digest}",
                    "total": total,
                    "completed": completed,
                }
        yield {"status": "verifying sha256 digest"}
        yield {"status": "writing manifest"}
        fake.add_model(key, model)
        yield {"status": "success"}

    if not stream:
        for _ in progress():
            pass
        h.send_json(200, {"status": "success"})
        return
    h.send_stream(ndjson(progress()), midstream=midstream)


def _send(h: _Handler, stream: bool, objects: Any, midstream: str | None) -> None:
    if stream:
        h.send_stream(ndjson(objects), midstream=midstream)
    elif midstream is not None:  # a non-streamed request fails as a whole
        raise HTTPError(500, midstream)
    else:
        h.send_json(200, next(iter(objects)))


def _renormalize(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/"): _root,
    ("GET", "/api/version"): _version,
    ("GET", "/api/tags"): _tags,
    ("GET", "/api/ps"): _ps,
    ("POST", "/api/show"): _show,
    ("DELETE", "/api/delete"): _delete,
    ("POST", "/api/chat"): _chat,
    ("POST", "/api/generate"): _generate,
    ("POST", "/api/embed"): _embed,
    ("POST", "/api/embeddings"): _embeddings,
    ("POST", "/api/pull"): _pull,
}
