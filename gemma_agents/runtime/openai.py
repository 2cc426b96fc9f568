"""Gemma behind any OpenAI-compatible server: vLLM, llama.cpp's server, Ollama's ``/v1``.

Spoken with plain ``httpx`` (no ``openai`` dependency). Tool calls arrive with their
arguments JSON-encoded as strings and, when streamed, split across chunks by ``index``;
both are reassembled into :class:`ToolCall` values here. ``format`` becomes
``response_format`` with a strict JSON schema. The API key is sent as a bearer header and
never appears in ``repr``, logs or error messages.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import os
import re
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

import httpx

from ..calls._types import ToolCall, ToolSpec
from ..exceptions import GemmaAgentsError, InferenceError, ModelNotFound, UnsupportedFeature
from ._retry import RetryPolicy, StatusError, transport_error
from .base import Capabilities, ChatResult, Health, Message, Runtime, StreamChunk, Usage

__all__ = ["OpenAICompatRuntime", "to_openai_message"]

log = logging.getLogger("gemma_agents.runtime")
Format = Mapping[str, Any] | Literal["json"] | None
#: Ollama-vocabulary options and their OpenAI request names.
_OPTION_NAMES = {
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


class OpenAICompatRuntime(Runtime):
    """A :class:`Runtime` for ``/v1/chat/completions`` servers.

    Args:
        base_url: Server URL including ``/v1`` (``http://127.0.0.1:8000/v1``).
        model: Model id the server knows (``google/gemma-3-4b-it``).
        api_key: Bearer token; else ``OPENAI_API_KEY``; none sent when neither is set.
        timeout: Seconds to wait for an answer (connecting waits at most 10 s).
        retries: Extra attempts on refused connections and 5xx; never on 4xx.
        retry_wait: First backoff in seconds.
        options: Default sampling options (Ollama vocabulary, mapped to OpenAI names).
        tools: Whether the server parses tool calls natively (vLLM needs
            ``--enable-auto-tool-choice``, llama.cpp ``--jinja``); prompted calls otherwise.
        vision: Whether the model accepts images.
        schema_style: How ``format`` is sent: OpenAI's ``json_schema`` response format,
            or ``json_object`` with a ``schema`` key (llama-cpp-python's server only
            takes that). ``auto`` sends ``json_schema`` and switches for good the first
            time a server rejects it.
    """

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout: float = 120.0,
        retries: int = 3,
        retry_wait: float = 0.5,
        options: Mapping[str, Any] | None = None,
        tools: bool = False,
        vision: bool = False,
        schema_style: Literal["auto", "json_schema", "json_object"] = "auto",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout = timeout
        self.options = dict(options or {})
        self._policy = RetryPolicy(retries=retries, wait=retry_wait)
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0))
        key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self._headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._client = httpx.Client(
            base_url=self.base_url, headers=self._headers, timeout=self._timeout
        )
        self._caps = Capabilities(
            tools=tools, vision=vision, json_schema=True, family=_family(model)
        )
        self._meta_loaded = False
        self._schema_style = schema_style

    def __repr__(self) -> str:  # never the key
        return f"OpenAICompatRuntime(base_url={self.base_url!r}, model={self.model!r})"

    # -- request building --------------------------------------------------------------

    def _sampling(self, options: Mapping[str, Any] | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in {**self.options, **(options or {})}.items():
            if key in _OPTION_NAMES and value is not None:
                out[_OPTION_NAMES[key]] = value
            else:
                log.debug("option %r has no OpenAI equivalent; not sent", key)
        return out

    def _chat_body(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec] | None,
        format: Format,
        options: Mapping[str, Any] | None,
        stream: bool,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [to_openai_message(m) for m in messages],
            "stream": stream,
            **self._sampling(options),
        }
        if stream:
            body["stream_options"] = {"include_usage": True}
        if tools:
            body["tools"] = [t.to_openai() for t in tools]
        if format == "json":
            body["response_format"] = {"type": "json_object"}
        elif format is not None and self._schema_style == "json_object":
            body["response_format"] = {"type": "json_object", "schema": dict(format)}
        elif format is not None:
            name = re.sub(r"[^A-Za-z0-9_-]", "_", str(format.get("title") or "output"))[:64]
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": dict(format), "strict": True},
            }
        return body

    def _schema_fallback(self, body: dict[str, Any], exc: BaseException) -> dict[str, Any] | None:
        """The body with ``json_object``+``schema`` if the server rejected ``json_schema``."""
        fmt = body.get("response_format") or {}
        if (
            self._schema_style != "auto"
            or fmt.get("type") != "json_schema"
            or not isinstance(exc, StatusError)
            or "json_schema" not in exc.body
        ):
            return None
        log.info("%s rejects response_format json_schema; using json_object", self.base_url)
        self._schema_style = "json_object"
        schema = fmt["json_schema"]["schema"]
        return {**body, "response_format": {"type": "json_object", "schema": schema}}

    # -- transport ---------------------------------------------------------------------

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        def call() -> dict[str, Any]:
            response = self._client.post(path, json=body)
            if response.status_code >= 400:
                error = StatusError(response.status_code, response.text)
                retry = self._schema_fallback(body, error)
                if retry is None:
                    raise error
                return self._post(path, retry)
            return dict(response.json())

        try:
            return self._policy.call(call)
        except Exception as exc:
            raise self._map(exc) from exc

    def _sse(self, path: str, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """POST and yield each ``data:`` JSON event until ``[DONE]``."""

        def start() -> httpx.Response:
            nonlocal body
            response = self._client.send(
                self._client.build_request("POST", path, json=body), stream=True
            )
            if response.status_code >= 400:
                response.read()
                response.close()
                error = StatusError(response.status_code, response.text)
                retry = self._schema_fallback(body, error)
                if retry is None:
                    raise error
                body = retry
                return start()
            return response

        try:
            response = self._policy.call(start)
        except Exception as exc:
            raise self._map(exc) from exc
        try:
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                event = json.loads(data)
                if event.get("error"):
                    raise InferenceError(
                        f"the server failed mid-answer: {_error_text(event['error'])}"
                    )
                yield event
        except GemmaAgentsError:
            raise
        except Exception as exc:
            raise self._map(exc) from exc
        finally:
            response.close()

    # -- Runtime API -------------------------------------------------------------------

    def chat(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] | None = None,
        format: Format = None,
        options: Mapping[str, Any] | None = None,
        stream: bool = False,
    ) -> ChatResult | Iterator[StreamChunk]:
        body = self._chat_body(messages, tools, format, options, stream)
        if stream:
            return self._stream_chat(body)
        started = time.perf_counter()
        data = self._post("/chat/completions", body)
        return _chat_result(data, self.model, (time.perf_counter() - started) * 1000)

    def _stream_chat(self, body: dict[str, Any]) -> Iterator[StreamChunk]:
        started = time.perf_counter()
        partial: dict[int, dict[str, str]] = {}
        finish: str | None = None
        usage: Usage | None = None
        for event in self._sse("/chat/completions", body):
            if event.get("usage"):
                usage = _usage(event, (time.perf_counter() - started) * 1000)
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
            calls = [_tool_call(p["name"], p["arguments"]) for _, p in sorted(partial.items())]
            yield StreamChunk(tool_calls=calls)
        if usage is None:
            usage = Usage(total_ms=(time.perf_counter() - started) * 1000)
        yield StreamChunk(done=True, usage=usage, done_reason=finish)

    async def achat(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] | None = None,
        format: Format = None,
        options: Mapping[str, Any] | None = None,
    ) -> ChatResult:
        body = self._chat_body(messages, tools, format, options, False)
        started = time.perf_counter()

        async def call() -> dict[str, Any]:
            async with httpx.AsyncClient(
                base_url=self.base_url, headers=self._headers, timeout=self._timeout
            ) as client:
                response = await client.post("/chat/completions", json=body)
            if response.status_code >= 400:
                raise StatusError(response.status_code, response.text)
            return dict(response.json())

        try:
            data = await self._policy.acall(call)
        except Exception as exc:
            raise self._map(exc) from exc
        return _chat_result(data, self.model, (time.perf_counter() - started) * 1000)

    async def astream(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] | None = None,
        format: Format = None,
        options: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[StreamChunk]:
        async for chunk in super().astream(messages, tools=tools, format=format, options=options):
            yield chunk

    def complete(
        self,
        prompt: str,
        *,
        format: Format = None,
        options: Mapping[str, Any] | None = None,
        stream: bool = False,
    ) -> ChatResult | Iterator[StreamChunk]:
        """Raw completion via ``/v1/completions`` (no chat template)."""
        body: dict[str, Any] = {"model": self.model, "prompt": prompt, "stream": stream}
        body |= self._sampling(options)
        if format is not None:
            raise UnsupportedFeature(
                "OpenAI-compatible servers disagree on schemas for raw completions",
                hint="use chat(..., format=schema), which every server supports",
            )
        started = time.perf_counter()
        if not stream:
            data = self._post("/completions", body)
            choice = (data.get("choices") or [{}])[0]
            return ChatResult(
                text=choice.get("text") or "",
                usage=_usage(data, (time.perf_counter() - started) * 1000),
                model=data.get("model") or self.model,
                done_reason=choice.get("finish_reason"),
            )
        body["stream_options"] = {"include_usage": True}
        return self._stream_complete(body, started)

    def _stream_complete(self, body: dict[str, Any], started: float) -> Iterator[StreamChunk]:
        finish, usage = None, None
        for event in self._sse("/completions", body):
            if event.get("usage"):
                usage = _usage(event, (time.perf_counter() - started) * 1000)
            for choice in event.get("choices") or []:
                finish = choice.get("finish_reason") or finish
                if choice.get("text"):
                    yield StreamChunk(text=choice["text"])
        yield StreamChunk(done=True, usage=usage or Usage(), done_reason=finish)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        data = self._post("/embeddings", {"model": self.model, "input": list(texts)})
        rows = sorted(data.get("data") or [], key=lambda row: row.get("index", 0))
        vectors = [_pooled(row["embedding"]) for row in rows]
        if len(vectors) != len(texts):
            raise InferenceError(f"asked for {len(texts)} embeddings, got {len(vectors)}")
        return vectors

    def list_models(self) -> list[str]:
        """Model ids from ``/v1/models``."""
        return [str(m.get("id")) for m in self._models()]

    def _models(self) -> list[dict[str, Any]]:
        def call() -> list[dict[str, Any]]:
            response = self._client.get("/models")
            if response.status_code >= 400:
                raise StatusError(response.status_code, response.text)
            return list(response.json().get("data") or [])

        try:
            return self._policy.call(call)
        except Exception as exc:
            raise self._map(exc) from exc

    def capabilities(self) -> Capabilities:
        """What the constructor declared, plus the context length ``/v1/models`` reports."""
        if not self._meta_loaded:
            self._meta_loaded = True
            try:
                models = self._models()
            except GemmaAgentsError:
                return self._caps
            for entry in models:
                if entry.get("id") == self.model or len(models) == 1:
                    meta = entry.get("meta") or {}
                    ctx = entry.get("max_model_len") or meta.get("n_ctx") or meta.get("n_ctx_train")
                    if ctx:
                        self._caps = replace(self._caps, context_length=int(ctx))
        return self._caps

    def health(self) -> Health:
        try:
            response = httpx.get(
                f"{self.base_url}/models", headers=self._headers, timeout=min(self.timeout, 5.0)
            )
        except httpx.HTTPError as exc:
            mapped = self._map(exc)
            return Health(ok=False, runtime=self.name, detail=mapped.message, fix=mapped.hint)
        if response.status_code >= 400:
            mapped = self._map(StatusError(response.status_code, response.text))
            return Health(ok=False, runtime=self.name, detail=mapped.message, fix=mapped.hint)
        try:
            ids = tuple(str(m.get("id")) for m in response.json().get("data") or [])
        except (ValueError, AttributeError):
            return Health(
                ok=False,
                runtime=self.name,
                detail=f"{self.base_url}/models did not answer OpenAI-style JSON",
                fix="check the base URL: it should end with /v1",
            )
        detail = f"OpenAI-compatible server at {self.base_url}, {len(ids)} model(s)"
        if self.model in ids or len(ids) == 1:  # single-model servers answer any name
            return Health(ok=True, runtime=self.name, detail=detail, models=ids)
        return Health(
            ok=False,
            runtime=self.name,
            detail=f"{detail}; {self.model!r} is not among them",
            fix=f"use one of: {', '.join(ids)}",
            models=ids,
        )

    def close(self) -> None:
        self._client.close()

    # -- errors ------------------------------------------------------------------------

    def _map(self, exc: BaseException) -> GemmaAgentsError:
        if isinstance(exc, GemmaAgentsError):
            return exc
        if isinstance(exc, StatusError):
            message, status = _error_text(exc.body), exc.status_code
            if status in (401, 403):
                return InferenceError(
                    f"{self.base_url} refused the credentials (HTTP {status}): {message}",
                    status_code=status,
                    hint="set OPENAI_API_KEY or pass api_key= with a valid key",
                )
            if status == 404 and "model" in message.lower():
                return ModelNotFound(
                    self.model, hint=f"check the model id with GET {self.base_url}/models"
                )
            if status == 404:
                return InferenceError(
                    f"{self.base_url} has no such endpoint (HTTP 404): {message}",
                    status_code=status,
                    hint="the base URL should end with /v1 (e.g. http://127.0.0.1:8000/v1)",
                )
            if status == 400 and "tool" in message.lower():
                self._caps = replace(self._caps, tools=False)
                return UnsupportedFeature(
                    f"the server refused native tools: {message}",
                    hint="use a prompted call dialect, or start the server with tool "
                    "parsing (vLLM --enable-auto-tool-choice, llama.cpp --jinja)",
                )
            return InferenceError(
                f"{self.base_url} answered HTTP {status}: {message}", status_code=status
            )
        mapped = transport_error(
            exc,
            server="the OpenAI-compatible server",
            url=self.base_url,
            timeout=self.timeout,
            hint="start the server (vLLM, llama.cpp server, `ollama serve`) or fix the URL; "
            "`gemma-agents doctor` shows which runtimes work",
        )
        if mapped is not None:
            return mapped  # type: ignore[return-value]
        if isinstance(exc, ValueError | KeyError | TypeError):
            return InferenceError(f"unexpected answer from {self.base_url}: {exc}")
        raise exc


def to_openai_message(message: Message) -> dict[str, Any]:
    """Convert a :class:`Message` to an OpenAI chat message (``developer`` -> ``system``)."""
    role = "system" if message.role == "developer" else message.role
    content: Any = message.content
    if message.images:
        content = [{"type": "text", "text": message.content}] + [
            {"type": "image_url", "image_url": {"url": _data_url(image)}}
            for image in message.images
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


def _data_url(image: bytes | str) -> str:
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


def _pooled(embedding: Sequence[Any]) -> list[float]:
    """One vector per text: per-token rows (llama-cpp-python without pooling) are
    mean-pooled and L2-normalised, like the pooled vectors other servers return."""
    if not embedding or not isinstance(embedding[0], Sequence):
        return [float(x) for x in embedding]
    width = len(embedding[0])
    mean = [sum(float(row[i]) for row in embedding) / len(embedding) for i in range(width)]
    norm = math.sqrt(sum(v * v for v in mean)) or 1.0
    return [v / norm for v in mean]


def _family(model: str) -> str | None:
    lowered = model.lower().replace("-", "").replace("_", "")
    for family in ("gemma4", "gemma3n", "gemma3", "gemma2"):
        if family in lowered:
            return "gemma3" if family == "gemma3n" else family
    return None


def _error_text(body: Any) -> str:
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


def _tool_call(name: str, arguments: Any) -> ToolCall:
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


def _usage(data: Mapping[str, Any], wall_ms: float) -> Usage:
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


def _chat_result(data: Mapping[str, Any], model: str, wall_ms: float) -> ChatResult:
    choices = data.get("choices") or []
    if not choices:
        raise InferenceError(f"the server answered without choices: {str(data)[:200]}")
    message = choices[0].get("message") or {}
    calls = [
        _tool_call(
            (c.get("function") or {}).get("name", ""),
            (c.get("function") or {}).get("arguments", ""),
        )
        for c in message.get("tool_calls") or []
    ]
    thinking = message.get("reasoning_content") or message.get("reasoning")
    return ChatResult(
        text=message.get("content") or "",
        tool_calls=calls,
        usage=_usage(data, wall_ms),
        model=data.get("model") or model,
        done_reason=choices[0].get("finish_reason"),
        thinking=thinking or None,
    )
