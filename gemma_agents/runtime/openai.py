"""Gemma behind any OpenAI-compatible server: vLLM, llama.cpp's server, Ollama's ``/v1``.

Spoken with plain ``httpx`` (no ``openai`` dependency). Tool calls arrive with their
arguments JSON-encoded as strings and, when streamed, split across chunks by ``index``;
both are reassembled into :class:`ToolCall` values here. ``format`` becomes
``response_format`` with a strict JSON schema. The API key is sent as a bearer header and
never appears in ``repr``, logs or error messages.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

import httpx

from ..calls._types import ToolSpec
from ..exceptions import GemmaAgentsError, InferenceError, ModelNotFound, UnsupportedFeature
from ._openai_wire import (
    assemble_stream,
    chat_result,
    error_text,
    family_of_model,
    is_per_token,
    pooled,
    response_format,
    sampling,
    to_openai_message,
    usage_from,
)
from ._retry import RetryPolicy, StatusError, transport_error
from .base import Capabilities, ChatResult, Health, Message, Runtime, StreamChunk, Usage

__all__ = ["OpenAICompatRuntime", "to_openai_message"]

log = logging.getLogger("gemma_agents.runtime")
Format = Mapping[str, Any] | Literal["json"] | None


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
            tools=tools, vision=vision, json_schema=True, family=family_of_model(model)
        )
        self._meta_loaded = False
        self._schema_style = schema_style
        self._embed_single = False

    def __repr__(self) -> str:  # never the key
        return f"OpenAICompatRuntime(base_url={self.base_url!r}, model={self.model!r})"

    # -- request building --------------------------------------------------------------

    def _sampling(self, options: Mapping[str, Any] | None) -> dict[str, Any]:
        return sampling({**self.options, **(options or {})})

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
        if format is not None:
            body["response_format"] = response_format(format, self._schema_style)
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
                        f"the server failed mid-answer: {error_text(event['error'])}"
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
        return chat_result(data, self.model, (time.perf_counter() - started) * 1000)

    def _stream_chat(self, body: dict[str, Any]) -> Iterator[StreamChunk]:
        return assemble_stream(self._sse("/chat/completions", body), time.perf_counter())

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
        return chat_result(data, self.model, (time.perf_counter() - started) * 1000)

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
                usage=usage_from(data, (time.perf_counter() - started) * 1000),
                model=data.get("model") or self.model,
                done_reason=choice.get("finish_reason"),
            )
        body["stream_options"] = {"include_usage": True}
        return self._stream_complete(body, started)

    def _stream_complete(self, body: dict[str, Any], started: float) -> Iterator[StreamChunk]:
        finish, usage = None, None
        for event in self._sse("/completions", body):
            if event.get("usage"):
                usage = usage_from(event, (time.perf_counter() - started) * 1000)
            for choice in event.get("choices") or []:
                finish = choice.get("finish_reason") or finish
                if choice.get("text"):
                    yield StreamChunk(text=choice["text"])
        yield StreamChunk(done=True, usage=usage or Usage(), done_reason=finish)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, batched in one request where the server batches right.

        llama-cpp-python's server, for models without a pooling layer (Gemma), returns
        per-token rows and mis-slices them when a request holds several texts; once such
        rows are seen, texts are sent one per request (each then comes back correct).
        """
        if not texts:
            return []
        if self._embed_single and len(texts) > 1:
            return [self._embed_batch([t])[0] for t in texts]
        rows = self._embed_rows(list(texts))
        if len(texts) > 1 and rows and is_per_token(rows[0]["embedding"]):
            log.info("%s returns per-token embeddings; sending one text per request", self.base_url)
            self._embed_single = True
            return [self._embed_batch([t])[0] for t in texts]
        return [pooled(row["embedding"]) for row in rows]

    def _embed_batch(self, texts: list[str]) -> list[list[float]]:
        return [pooled(row["embedding"]) for row in self._embed_rows(texts)]

    def _embed_rows(self, texts: list[str]) -> list[dict[str, Any]]:
        data = self._post("/embeddings", {"model": self.model, "input": texts})
        rows = sorted(data.get("data") or [], key=lambda row: row.get("index", 0))
        if len(rows) != len(texts):
            raise InferenceError(f"asked for {len(texts)} embeddings, got {len(rows)}")
        return rows

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
        """Close the pooled HTTP connections."""
        self._client.close()

    def __enter__(self) -> OpenAICompatRuntime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- errors ------------------------------------------------------------------------

    def _map(self, exc: BaseException) -> GemmaAgentsError:
        if isinstance(exc, GemmaAgentsError):
            return exc
        if isinstance(exc, StatusError):
            message, status = error_text(exc.body), exc.status_code
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
