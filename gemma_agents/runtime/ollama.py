"""Gemma on a local (or remote) Ollama server, through the official ``ollama`` client.

Requests are built here and sent with the client's own request machinery, not its typed
``chat()`` helper: the helper re-validates tools through a pydantic model that silently
drops JSON-schema keywords it does not know (``anyOf``, nested ``properties``,
``minimum``, ``default``...), and tool schemas must reach the model intact. Responses are
still parsed by the client's models, and every failure is mapped to a
:mod:`gemma_agents.exceptions` error whose hint says what to do.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeVar

import httpx

from ..calls._types import ToolSpec
from ..exceptions import (
    GemmaAgentsError,
    InferenceError,
    ModelNotFound,
    UnsupportedFeature,
)
from ._ollama_wire import (
    chat_result,
    has_model,
    stream_chunk,
    to_ollama_message,
    usage_from,
)
from ._retry import RetryPolicy, transport_error
from .base import Capabilities, ChatResult, Health, Message, Runtime, StreamChunk

__all__ = ["DEFAULT_HOST", "OllamaRuntime", "PullProgress"]

DEFAULT_HOST = "http://127.0.0.1:11434"
T = TypeVar("T")
Format = Mapping[str, Any] | Literal["json"] | None
#: Keys callers may put in ``options`` that are request fields, not sampling options.
_REQUEST_KEYS = ("think", "keep_alive")


@dataclass(frozen=True)
class PullProgress:
    """One ``/api/pull`` progress line (``status`` plus byte counts while downloading)."""

    status: str
    digest: str | None = None
    total: int | None = None
    completed: int | None = None

    @property
    def fraction(self) -> float | None:
        """Share of the current layer downloaded, when the server said."""
        if self.total and self.completed is not None:
            return self.completed / self.total
        return None


class OllamaRuntime(Runtime):
    """A :class:`Runtime` backed by an Ollama server.

    Args:
        model: Ollama model name (``gemma3:4b``, ``gemma4:e4b``, ``functiongemma``...).
        host: Server URL; else ``OLLAMA_HOST``; else ``http://127.0.0.1:11434``.
        keep_alive: How long the server keeps the model loaded (``"5m"``, ``0``, ``-1``).
        options: Default sampling options (Ollama vocabulary), merged under per-call ones.
            ``think`` and ``keep_alive`` given here or per call become request fields.
        timeout: Seconds to wait for an answer (connecting waits at most 10 s).
        retries: Extra attempts on refused connections and 5xx answers; never on 4xx.
        retry_wait: First backoff in seconds (doubles per attempt).
        think: Ask thinking models to think (``True``/``False``/``"low"``...); the
            server's default when ``None``.
    """

    name = "ollama"

    def __init__(
        self,
        model: str,
        *,
        host: str | None = None,
        keep_alive: str | float | None = None,
        options: Mapping[str, Any] | None = None,
        timeout: float = 120.0,
        retries: int = 3,
        retry_wait: float = 0.5,
        think: bool | str | None = None,
    ) -> None:
        import ollama

        if not model or not isinstance(model, str):
            from ..exceptions import ConfigError

            raise ConfigError("OllamaRuntime needs a model name", hint="e.g. 'gemma3:4b'")
        self.model = model
        self.host = host or os.environ.get("OLLAMA_HOST") or DEFAULT_HOST
        self.keep_alive = keep_alive
        self.options = dict(options or {})
        self.timeout = timeout
        self.think = think
        self._policy = RetryPolicy(retries=retries, wait=retry_wait)
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0))
        self._client = ollama.Client(host=self.host, timeout=self._timeout)
        self._caps: Capabilities | None = None
        self._no_tools = False
        self._no_thinking = False

    # -- requests ----------------------------------------------------------------------

    def _fields(self, options: Mapping[str, Any] | None) -> dict[str, Any]:
        """Merge options and lift request-level keys (``think``, ``keep_alive``) out."""
        merged = {**self.options, **(options or {})}
        fields: dict[str, Any] = {"keep_alive": self.keep_alive, "think": self.think}
        for key in _REQUEST_KEYS:
            if key in merged:
                fields[key] = merged.pop(key)
        if merged:
            fields["options"] = merged
        return {k: v for k, v in fields.items() if v is not None}

    def _chat_body(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec] | None,
        format: Format,
        options: Mapping[str, Any] | None,
        stream: bool,
    ) -> dict[str, Any]:
        if tools and self._no_tools:
            raise self._tools_error()
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [to_ollama_message(m) for m in messages],
            "stream": stream,
            **self._fields(options),
        }
        if tools:
            body["tools"] = [t.to_openai() for t in tools]
        if format is not None:
            body["format"] = format if isinstance(format, str) else dict(format)
        return body

    def _request(self, cls: type[T], path: str, body: dict[str, Any] | None = None) -> T:
        method = "POST" if body is not None else "GET"
        return self._guard(
            lambda: self._policy.call(lambda: self._client._request(cls, method, path, json=body))
        )

    def _stream(self, cls: type[T], path: str, body: dict[str, Any]) -> Iterator[T]:
        """Open a stream (retried until the first chunk arrives), then map errors."""

        def start() -> tuple[Iterator[T], list[T]]:
            it = self._client._request(cls, "POST", path, json=body, stream=True)
            first = next(it, None)
            return it, [] if first is None else [first]

        try:
            it, first = self._policy.call(start)
        except Exception as exc:
            raise self._map(exc) from exc
        try:
            yield from first
            yield from self._guard_iter(it)
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()

    def _guard(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except Exception as exc:
            raise self._map(exc) from exc

    def _guard_iter(self, it: Iterator[T]) -> Iterator[T]:
        try:
            yield from it
        except Exception as exc:
            raise self._map(exc) from exc

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
        from ollama import ChatResponse

        body = self._chat_body(messages, tools, format, options, stream)
        if stream:
            return (stream_chunk(r) for r in self._stream(ChatResponse, "/api/chat", body))
        return chat_result(self._request(ChatResponse, "/api/chat", body))

    async def achat(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] | None = None,
        format: Format = None,
        options: Mapping[str, Any] | None = None,
    ) -> ChatResult:
        import ollama

        body = self._chat_body(messages, tools, format, options, False)

        async def call() -> ollama.ChatResponse:
            async with ollama.AsyncClient(host=self.host, timeout=self._timeout) as client:
                return await client._request(ollama.ChatResponse, "POST", "/api/chat", json=body)

        try:
            return chat_result(await self._policy.acall(call))
        except Exception as exc:
            raise self._map(exc) from exc

    async def astream(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] | None = None,
        format: Format = None,
        options: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[StreamChunk]:
        import ollama

        body = self._chat_body(messages, tools, format, options, True)
        async with ollama.AsyncClient(host=self.host, timeout=self._timeout) as client:

            async def start() -> tuple[AsyncIterator[ollama.ChatResponse], list[Any]]:
                it = await client._request(
                    ollama.ChatResponse, "POST", "/api/chat", json=body, stream=True
                )
                first = await anext(it, None)
                return it, [] if first is None else [first]

            try:
                it, first = await self._policy.acall(start)
                for part in first:
                    yield stream_chunk(part)
                async for part in it:
                    yield stream_chunk(part)
            except Exception as exc:
                raise self._map(exc) from exc

    def complete(
        self,
        prompt: str,
        *,
        format: Format = None,
        options: Mapping[str, Any] | None = None,
        stream: bool = False,
    ) -> ChatResult | Iterator[StreamChunk]:
        """Raw completion via ``/api/generate`` with ``raw: true`` (no chat template)."""
        from ollama import GenerateResponse

        body: dict[str, Any] = {"model": self.model, "prompt": prompt, "raw": True}
        body |= {"stream": stream, **self._fields(options)}
        body.pop("think", None)
        if format is not None:
            body["format"] = format if isinstance(format, str) else dict(format)
        if stream:
            return (
                StreamChunk(
                    text=r.response or "",
                    done=bool(r.done),
                    usage=usage_from(r) if r.done else None,
                    done_reason=r.done_reason,
                )
                for r in self._stream(GenerateResponse, "/api/generate", body)
            )
        r = self._request(GenerateResponse, "/api/generate", body)
        return ChatResult(
            text=r.response or "",
            usage=usage_from(r),
            model=r.model or self.model,
            done_reason=r.done_reason,
        )

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        from ollama import EmbedResponse

        if not texts:
            return []
        body: dict[str, Any] = {"model": self.model, "input": list(texts)}
        if self.keep_alive is not None:
            body["keep_alive"] = self.keep_alive
        response = self._request(EmbedResponse, "/api/embed", body)
        return [[float(x) for x in vector] for vector in response.embeddings]

    def capabilities(self) -> Capabilities:
        """From ``/api/show``, cached; narrowed when the server refuses tools/thinking."""
        if self._caps is None:
            info = self.show()
            names = set(info.get("capabilities") or [])
            details = info.get("details") or {}
            model_info: Mapping[str, Any] = info.get("model_info") or {}
            arch = model_info.get("general.architecture") or details.get("family")
            ctx = model_info.get(f"{arch}.context_length") or next(
                (v for k, v in model_info.items() if k.endswith(".context_length")), None
            )
            self._caps = Capabilities(
                tools="tools" in names,
                vision="vision" in names,
                thinking="thinking" in names,
                embedding="embedding" in names,
                json_schema="completion" in names,
                context_length=int(ctx) if ctx else None,
                family=details.get("family") or arch,
            )
        caps = self._caps
        if self._no_tools:
            caps = replace(caps, tools=False)
        if self._no_thinking:
            caps = replace(caps, thinking=False)
        return caps

    def health(self) -> Health:
        """Reachable? Model present? Never raises; ``fix`` says what to do."""
        try:
            probe = httpx.Client(base_url=self._client._client.base_url, timeout=5.0)
            with probe:
                version = probe.get("/api/version").json().get("version", "?")
                tags = probe.get("/api/tags").json().get("models") or []
        except httpx.HTTPError as exc:
            mapped = self._map(exc)
            return Health(ok=False, runtime=self.name, detail=mapped.message, fix=mapped.hint)
        except (ValueError, AttributeError) as exc:  # something else answers on that port
            return Health(
                ok=False,
                runtime=self.name,
                detail=f"{self.host} answered, but not like Ollama ({exc})",
                fix="check OLLAMA_HOST: it should point at `ollama serve` (port 11434)",
            )
        names = tuple(str(m.get("model") or m.get("name")) for m in tags)
        detail = f"Ollama {version} at {self.host}, {len(names)} model(s)"
        if not has_model(names, self.model):
            return Health(
                ok=False,
                runtime=self.name,
                detail=f"{detail}; {self.model!r} is not pulled",
                fix=f"gemma-agents models pull {self.model}",
                models=names,
            )
        return Health(ok=True, runtime=self.name, detail=detail, models=names)

    def list_models(self) -> list[str]:
        """Names of the models the server has (``/api/tags``)."""
        from ollama import ListResponse

        return [str(m.model) for m in self._request(ListResponse, "/api/tags").models]

    def show(self, model: str | None = None) -> dict[str, Any]:
        """``/api/show`` as a plain dict (``capabilities``, ``details``, ``model_info``...)."""
        from ollama import ShowResponse

        response = self._request(ShowResponse, "/api/show", {"model": model or self.model})
        return response.model_dump(by_alias=True, exclude_none=True)

    def pull(self, model: str | None = None) -> Iterator[PullProgress]:
        """Download ``model`` (default: this runtime's), yielding progress lines."""
        from ollama import ProgressResponse

        name = model or self.model
        body = {"model": name, "stream": True}
        try:
            for part in self._stream(ProgressResponse, "/api/pull", body):
                yield PullProgress(str(part.status), part.digest, part.total, part.completed)
        except InferenceError as exc:
            if "manifest" in exc.message and "does not exist" in exc.message:
                raise ModelNotFound(
                    name,
                    hint=f"no model {name!r} in the registry; check https://ollama.com/library",
                ) from exc
            raise
        self._caps = None

    def close(self) -> None:
        """Close the pooled HTTP connections."""
        self._client.close()

    def __enter__(self) -> OllamaRuntime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- errors ------------------------------------------------------------------------

    def _tools_error(self) -> UnsupportedFeature:
        return UnsupportedFeature(
            f"Ollama model {self.model!r} does not support native tools",
            hint="use a prompted call dialect (ChatGemma falls back automatically) or a "
            "model with native tools such as gemma4 or functiongemma",
        )

    def _map(self, exc: BaseException) -> GemmaAgentsError:
        """Turn any client, transport or protocol failure into one of our errors."""
        from ollama import ResponseError
        from pydantic import ValidationError

        if isinstance(exc, GemmaAgentsError):
            return exc
        if isinstance(exc, ResponseError):
            message, status = str(exc.error), exc.status_code
            if status == 404 or "not found, try pulling" in message:
                return ModelNotFound(self.model)
            if status == 400 and "does not support tools" in message:
                self._no_tools = True
                return self._tools_error()
            if status == 400 and "does not support thinking" in message:
                self._no_thinking = True
                return UnsupportedFeature(
                    f"Ollama model {self.model!r} does not support thinking",
                    hint="drop think=True, or use a thinking model such as gemma4",
                )
            if status == 400 and "does not support" in message:
                return UnsupportedFeature(f"Ollama: {message}")
            if status == -1:
                return InferenceError(f"Ollama failed mid-answer: {message}")
            return InferenceError(f"Ollama answered HTTP {status}: {message}", status_code=status)
        env = os.environ.get("OLLAMA_HOST")
        where = f"{self.host} (OLLAMA_HOST={env})" if env else f"{self.host} (OLLAMA_HOST unset)"
        mapped = transport_error(
            exc,
            server="Ollama",
            url=where,
            timeout=self.timeout,
            hint="start it with `ollama serve`, point OLLAMA_HOST at it, or run "
            "`gemma-agents doctor` to see which runtimes work",
        )
        if mapped is not None:
            return mapped  # type: ignore[return-value]
        if isinstance(exc, ValidationError | json.JSONDecodeError | ValueError | KeyError):
            return InferenceError(f"unexpected answer from Ollama at {self.host}: {exc}")
        raise exc
