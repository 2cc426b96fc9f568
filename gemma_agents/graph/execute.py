"""Running tool calls: validation, journal, timeout, retries, result shaping.

Everything the model gets back from a tool passes through here, and every failure becomes
text the model can act on (the messages are module-level templates, like LangGraph's
``tool_node.py``) rather than an exception that ends the run. The rules:

- arguments are validated against the tool's schema first; a bad call gets the schema
  feedback (field, expected, given) and never reaches the tool;
- the journal records *started* before the tool runs and *finished* after, so a crashed
  run neither repeats a non-idempotent call nor loses a finished result;
- one deadline (the tool's timeout, capped by the agent's ``tool_timeout``) covers all
  attempts; tenacity retries only transient failures: a connection that never reached the
  server always, other transport errors and timeouts only for idempotent tools;
- results are capped at ``max_result_chars`` with a note saying so, and fenced as
  untrusted data when the tool or the result says it came from outside.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from ..exceptions import ToolExecutionError
from .journal import ToolJournal

if TYPE_CHECKING:
    from ..tools._tool import Tool

__all__ = [
    "BLOCKED_TEMPLATE",
    "CRASHED_CALL_TEMPLATE",
    "INVALID_CALL_TEMPLATE",
    "REJECTED_TEMPLATE",
    "REPEATED_NOT_RUN_TEMPLATE",
    "TOOL_EXECUTION_ERROR_TEMPLATE",
    "TOOL_TIMEOUT_TEMPLATE",
    "TRUNCATION_NOTE",
    "CallOutcome",
    "ExecutionEnv",
    "cap_text",
    "fence_untrusted",
    "is_transient",
    "run_call",
]

INVALID_CALL_TEMPLATE = "Error: {error}\n Please fix your mistakes."
TOOL_EXECUTION_ERROR_TEMPLATE = (
    "Error executing tool '{tool_name}' with arguments {tool_kwargs}:\n"
    " {error}\n"
    " Please fix the error and try again."
)
TOOL_TIMEOUT_TEMPLATE = (
    "Error: tool '{tool_name}' did not finish within {timeout:g} seconds and was "
    "abandoned. Try simpler arguments, another tool, or answer without it."
)
CRASHED_CALL_TEMPLATE = (
    "Error: the earlier run of '{tool_name}' was interrupted while it was executing (the "
    "agent stopped). It may or may not have taken effect, so it was NOT run again. Tell "
    "the user, or check its effect before calling it again."
)
BLOCKED_TEMPLATE = (
    "Error: this call to '{tool_name}' was blocked by a guardrail and did not run: "
    "{reasons}. Do not retry it unchanged."
)
REJECTED_TEMPLATE = (
    "The user rejected this call to '{tool_name}', so it did not run. Reason: {reason}. "
    "Do not retry it unchanged; answer or ask the user how to proceed."
)
REPEATED_NOT_RUN_TEMPLATE = (
    "Not run again: you already called '{tool_name}' with exactly these arguments and it "
    "changes things outside the conversation, so repeating it could do the action twice. "
    "Use the earlier result."
)
TRUNCATION_NOTE = "\n[output truncated: showing the first {shown} of {total} characters]"


@dataclass(frozen=True)
class CallOutcome:
    """What one call produced, ready to become a ``ToolMessage``.

    Attributes:
        call_id: The model's call id.
        name: Tool name as called.
        args: Arguments (validated, original names, when validation passed).
        content: The text the model will see.
        status: ``ok``, ``error``, ``timeout``, ``skipped`` (not re-run after a crash or
            as a repeat), ``blocked`` or ``rejected``.
        duration_s: Execution time including retries.
        from_journal: The result was replayed from the journal, not executed.
        raw: The capped result before fencing, for the tool-result guards (which fence
            it themselves when they act, so a result is never fenced twice).
    """

    call_id: str
    name: str
    args: dict[str, Any]
    content: str
    status: str
    duration_s: float = 0.0
    from_journal: bool = False
    raw: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class ExecutionEnv:
    """Per-run settings for :func:`run_call`.

    Attributes:
        tools: Tools by name.
        journal: Execution journal.
        thread_id: Journal key.
        timeout_cap: The agent's ``tool_timeout`` (caps each tool's own timeout).
        max_result_chars: Size cap on result text.
        retries: Extra attempts for transient failures.
        context: A ``ToolContext`` set around the call (``None``: leave as is).
    """

    tools: Mapping[str, Tool]
    journal: ToolJournal
    thread_id: str
    timeout_cap: float | None = None
    max_result_chars: int = 4000
    retries: int = 2
    context: Any = None


def cap_text(text: str, limit: int) -> str:
    """Cut ``text`` at ``limit`` characters and say so (never silently)."""
    if limit <= 0 or len(text) <= limit:
        return text
    return text[:limit] + TRUNCATION_NOTE.format(shown=limit, total=len(text))


def fence_untrusted(text: str, tool_name: str, source: str | None = None) -> str:
    """Wrap third-party text so the model reads it as quoted data.

    Uses the guardrails' fence (random nonce, control tokens defanged) so a result looks
    the same whether the graph or the indirect-injection guard fenced it.
    """
    from ..guardrails.indirect import fence_untrusted as guard_fence

    label = f"{tool_name} ({source})" if source and source != tool_name else tool_name
    return guard_fence(text, source=label)


def is_transient(exc: BaseException, *, idempotent: bool) -> bool:
    """Whether retrying ``exc`` is safe and may help.

    A refused connection never reached the tool's server, so even a non-idempotent call
    can be retried. Anything that may have been half-done (read errors, timeouts) is only
    retried when running twice is harmless.
    """
    try:
        import httpx
    except ImportError:  # pragma: no cover - httpx is a core dependency
        httpx = None  # type: ignore[assignment]
    if httpx is not None and isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return True
    if isinstance(exc, ConnectionRefusedError):
        return True
    if not idempotent:
        return False
    if httpx is not None and isinstance(exc, httpx.TransportError):
        return True
    return isinstance(exc, ConnectionError | TimeoutError)


def _timeout(tool: Tool, cap: float | None) -> float | None:
    limits = [t for t in (tool.timeout, cap) if t is not None and t > 0]
    return min(limits) if limits else None


async def _invoke(tool: Tool, kwargs: dict[str, Any]) -> Any:
    if tool.is_async:
        return await tool.fn(**kwargs)
    return await asyncio.to_thread(tool.fn, **kwargs)


class _ToolTimedOut(Exception):
    """A ``TimeoutError`` raised by the tool itself, kept apart from our own deadline."""


async def _attempts(tool: Tool, kwargs: dict[str, Any], retries: int) -> Any:
    retrying = AsyncRetrying(
        stop=stop_after_attempt(max(1, retries + 1)),
        wait=wait_exponential(multiplier=0.1, max=1.0),
        retry=retry_if_exception(lambda e: is_transient(e, idempotent=tool.idempotent)),
        reraise=True,
    )
    try:
        async for attempt in retrying:
            with attempt:
                return await _invoke(tool, kwargs)
    except TimeoutError as exc:
        raise _ToolTimedOut(str(exc) or "the operation timed out") from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _render(value: Any, tool: Tool, limit: int) -> tuple[str, str]:
    """``(text for the model, capped raw text)``: fenced when the result is untrusted."""
    from ..tools.results import ToolResult, is_untrusted, result_text

    raw = cap_text(result_text(value), limit)
    if is_untrusted(value, tool):
        source = value.source if isinstance(value, ToolResult) else None
        return fence_untrusted(raw, tool.name, source), raw
    return raw, raw


def _error_text(tool: Tool, kwargs: Mapping[str, Any], exc: BaseException) -> str:
    from ..tools.results import ToolInputError

    if isinstance(exc, ToolInputError):
        # Written for the model already: say it plainly.
        return INVALID_CALL_TEMPLATE.format(error=exc.message)
    message = exc.message if isinstance(exc, ToolExecutionError) else str(exc)
    error = f"{type(exc).__name__}: {message}".strip().rstrip(":")
    return TOOL_EXECUTION_ERROR_TEMPLATE.format(
        tool_name=tool.name, tool_kwargs=dict(kwargs), error=error
    )


async def run_call(
    call_id: str, name: str, args: Mapping[str, Any], env: ExecutionEnv
) -> CallOutcome:
    """Run one call under the rules in the module docstring; never raises for tool faults."""
    args = dict(args)
    tool = env.tools.get(name)
    if tool is None:
        from ..schema import unknown_tool_feedback

        return CallOutcome(call_id, name, args, unknown_tool_feedback(name, env.tools), "error")
    try:
        kwargs = tool.validate(args)
    except ValidationError as exc:
        from ..schema import validation_feedback

        text = validation_feedback(name, exc, tool.json_schema())
        return CallOutcome(call_id, name, args, INVALID_CALL_TEMPLATE.format(error=text), "error")

    entry = env.journal.get(env.thread_id, call_id)
    if entry is not None and entry.finished:
        return CallOutcome(
            call_id, name, kwargs, entry.result or "", entry.status or "ok", from_journal=True
        )
    if entry is not None and not tool.idempotent:
        text = CRASHED_CALL_TEMPLATE.format(tool_name=name)
        env.journal.finish(env.thread_id, call_id, text, "skipped")
        return CallOutcome(call_id, name, kwargs, text, "skipped", from_journal=True)

    env.journal.start(env.thread_id, call_id, name)
    started = time.perf_counter()
    deadline = _timeout(tool, env.timeout_cap)
    status, raw = "ok", None
    try:
        work = _with_context(_attempts(tool, kwargs, env.retries), env.context)
        value = await (asyncio.wait_for(work, deadline) if deadline else work)
        text, raw = _render(value, tool, env.max_result_chars)
    except TimeoutError:
        status, text = "timeout", TOOL_TIMEOUT_TEMPLATE.format(tool_name=name, timeout=deadline)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        cause = exc.__cause__ if isinstance(exc, _ToolTimedOut) and exc.__cause__ else exc
        status, text = "error", cap_text(_error_text(tool, kwargs, cause), env.max_result_chars)
    duration = time.perf_counter() - started
    env.journal.finish(env.thread_id, call_id, text, status)
    return CallOutcome(call_id, name, kwargs, text, status, duration, raw=raw)


async def _with_context(coro: Any, context: Any) -> Any:
    """Run ``coro`` with the tool context set (tools read who they work for from it)."""
    if context is None:
        return await coro
    from ..tools.results import use_tool_context

    with use_tool_context(context):
        return await coro
