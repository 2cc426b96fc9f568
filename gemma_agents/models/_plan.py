"""The model-call plan behind ChatGemma, written once for sync and async drivers.

One chat step may need several model calls: the main generation, a fallback when the
runtime refuses native tools, and repair calls for invalid arguments. The plan is a
generator that *yields* requests (:class:`ChatRequest`, :class:`CompleteRequest`) and
receives results (or has runtime errors thrown into it), so the same logic runs under a
blocking driver (``invoke``) and an ``await``-ing one (``ainvoke``) without duplication, and
can be tested without any model at all.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..calls import Dialect, ParsedCalls, parse_tool_calls
from ..calls._types import ToolCall, ToolSpec, new_call_id
from ..exceptions import UnsupportedFeature
from ..runtime.base import ChatResult, Message, Usage
from .constrained import format_schema
from .repair import (
    CallProblem,
    RepairRecord,
    check_call,
    decode_arguments,
    problems_for,
    repair_prompt,
)
from .selection import Strategy

__all__ = [
    "ChatRequest",
    "CompleteRequest",
    "Outcome",
    "Plan",
    "finish_calls",
    "parse_text",
    "refuses_tools",
]


@dataclass
class ChatRequest:
    """Ask the runtime's ``chat``."""

    messages: list[Message]
    tools: list[ToolSpec] | None = None
    format: Mapping[str, Any] | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class CompleteRequest:
    """Ask the runtime's raw ``complete`` (falls back to a one-message chat)."""

    prompt: str
    format: Mapping[str, Any] | None = None
    options: dict[str, Any] = field(default_factory=dict)


Request = ChatRequest | CompleteRequest
Plan = Generator[Request, ChatResult, "Outcome"]


@dataclass
class Outcome:
    """Everything one ChatGemma step produced, before it becomes an ``AIMessage``."""

    text: str = ""
    calls: list[ToolCall] = field(default_factory=list)
    invalid: list[dict[str, Any]] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    model: str = ""
    done_reason: str | None = None
    thinking: str | None = None
    strategy: Strategy | None = None
    dialect: str | None = None
    repairs: list[RepairRecord] = field(default_factory=list)
    raw: str = ""

    def absorb(self, result: ChatResult) -> None:
        """Add a model call's usage (repairs count towards the step's tokens)."""
        self.usage = self.usage + result.usage
        self.model = self.model or result.model


def refuses_tools(exc: BaseException) -> bool:
    """Whether a runtime error means "this model has no native tool support"."""
    return isinstance(exc, UnsupportedFeature) and "tool" in str(exc).lower()


def parse_text(text: str, tools: Sequence[ToolSpec], dialect: Dialect | str) -> ParsedCalls:
    """Parse calls in the prompted dialect, then in any dialect the model drifted into.

    Prompted small models regularly answer in a neighbouring format (a JSON object instead
    of a python list); with ``tools`` given, ambiguous formats only count known tool names,
    so this leniency does not turn ordinary prose into calls.
    """
    parsed = parse_tool_calls(text, tools, dialect)
    if parsed or parsed.errors or not tools:
        return parsed
    other = parse_tool_calls(text, tools, "auto")
    return other if other else parsed


def invalid_entry(problem: CallProblem) -> dict[str, Any]:
    """A LangChain ``InvalidToolCall`` for a call that could not be repaired."""
    args = (
        json.dumps(dict(problem.arguments), ensure_ascii=False, default=str)
        if problem.arguments is not None
        else problem.raw
    )
    return {
        "type": "invalid_tool_call",
        "name": problem.name,
        "args": args,
        "id": problem.call_id or new_call_id(),
        "error": problem.feedback,
    }


def finish_calls(
    outcome: Outcome,
    calls: Sequence[ToolCall],
    errors: Sequence[tuple[str, str]],
    specs: Sequence[ToolSpec],
    *,
    attempts: int,
    context: list[Message] | None,
    request_text: str | None,
    options: dict[str, Any],
) -> Plan:
    """Validate ``calls``, repair the invalid ones, and record everything in ``outcome``.

    Args:
        outcome: Collects good calls, invalid calls, repairs and usage.
        calls: Parsed calls.
        errors: Fragments the parser could not read.
        specs: The tools offered to the model.
        attempts: Repair attempts per problem (0 reports problems without repairing).
        context: The conversation to repair in (chat runtimes); ``None`` uses a
            stand-alone raw completion prompt (base models).
        request_text: The latest user request, repeated in the repair prompt.
        options: Sampling options for repair calls.
    """
    by_name = {spec.name: spec for spec in specs}
    good, problems = problems_for(calls, errors, by_name)
    outcome.calls.extend(good)
    repair_options = {k: v for k, v in options.items() if k != "stop"}
    for problem in problems:
        fixed = None
        if problem.spec is not None:
            fixed = yield from _repair(
                outcome, problem, attempts, context, request_text, repair_options
            )
        if fixed is not None:
            outcome.calls.append(fixed)
        else:
            outcome.invalid.append(invalid_entry(problem))
    return outcome


def _repair(
    outcome: Outcome,
    problem: CallProblem,
    attempts: int,
    context: list[Message] | None,
    request_text: str | None,
    options: dict[str, Any],
) -> Generator[Request, ChatResult, ToolCall | None]:
    assert problem.spec is not None
    spec = problem.spec
    schema = format_schema(spec.parameters) or {"type": "object"}
    for attempt in range(1, attempts + 1):
        prompt = repair_prompt(problem, request_text)
        request: Request
        if context is None:
            request = CompleteRequest(prompt + "\nArguments JSON:", schema, dict(options))
        else:
            request = ChatRequest(
                [*context, Message("assistant", outcome.raw), Message("user", prompt)],
                None,
                schema,
                dict(options),
            )
        try:
            result = yield request
        except UnsupportedFeature as exc:  # the runtime cannot constrain output: stop trying
            outcome.repairs.append(
                RepairRecord(spec.name, attempt, problem.feedback, False, extra={"error": str(exc)})
            )
            return None
        outcome.absorb(result)
        args, reason = decode_arguments(result.text)
        if args is not None:
            call = ToolCall(
                spec.name,
                args,
                id=problem.call_id or new_call_id(),
                dialect="repair",
                raw=result.text,
            )
            new_problem = check_call(call, {spec.name: spec})
            if new_problem is None:
                outcome.repairs.append(
                    RepairRecord(spec.name, attempt, problem.feedback, True, result.text)
                )
                return call
            reason = new_problem.feedback
            problem.arguments = args
        outcome.repairs.append(
            RepairRecord(spec.name, attempt, problem.feedback, False, result.text)
        )
        problem.feedback = reason or problem.feedback
        problem.raw = result.text
    return None
