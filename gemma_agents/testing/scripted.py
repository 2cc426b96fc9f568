"""A scripted runtime that emits raw Gemma-format text.

Tests built on it exercise the real parsing path (dialects, validation, repair), unlike a
fake chat model that returns ready-made ``AIMessage`` objects. Like pydantic-ai's
``FunctionModel``, a response can be a fixed string or a function of the conversation.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal

from ..calls._types import ToolSpec
from ..exceptions import ModelBehaviorError
from ..runtime.base import (
    Capabilities,
    ChatResult,
    Health,
    Message,
    Runtime,
    StreamChunk,
    Usage,
)

__all__ = ["ScriptedRuntime"]

Response = str | Callable[[Sequence[Message]], str]


class ScriptedRuntime(Runtime):
    """Replays scripted outputs, one per model call.

    Args:
        responses: Strings (emitted verbatim) or callables receiving the conversation and
            returning the text; consumed in order. A single callable given directly is used
            for every call.
        model: Model name reported in results; its family picks the dialect upstream
            (``gemma3`` by default).
        capabilities: What the fake model claims to support.
        chunk_size: Characters per streamed chunk.
        cycle: Start again from the first response when the script runs out, instead of
            raising.

    Attributes:
        calls: Every request received, as ``(messages, format, tools)`` tuples, so tests
            can assert on exactly what the model was shown.
    """

    name = "test"

    def __init__(
        self,
        responses: Sequence[Response] | Callable[[Sequence[Message]], str],
        *,
        model: str = "gemma3:scripted",
        capabilities: Capabilities | None = None,
        chunk_size: int = 4,
        cycle: bool = False,
    ) -> None:
        self.model = model
        self._responses: list[Response] = [responses] if callable(responses) else list(responses)
        self._fixed = callable(responses)
        self._caps = capabilities or Capabilities(
            tools=False, json_schema=True, context_length=8192, family="gemma3"
        )
        self._chunk = max(1, chunk_size)
        self._cycle = cycle
        self._index = 0
        self._lock = threading.Lock()
        self.calls: list[tuple[list[Message], Any, list[ToolSpec] | None]] = []

    def _next(self, messages: Sequence[Message]) -> str:
        with self._lock:
            if self._fixed:
                response = self._responses[0]
            else:
                if self._index >= len(self._responses):
                    if not self._cycle or not self._responses:
                        raise ModelBehaviorError(
                            f"ScriptedRuntime ran out of responses after {self._index} calls",
                            hint="add more responses or pass cycle=True",
                        )
                    self._index = 0
                response = self._responses[self._index]
                self._index += 1
        return response(messages) if callable(response) else response

    def chat(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] | None = None,
        format: Mapping[str, Any] | Literal["json"] | None = None,
        options: Mapping[str, Any] | None = None,
        stream: bool = False,
    ) -> ChatResult | Iterator[StreamChunk]:
        self.calls.append((list(messages), format, list(tools) if tools else None))
        text = self._next(messages)
        prompt_tokens = sum(len(m.content.split()) for m in messages)
        usage = Usage(prompt_tokens=prompt_tokens, completion_tokens=len(text.split()))
        if not stream:
            return ChatResult(text=text, usage=usage, model=self.model, done_reason="stop")
        return self._stream(text, usage)

    def _stream(self, text: str, usage: Usage) -> Iterator[StreamChunk]:
        for i in range(0, len(text), self._chunk):
            yield StreamChunk(text=text[i : i + self._chunk])
        yield StreamChunk(done=True, usage=usage, done_reason="stop")

    def complete(
        self,
        prompt: str,
        *,
        format: Mapping[str, Any] | Literal["json"] | None = None,
        options: Mapping[str, Any] | None = None,
        stream: bool = False,
    ) -> ChatResult | Iterator[StreamChunk]:
        return self.chat([Message("user", prompt)], format=format, options=options, stream=stream)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Deterministic 16-dim vectors from a hash: stable across runs, not semantic."""
        out = []
        for text in texts:
            digest = hashlib.sha256(text.encode()).digest()
            out.append([b / 255.0 for b in digest[:16]])
        return out

    def capabilities(self) -> Capabilities:
        return self._caps

    def health(self) -> Health:
        return Health(ok=True, runtime=self.name, detail="scripted", models=(self.model,))
