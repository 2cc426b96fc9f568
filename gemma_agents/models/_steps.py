"""One ChatGemma step: build the request for the chosen strategy and turn output into calls.

:class:`StepBuilder` holds what a single ``invoke`` needs (messages, tools, tool choice,
options) and produces the plan (:mod:`._plan`) for a :class:`~.selection.Strategy`:

* native / prompted: one chat request (tools native, or rendered into the prompt in the
  dialect), then parse, validate and repair;
* constrained: one raw completion of the few-shot transcript under the union schema.

:class:`StreamAssembler` is the streaming twin of the text path: prose goes out as it
arrives, markup is held back, finished calls are emitted as ``tool_call_chunks``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from ..calls import Dialect, get_dialect, render_calls, render_tools, split_thinking
from ..calls._types import ToolCall, ToolSpec
from ..exceptions import ConfigError
from ..runtime.base import ChatResult, StreamChunk
from ._narrow import mentioned_arguments, named_tools
from ._output import final_chunk
from ._plan import ChatRequest, CompleteRequest, Outcome, Plan, finish_calls, parse_text
from .constrained import decode_output, union_schema
from .fewshot import Step, build_prompt, looks_multiple, order_tools, select_shots
from .messages import content_text, is_context_note, to_runtime_messages
from .repair import check_call
from .selection import Strategy
from .streaming import MarkupFilter

__all__ = ["StepBuilder", "StreamAssembler"]

_REQUIRED = ("any", "required")
_CONSTRAINED_STOP = ["\nRequest:", "\nResult:", "\n\nTools:"]


@dataclass
class StepBuilder:
    """Inputs of one ChatGemma step and the request/plan builders for each strategy."""

    messages: list[BaseMessage]
    specs: list[ToolSpec]
    tool_choice: Any = None
    options: dict[str, Any] = field(default_factory=dict)
    repair_attempts: int = 2
    constrained_tool_rounds: int = 1
    constrained_max_calls: int = 4

    # --- tool choice ----------------------------------------------------------------------

    def forced_name(self) -> str | None:
        choice = self.tool_choice
        if isinstance(choice, dict):
            choice = (choice.get("function") or {}).get("name") or choice.get("name")
        if isinstance(choice, str) and choice not in (*_REQUIRED, "auto", "none"):
            if choice not in {s.name for s in self.specs}:
                raise ConfigError(
                    f"tool_choice names unknown tool {choice!r}",
                    hint=f"bound tools: {', '.join(s.name for s in self.specs) or 'none'}",
                )
            return choice
        return None

    def offered(self) -> list[ToolSpec]:
        """The tools shown to the model, after ``tool_choice``."""
        if self.tool_choice == "none" or self.tool_choice is False:
            return []
        forced = self.forced_name()
        return [s for s in self.specs if s.name == forced] if forced else list(self.specs)

    def must_call(self) -> bool:
        return self.tool_choice is True or self.tool_choice in _REQUIRED or bool(self.forced_name())

    def uses_constrained(self, strategy: Strategy) -> bool:
        return strategy.mode == "constrained" and bool(self.offered())

    def last_request(self) -> str:
        for msg in reversed(self.messages):
            if isinstance(msg, HumanMessage) and not is_context_note(msg):
                return content_text(msg.content)
        return ""

    # --- native and prompted --------------------------------------------------------------

    def _dialect(self, strategy: Strategy) -> Dialect | None:
        return None if strategy.mode == "native" else get_dialect(strategy.dialect)

    def stream_request(self, strategy: Strategy) -> ChatRequest:
        """The chat request for the native or prompted strategy."""
        offered = self.offered()
        dialect = self._dialect(strategy)
        options = dict(self.options)
        if dialect is None:
            return ChatRequest(
                to_runtime_messages(self.messages, None), offered or None, None, options
            )
        tools_prompt = None
        if offered:
            tools_prompt = render_tools(offered, dialect)
            if strategy.few_shot:
                tools_prompt += _prompted_examples(self.last_request(), offered, dialect)
            if self.must_call():
                names = " or ".join(s.name for s in offered)
                tools_prompt += f"\n\nYou must call {names} now."
            if dialect.stop:
                options["stop"] = [*options.get("stop", []), *dialect.stop]
        runtime_messages = to_runtime_messages(self.messages, dialect, tools_prompt=tools_prompt)
        return ChatRequest(runtime_messages, None, None, options)

    def plan(self, strategy: Strategy) -> Plan:
        """The plan (see :mod:`._plan`) for ``strategy``."""
        if self.uses_constrained(strategy):
            return (yield from self._plan_constrained(strategy))
        request = self.stream_request(strategy)
        result = yield request
        outcome = Outcome(strategy=strategy, dialect=strategy.dialect)
        outcome.absorb(result)
        outcome.done_reason = result.done_reason
        thinking, text = _thinking(result.text, strategy)
        outcome.thinking = result.thinking or thinking or None
        outcome.raw = text
        return (yield from self.finish_text(outcome, text, result.tool_calls, strategy, request))

    def finish_text(
        self,
        outcome: Outcome,
        text: str,
        native_calls: Sequence[ToolCall],
        strategy: Strategy,
        request: ChatRequest,
    ) -> Plan:
        """Parse ``text`` (and native calls), validate, repair; fills ``outcome``."""
        offered = self.offered()
        if not offered and not native_calls:
            outcome.text = text
            return outcome
        dialect = self._dialect(strategy)
        if native_calls:
            calls, errors, prose = list(native_calls), [], text
        else:
            parsed = parse_text(text, offered, dialect or "auto")
            calls, errors, prose = list(parsed), list(parsed.errors), parsed.text
            if parsed.dialect and dialect is None:
                outcome.dialect = parsed.dialect
        outcome.text = prose.strip() if (calls or errors) else prose
        if not outcome.raw:
            outcome.raw = text or json.dumps([c.to_langchain() for c in calls], default=str)
        return (
            yield from finish_calls(
                outcome,
                calls,
                errors,
                offered,
                attempts=self.repair_attempts,
                context=request.messages,
                request_text=self.last_request(),
                options=request.options,
            )
        )

    def assembler(self, strategy: Strategy, request: ChatRequest) -> StreamAssembler:
        return StreamAssembler(self, strategy, request)

    # --- constrained ----------------------------------------------------------------------

    def steps(self) -> list[Step]:
        """The conversation as constrained-transcript steps."""
        steps: list[Step] = []
        for msg in self.messages:
            if isinstance(msg, SystemMessage):
                steps.append(("instructions", content_text(msg.content)))
            elif isinstance(msg, HumanMessage):
                # Per-step notes (the agent's budget line) are not requests; the
                # transcript already limits tool rounds, so a base model does not need them.
                if not is_context_note(msg):
                    steps.append(("request", content_text(msg.content)))
            elif isinstance(msg, AIMessage):
                made = [(call["name"], call.get("args") or {}) for call in msg.tool_calls]
                if len(made) > 1:
                    steps.append(("calls", made))
                elif made:
                    steps.append(("call", made[0]))
                text = content_text(msg.content).strip()
                if text and not msg.tool_calls:
                    steps.append(("answer", text))
            elif isinstance(msg, ToolMessage):
                steps.append(("result", content_text(msg.content) or str(msg.content)))
        return steps

    def _rounds_since_request(self, steps: Sequence[Step]) -> int:
        rounds = 0
        for kind, _ in reversed(steps):
            if kind == "request":
                break
            if kind in ("call", "calls"):
                rounds += 1
        return rounds

    def _plan_constrained(self, strategy: Strategy) -> Plan:
        offered = self.offered()
        steps = self.steps()
        allow_tools = self._rounds_since_request(steps) < self.constrained_tool_rounds
        allow_final = not (allow_tools and self.must_call())
        # The same examples on every step of one request: the answer step's prompt then
        # extends the call step's, so the runtime reuses its KV cache for all of it.
        # Several calls in one step only where the request plausibly asks for them: single
        # requests keep the single-call pattern the examples set up.
        multi = self.constrained_max_calls > 1 and looks_multiple(self.last_request())
        shots = []
        if strategy.few_shot:
            first_step_final = not self.must_call()
            shots = select_shots(
                self.last_request(),
                offered,
                direct_shots=2 if first_step_final else 0,
                multi=multi,
            )
        prompt = build_prompt(order_tools(self.last_request(), offered), steps, shots)
        # The grammar offers the tool the request names (when it names exactly one) and
        # leaves out optional arguments the request does not mention, so the model cannot
        # invent values for them; the prompt and validation keep the full tools.
        request = self.last_request()
        schema = union_schema(
            [mentioned_arguments(spec, request) for spec in named_tools(offered, request)],
            allow_tools=allow_tools,
            allow_final=allow_final,
            max_calls=self.constrained_max_calls if multi else 1,
        )
        options = dict(self.options)
        options["stop"] = [*options.get("stop", []), *_CONSTRAINED_STOP]
        outcome = Outcome(strategy=strategy, dialect="json")
        result = yield CompleteRequest(prompt, schema, options)
        outcome.absorb(result)
        turn = decode_output(result.text)
        if turn.error and result.done_reason == "length" and not turn.truncated:
            # Cut off mid-JSON: one retry with twice the budget.
            options["num_predict"] = int(options.get("num_predict") or 256) * 2
            result = yield CompleteRequest(prompt, schema, options)
            outcome.absorb(result)
            turn = decode_output(result.text)
        outcome.done_reason = result.done_reason
        outcome.raw = result.text
        if turn.final_answer is not None:
            outcome.text = turn.final_answer
            if turn.truncated:
                outcome.done_reason = "length"
            return outcome
        if turn.error:
            outcome.invalid.append(
                {
                    "type": "invalid_tool_call",
                    "name": None,
                    "args": result.text[:500],
                    "id": None,
                    "error": f"The model output could not be read: {turn.error}",
                }
            )
            return outcome
        return (
            yield from finish_calls(
                outcome,
                turn.calls,
                [],
                offered,
                attempts=self.repair_attempts,
                context=None,
                request_text=self.last_request(),
                options=options,
            )
        )


def _thinking(text: str, strategy: Strategy) -> tuple[str, str]:
    if strategy.family == "gemma4" or "<|channel>" in text:
        return split_thinking(text)
    return "", text


def _prompted_examples(request: str, specs: Sequence[ToolSpec], dialect: Dialect) -> str:
    """Worked calls in the dialect, for prompted models that need a pattern to copy."""
    names = {s.name for s in specs}
    lines = []
    for shot in select_shots(request, specs, direct_shots=0):
        if shot.call and shot.call[0] in names:
            call = ToolCall(shot.call[0], dict(shot.call[1]))
            lines.append(f"Request: {shot.request}\nCall: {render_calls([call], dialect)}")
    return ("\n\nExamples:\n" + "\n\n".join(lines)) if lines else ""


class StreamAssembler:
    """Turn runtime stream chunks into ``AIMessageChunk``s without showing call markup.

    Calls are emitted as soon as they are complete and stable (parsed identically after
    more text arrived) and valid; everything else is settled in :meth:`finish`, which
    returns the validation/repair plan, and :meth:`final_chunks`.
    """

    def __init__(self, builder: StepBuilder, strategy: Strategy, request: ChatRequest) -> None:
        self.builder = builder
        self.strategy = strategy
        self.request = request
        self.filter = MarkupFilter()
        self.native: list[ToolCall] = []
        self.emitted: list[ToolCall] = []
        self.started = False
        self._previous: list[ToolCall] = []
        self._specs = {s.name: s for s in builder.offered()}
        self._usage: Any = None
        self._done_reason: str | None = None
        self._thinking = ""
        self._rest = ""
        self._dialect = None if strategy.mode == "native" else get_dialect(strategy.dialect)

    def _call_chunk(self, call: ToolCall) -> AIMessageChunk:
        index = len(self.emitted)
        self.emitted.append(call)
        return AIMessageChunk(
            content="",
            tool_call_chunks=[
                {
                    "type": "tool_call_chunk",
                    "name": call.name,
                    "args": json.dumps(call.arguments, ensure_ascii=False),
                    "id": call.id,
                    "index": index,
                }
            ],
        )

    def feed(self, piece: StreamChunk) -> list[AIMessageChunk]:
        """Process one runtime chunk; return the chunks to yield now."""
        self.started = True
        out: list[AIMessageChunk] = []
        if piece.thinking:
            self._thinking += piece.thinking
        for call in piece.tool_calls:
            self.native.append(call)
            if check_call(call, self._specs) is None:
                out.append(self._call_chunk(call))
        if piece.text:
            shown = self.filter.feed(piece.text)
            if shown:
                out.append(AIMessageChunk(content=shown))
            if self.filter.held and self._specs and not self.native:
                out.extend(self._early_calls())
        if piece.done:
            self._usage = piece.usage
            self._done_reason = piece.done_reason
        return out

    def _early_calls(self) -> list[AIMessageChunk]:
        parsed = list(
            parse_text(self.filter.held, list(self._specs.values()), self._dialect or "auto")
        )
        out = []
        stable = 0
        while (
            stable < min(len(parsed), len(self._previous))
            and parsed[stable] == self._previous[stable]
        ):
            stable += 1
        for call in parsed[len(self.emitted) : stable]:
            if check_call(call, self._specs) is not None:
                break  # settled (and repaired) at the end, in order
            out.append(self._call_chunk(call))
        self._previous = parsed
        return out

    def finish(self) -> Plan:
        """The validation/repair plan for the whole streamed text."""
        from ..runtime.base import Usage

        outcome = Outcome(strategy=self.strategy, dialect=self.strategy.dialect)
        outcome.absorb(ChatResult(text="", usage=self._usage or Usage()))
        outcome.done_reason = self._done_reason
        thinking, text = _thinking(self.filter.text, self.strategy)
        outcome.thinking = self._thinking or thinking or None
        outcome.raw = text
        outcome = yield from self.builder.finish_text(
            outcome, text, self.native, self.strategy, self.request
        )
        self._rest = self.filter.finish(outcome.text)
        return outcome

    def final_chunks(self, outcome: Outcome) -> list[AIMessageChunk]:
        """Calls not yet emitted, then the last chunk (rest of the prose, usage, metadata)."""
        pending = list(self.emitted)
        out = []
        for call in outcome.calls:
            if call in pending:
                pending.remove(call)
            else:
                out.append(self._call_chunk(call))
        out.append(final_chunk(outcome, len(self.emitted), self._rest))
        return out
