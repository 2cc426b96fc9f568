"""ChatGemma: a LangChain chat model that makes every Gemma generation call tools.

``ChatGemma`` is the bridge between LangChain/LangGraph (``bind_tools``, ``AIMessage.
tool_calls``, ``ToolNode``) and Gemma models that mostly have no tool support of their own.
Per model it picks a strategy (:mod:`.selection`): native calls where the runtime parses
them, a prompted text dialect for Gemma 3, or JSON-schema constrained decoding with
few-shot examples for the base 270M. Whatever the strategy, the caller gets the same thing:
an ``AIMessage`` whose ``tool_calls`` are parsed, validated against the tools' schemas and,
when needed, repaired; calls that stay invalid come back as ``invalid_tool_calls`` with a
model-visible error instead of an exception.

    from gemma_agents.models import ChatGemma

    llm = ChatGemma("llamacpp:gemma3-270m").bind_tools([calculator])
    llm.invoke("What is 355 divided by 113?").tool_calls
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any, Literal

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk
from langchain_core.outputs import ChatResult as LCChatResult
from langchain_core.runnables import Runnable
from pydantic import ConfigDict, PrivateAttr

from ..calls import to_tool_spec
from ..exceptions import ConfigError, GemmaAgentsError, UnsupportedFeature
from ..runtime.base import ChatResult, Message, Runtime
from ._output import outcome_chunks, to_ai_message
from ._plan import ChatRequest, CompleteRequest, Outcome, Plan, Request, refuses_tools
from ._steps import StepBuilder
from .selection import Strategy, fallback_strategy, select_strategy

__all__ = ["ChatGemma"]


class ChatGemma(BaseChatModel):
    """LangChain chat model for Gemma on Ollama, llama.cpp or OpenAI-compatible servers.

    Args:
        model: A model string for :func:`gemma_agents.runtime.get_runtime`
            (``"ollama:gemma3:4b"``, ``"llamacpp:gemma3-270m"``, ``"auto"``...) or a ready
            :class:`~gemma_agents.runtime.Runtime`. The runtime is created on first use.
        dialect: Force a call dialect (``gemma3``, ``json``, ``functiongemma``, ``gemma4``,
            ``hermes``, ``line``, ``native``); default: chosen per model family.
        temperature: Sampling temperature (0 = greedy, the default: tool calls should be
            reproducible).
        max_tokens: Generation limit per model call.
        options: Extra runtime options in Ollama's vocabulary (``seed``, ``num_ctx``...).
        repair_attempts: Constrained re-asks for the arguments of an invalid call.
        mode: ``auto``, ``native``, ``prompted`` or ``constrained`` (see :mod:`.selection`).
        few_shot: Add worked examples to the prompt (default: constrained mode only).
        constrained_tool_rounds: In constrained mode, tool rounds after a request before a
            final answer is forced (base models otherwise call the same tool forever).
    """

    model: Any = "auto"
    dialect: str | None = None
    temperature: float = 0.0
    max_tokens: int | None = 512
    options: dict[str, Any] | None = None
    repair_attempts: int = 2
    mode: Literal["auto", "native", "prompted", "constrained"] = "auto"
    few_shot: bool | None = None
    constrained_tool_rounds: int = 1

    model_config = ConfigDict(arbitrary_types_allowed=True)

    _runtime: Runtime | None = PrivateAttr(default=None)
    _strategy: Strategy | None = PrivateAttr(default=None)

    def __init__(self, model: str | Runtime = "auto", **kwargs: Any) -> None:
        if not isinstance(model, str | Runtime):
            raise ConfigError(
                f"ChatGemma model must be a model string or a Runtime, not {type(model).__name__}",
                hint='e.g. ChatGemma("ollama:gemma3:4b") or ChatGemma("llamacpp:gemma3-270m")',
            )
        super().__init__(model=model, **kwargs)  # type: ignore[call-arg]
        if self.repair_attempts < 0:
            raise ConfigError("repair_attempts must be >= 0")
        if isinstance(model, Runtime):
            self._runtime = model

    # --- runtime and strategy -------------------------------------------------------------

    @property
    def runtime(self) -> Runtime:
        """The runtime, created from the model string on first use."""
        if self._runtime is None:
            from ..runtime import get_runtime

            self._runtime = get_runtime(self.model)
        return self._runtime

    @property
    def strategy(self) -> Strategy:
        """How this model is driven (mode, dialect, few-shot); decided once per instance."""
        if self._strategy is None:
            runtime = self.runtime
            self._strategy = select_strategy(
                str(getattr(runtime, "model", "")),
                runtime.name,
                runtime.capabilities(),
                dialect=self.dialect,
                mode=self.mode,
                few_shot=self.few_shot,
            )
        return self._strategy

    @property
    def _llm_type(self) -> str:
        return "gemma-agents-chat-gemma"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        model = (
            self.model if isinstance(self.model, str) else f"{self.model.name}:{self.model.model}"
        )
        return {
            "model": model,
            "mode": self.mode,
            "dialect": self.dialect,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }

    # --- tools ----------------------------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[Any],
        *,
        tool_choice: str | dict[str, Any] | bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (anything :func:`gemma_agents.calls.to_tool_spec` accepts).

        Args:
            tools: Our ``Tool`` objects, LangChain tools, functions, pydantic models, dicts.
            tool_choice: ``None``/``"auto"`` (model decides), ``"none"``, ``"any"``/
                ``"required"``/``True`` (must call a tool), or a tool name / OpenAI
                ``{"type": "function", "function": {"name": ...}}`` (must call that tool).
        """
        specs = [to_tool_spec(t).to_openai() for t in tools]
        return super().bind(tools=specs, tool_choice=tool_choice, **kwargs)

    # --- generation -----------------------------------------------------------------------

    def _builder(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict
    ) -> StepBuilder:
        specs = [to_tool_spec(t) for t in kwargs.get("tools") or ()]
        options: dict[str, Any] = {"temperature": self.temperature}
        if self.max_tokens is not None:
            options["num_predict"] = self.max_tokens
        options.update(self.options or {})
        options.update(kwargs.get("options") or {})
        if stop:
            options["stop"] = [*options.get("stop", []), *stop]
        return StepBuilder(
            messages=messages,
            specs=specs,
            tool_choice=kwargs.get("tool_choice"),
            options=options,
            repair_attempts=self.repair_attempts,
            constrained_tool_rounds=self.constrained_tool_rounds,
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LCChatResult:
        outcome = self._drive(self._plan(self._builder(messages, stop, kwargs)))
        return LCChatResult(generations=[ChatGeneration(message=to_ai_message(outcome))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LCChatResult:
        builder = self._builder(messages, stop, kwargs)
        await asyncio.to_thread(lambda: self.strategy)  # capability probe may block
        outcome = await self._adrive(self._plan(builder))
        return LCChatResult(generations=[ChatGeneration(message=to_ai_message(outcome))])

    def _plan(self, builder: StepBuilder) -> Plan:
        """The plan for one step, switching to prompted calls once if native is refused."""
        strategy = self.strategy
        try:
            return (yield from builder.plan(strategy))
        except UnsupportedFeature as exc:
            if strategy.mode != "native" or not refuses_tools(exc):
                raise
            self._strategy = fallback_strategy(strategy)
            return (yield from builder.plan(self._strategy))

    def _execute(self, request: Request) -> ChatResult:
        runtime = self.runtime
        if isinstance(request, CompleteRequest):
            try:
                result = runtime.complete(
                    request.prompt, format=request.format, options=request.options
                )
            except UnsupportedFeature as exc:
                if "raw completion" not in str(exc):
                    raise
                result = runtime.chat(
                    [Message("user", request.prompt)],
                    format=request.format,
                    options=request.options,
                )
        else:
            result = runtime.chat(
                request.messages,
                tools=request.tools or None,
                format=request.format,
                options=request.options,
            )
        assert isinstance(result, ChatResult)
        return result

    async def _aexecute(self, request: Request) -> ChatResult:
        if isinstance(request, ChatRequest):
            return await self.runtime.achat(
                request.messages,
                tools=request.tools or None,
                format=request.format,
                options=request.options,
            )
        return await asyncio.to_thread(self._execute, request)

    def _drive(self, plan: Plan) -> Outcome:
        return _run_sync(plan, self._execute)

    async def _adrive(self, plan: Plan) -> Outcome:
        try:
            request = next(plan)
            while True:
                try:
                    result = await self._aexecute(request)
                except GemmaAgentsError as exc:
                    request = plan.throw(exc)
                    continue
                request = plan.send(result)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]

    # --- streaming ------------------------------------------------------------------------

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        builder = self._builder(messages, stop, kwargs)
        strategy = self.strategy
        if builder.uses_constrained(strategy):
            for chunk in outcome_chunks(self._drive(self._plan(builder))):
                yield ChatGenerationChunk(message=chunk)
            return
        request = builder.stream_request(strategy)
        try:
            pieces = self._runtime_stream(request)
            first = next(pieces, None)
        except UnsupportedFeature as exc:
            if strategy.mode != "native" or not refuses_tools(exc):
                raise
            self._strategy = strategy = fallback_strategy(strategy)
            request = builder.stream_request(strategy)
            pieces = self._runtime_stream(request)
            first = next(pieces, None)
        assembler = builder.assembler(strategy, request)
        for piece in _chain(first, pieces):
            for chunk in assembler.feed(piece):
                yield ChatGenerationChunk(message=chunk)
        plan = assembler.finish()
        outcome = self._drive(plan)
        for chunk in assembler.final_chunks(outcome):
            yield ChatGenerationChunk(message=chunk)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        builder = self._builder(messages, stop, kwargs)
        strategy = await asyncio.to_thread(lambda: self.strategy)
        if builder.uses_constrained(strategy):
            for chunk in outcome_chunks(await self._adrive(self._plan(builder))):
                yield ChatGenerationChunk(message=chunk)
            return
        request = builder.stream_request(strategy)
        assembler = builder.assembler(strategy, request)
        try:
            async for piece in self.runtime.astream(
                request.messages, tools=request.tools or None, options=request.options
            ):
                for chunk in assembler.feed(piece):
                    yield ChatGenerationChunk(message=chunk)
        except UnsupportedFeature as exc:
            if strategy.mode != "native" or not refuses_tools(exc) or assembler.started:
                raise
            self._strategy = strategy = fallback_strategy(strategy)
            request = builder.stream_request(strategy)
            assembler = builder.assembler(strategy, request)
            async for piece in self.runtime.astream(request.messages, options=request.options):
                for chunk in assembler.feed(piece):
                    yield ChatGenerationChunk(message=chunk)
        outcome = await self._adrive(assembler.finish())
        for chunk in assembler.final_chunks(outcome):
            yield ChatGenerationChunk(message=chunk)

    def _runtime_stream(self, request: ChatRequest) -> Iterator[Any]:
        result = self.runtime.chat(
            request.messages,
            tools=request.tools or None,
            format=request.format,
            options=request.options,
            stream=True,
        )
        assert not isinstance(result, ChatResult)
        return iter(result)


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    if first is not None:
        yield first
    yield from rest


def _run_sync(plan: Plan, execute: Callable[[Request], ChatResult]) -> Outcome:
    """Drive a plan with blocking runtime calls, throwing runtime errors back into it."""
    try:
        request = next(plan)
        while True:
            try:
                result = execute(request)
            except GemmaAgentsError as exc:
                request = plan.throw(exc)
                continue
            request = plan.send(result)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
