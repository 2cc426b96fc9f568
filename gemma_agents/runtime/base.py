"""The contract every inference backend implements.

One small abstract class, one module per backend (``ollama``, ``llamacpp``, ``openai``),
as pydantic-ai does for its models. Everything above this layer (dialects, ``ChatGemma``,
the agent graph) talks to a :class:`Runtime` and never to a client library directly, so
a scripted test runtime can stand in for a real one without patching anything.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..calls._types import ToolCall, ToolSpec

__all__ = [
    "Capabilities",
    "ChatResult",
    "Health",
    "Message",
    "Role",
    "Runtime",
    "StreamChunk",
    "Usage",
]

Role = Literal["system", "developer", "user", "assistant", "tool"]


@dataclass
class Message:
    """A chat message in runtime-neutral form.

    Attributes:
        role: ``system``, ``developer`` (FunctionGemma), ``user``, ``assistant`` or ``tool``.
        content: Text of the message.
        images: Raw image bytes or base64 strings (vision models only).
        tool_calls: Calls an assistant message made, for runtimes with native tools.
        tool_name: Name of the tool a ``tool`` message answers.
        tool_call_id: Id of the call a ``tool`` message answers.
    """

    role: Role
    content: str = ""
    images: list[bytes | str] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_name: str | None = None
    tool_call_id: str | None = None


@dataclass
class Usage:
    """Token counts and timings for one model call.

    Durations are in milliseconds. ``cached_tokens`` counts prompt tokens served from a
    reused KV cache (embedded runtime), so ``prompt_tokens - cached_tokens`` is what was
    actually evaluated.
    """

    prompt_tokens: int = 0
    completion_tokens: int = 0
    prompt_eval_ms: float = 0.0
    eval_ms: float = 0.0
    total_ms: float = 0.0
    cached_tokens: int = 0

    @property
    def tokens_per_s(self) -> float:
        """Decode speed; 0.0 when the runtime reported no eval time."""
        return self.completion_tokens / (self.eval_ms / 1000.0) if self.eval_ms > 0 else 0.0

    @property
    def evaluated_prompt_tokens(self) -> int:
        return max(0, self.prompt_tokens - self.cached_tokens)

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.prompt_eval_ms + other.prompt_eval_ms,
            self.eval_ms + other.eval_ms,
            self.total_ms + other.total_ms,
            self.cached_tokens + other.cached_tokens,
        )


@dataclass
class ChatResult:
    """A complete (non-streamed) answer.

    Attributes:
        text: Generated text, markup included (dialects parse it).
        tool_calls: Calls the backend parsed natively (Ollama/OpenAI ``tool_calls``).
        usage: Token counts and timings.
        model: Model name as the backend reported it.
        done_reason: ``stop``, ``length``, ``tool_calls``... when known.
        thinking: Reasoning text the backend separated out, if any.
    """

    text: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    model: str = ""
    done_reason: str | None = None
    thinking: str | None = None


@dataclass
class StreamChunk:
    """One piece of a streamed answer; the last one has ``done=True`` and the usage."""

    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    done: bool = False
    usage: Usage | None = None
    done_reason: str | None = None
    thinking: str = ""


@dataclass(frozen=True)
class Capabilities:
    """What a model can do on a runtime; drives the choice of call dialect."""

    tools: bool = False
    vision: bool = False
    thinking: bool = False
    embedding: bool = False
    json_schema: bool = True
    context_length: int | None = None
    family: str | None = None


@dataclass(frozen=True)
class Health:
    """Result of :meth:`Runtime.health`: reachable or not, and what to do about it."""

    ok: bool
    runtime: str
    detail: str = ""
    fix: str | None = None
    models: tuple[str, ...] = ()


class Runtime(ABC):
    """An inference backend bound to one model.

    Subclasses implement :meth:`chat`, :meth:`embed`, :meth:`capabilities` and
    :meth:`health`; async variants default to running the sync call in a worker thread,
    which is right for in-process backends and good enough for HTTP ones that do not
    override them.
    """

    #: Backend name used in model strings (``ollama``, ``llamacpp``, ``openai``, ``test``).
    name: str = "runtime"
    #: Model identifier on this backend.
    model: str

    @abstractmethod
    def chat(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] | None = None,
        format: Mapping[str, Any] | Literal["json"] | None = None,
        options: Mapping[str, Any] | None = None,
        stream: bool = False,
    ) -> ChatResult | Iterator[StreamChunk]:
        """Generate the next assistant message.

        Args:
            messages: The conversation, oldest first.
            tools: Tools to offer natively; only for models whose capabilities say
                ``tools``. Prompted dialects render tools into the messages instead.
            format: A JSON schema (or ``"json"``) the output must match, enforced by the
                backend (Ollama ``format``, llama.cpp grammar, OpenAI ``response_format``).
            options: Sampling options in Ollama's vocabulary (``temperature``, ``top_p``,
                ``seed``, ``num_predict``, ``num_ctx``, ``stop``...); each backend maps them.
            stream: Return an iterator of :class:`StreamChunk` instead of a result.
        """

    async def achat(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] | None = None,
        format: Mapping[str, Any] | Literal["json"] | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> ChatResult:
        result = await asyncio.to_thread(
            self.chat, messages, tools=tools, format=format, options=options, stream=False
        )
        assert isinstance(result, ChatResult)
        return result

    async def astream(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] | None = None,
        format: Mapping[str, Any] | Literal["json"] | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[StreamChunk]:
        """Stream in a worker thread, handing chunks over through a queue."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[StreamChunk | BaseException | None] = asyncio.Queue()

        def produce() -> None:
            try:
                it = self.chat(messages, tools=tools, format=format, options=options, stream=True)
                assert not isinstance(it, ChatResult)
                for chunk in it:
                    loop.call_soon_threadsafe(queue.put_nowait, chunk)
            except BaseException as exc:  # re-raised in the consumer
                loop.call_soon_threadsafe(queue.put_nowait, exc)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, None)

        task = loop.run_in_executor(None, produce)
        while (item := await queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
        await task

    def complete(
        self,
        prompt: str,
        *,
        format: Mapping[str, Any] | Literal["json"] | None = None,
        options: Mapping[str, Any] | None = None,
        stream: bool = False,
    ) -> ChatResult | Iterator[StreamChunk]:
        """Continue a raw prompt with no chat template applied.

        Few-shot prompting of base models (the embedded 270M) and hand-built turn formats
        need the exact prompt text; backends map this to llama.cpp's raw completion,
        Ollama's ``/api/generate`` with ``raw: true`` or OpenAI's ``/v1/completions``.
        """
        from ..exceptions import UnsupportedFeature

        raise UnsupportedFeature(f"{type(self).__name__} does not support raw completion")

    @abstractmethod
    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Return one embedding vector per text."""

    @abstractmethod
    def capabilities(self) -> Capabilities:
        """What this runtime's model can do."""

    @abstractmethod
    def health(self) -> Health:
        """Check reachability without raising; the result says how to fix a failure."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release clients, model weights or server connections."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={getattr(self, 'model', '?')!r})"
