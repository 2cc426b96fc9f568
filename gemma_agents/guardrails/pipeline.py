"""Run an ordered list of guardrails at one stage and combine what they decide.

Design (one of the two the contract allowed): every ``check_*`` call returns ONE combined
:class:`Decision` whose ``reasons`` carry every guard's reasons prefixed with the guard name
(``"injection: ..."``), so the graph can store a single value per stage. Callers that want
the per-guard decisions call :meth:`GuardrailPipeline.run` / :meth:`GuardrailPipeline.arun`,
which return a :class:`Verdict` (the combined decision plus one decision per guard that
ran). The pipeline keeps no per-call state, so one instance is safe to share between
threads and concurrent graph runs.

Combination rules, in guard order:

* ``block`` short-circuits: later guards do not run, the combined action is ``block``.
* ``modify`` chains: the next guard sees the modified text (or, at the tool_call stage, a
  call with the modified arguments).
* ``approve`` is kept unless a later guard blocks; the combined decision still carries the
  modified text/arguments if any guard modified them.
* A guard that raises is handled by its ``fail_mode``: ``closed`` turns the error into a
  block with reason ``"guard X failed: <error>"``; ``open`` allows and records the reason.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..exceptions import GuardrailBlocked
from . import metrics as _metrics
from ._types import Action, Decision, GuardContext, Guardrail, Stage

if TYPE_CHECKING:
    from ..calls._types import ToolCall
    from ..tools._tool import Tool

__all__ = ["GuardrailPipeline", "Verdict", "ensure_allowed"]

log = logging.getLogger(__name__)

_HOOKS: dict[Stage, str] = {
    "input": "check_input",
    "tool_call": "check_tool_call",
    "tool_result": "check_tool_result",
    "output": "check_output",
}


@dataclass(frozen=True)
class Verdict:
    """The combined decision of a pipeline plus the decision of each guard that ran.

    Attributes:
        decision: The combined decision (what the graph acts on).
        decisions: One decision per guard that ran, in order; guards that had no opinion
            appear as ``allow`` with no reasons. Guards after a block are absent.
    """

    decision: Decision
    decisions: tuple[Decision, ...]

    @property
    def action(self) -> Action:
        return self.decision.action

    def __iter__(self) -> Iterator[Decision]:
        return iter(self.decisions)


def ensure_allowed(decision: Decision) -> Decision:
    """Return ``decision`` unless it blocks; raise :class:`GuardrailBlocked` if it does.

    For embedding code paths (no graph, no approval flow) that treat a block as an error.
    """
    if decision.action == "block":
        raise GuardrailBlocked(
            decision.message or "blocked by guardrails", reasons=list(decision.reasons)
        )
    return decision


@dataclass
class _Run:
    """Mutable bookkeeping for one pipeline pass (local to the call: thread-safe)."""

    stage: Stage
    text: str | None
    call: ToolCall | None
    tool: Tool | None
    ctx: GuardContext
    decisions: list[Decision] = dataclasses.field(default_factory=list)
    modified: bool = False
    approve: bool = False
    blocked: Decision | None = None

    def hook_args(self) -> tuple[Any, ...]:
        if self.stage == "tool_call":
            return (self.call, self.tool, self.ctx)
        if self.stage == "tool_result":
            return (self.text, self.call, self.tool, self.ctx)
        return (self.text, self.ctx)


class GuardrailPipeline:
    """An ordered set of guardrails applied stage by stage.

    Args:
        guards: The guards, in the order they run. Cheap, decisive guards (limits, rate
            limits) belong first so that a block skips the expensive ones (ShieldGemma).
        record_metrics: Update the process-wide counters in
            :mod:`gemma_agents.guardrails.metrics`.
    """

    def __init__(self, guards: Sequence[Guardrail] = (), *, record_metrics: bool = True) -> None:
        for g in guards:
            if not isinstance(g, Guardrail):
                raise TypeError(f"expected a Guardrail, got {type(g).__name__}")
        self._guards: tuple[Guardrail, ...] = tuple(guards)
        self._record = record_metrics

    @property
    def guards(self) -> tuple[Guardrail, ...]:
        return self._guards

    def __len__(self) -> int:
        return len(self._guards)

    def __iter__(self) -> Iterator[Guardrail]:
        return iter(self._guards)

    def __repr__(self) -> str:
        return f"GuardrailPipeline([{', '.join(g.name for g in self._guards)}])"

    def __add__(self, other: GuardrailPipeline | Sequence[Guardrail]) -> GuardrailPipeline:
        extra = other.guards if isinstance(other, GuardrailPipeline) else tuple(other)
        return GuardrailPipeline(self._guards + extra, record_metrics=self._record)

    def stages(self) -> frozenset[Stage]:
        """The stages at least one guard declared (an empty ``stages`` means all four)."""
        out: set[Stage] = set()
        for g in self._guards:
            out |= g.stages or set(_HOOKS)
        return frozenset(out)

    # -- sync API ---------------------------------------------------------------------

    def check_input(self, text: str, ctx: GuardContext | None = None) -> Decision:
        """Check a user message before the model sees it."""
        return self.run("input", text=text, ctx=ctx).decision

    def check_tool_call(
        self, call: ToolCall, tool: Tool | None = None, ctx: GuardContext | None = None
    ) -> Decision:
        """Check a parsed tool call before it runs (``approve`` means: ask a human)."""
        return self.run("tool_call", call=call, tool=tool, ctx=ctx).decision

    def check_tool_result(
        self,
        text: str,
        call: ToolCall | None = None,
        tool: Tool | None = None,
        ctx: GuardContext | None = None,
    ) -> Decision:
        """Check a tool's result before it goes back to the model."""
        return self.run("tool_result", text=text, call=call, tool=tool, ctx=ctx).decision

    def check_output(self, text: str, ctx: GuardContext | None = None) -> Decision:
        """Check the model's answer before the user sees it."""
        return self.run("output", text=text, ctx=ctx).decision

    def run(
        self,
        stage: Stage,
        *,
        text: str | None = None,
        call: ToolCall | None = None,
        tool: Tool | None = None,
        ctx: GuardContext | None = None,
    ) -> Verdict:
        """Run every guard for ``stage``; return the combined and per-guard decisions."""
        state = self._start(stage, text, call, tool, ctx)
        for guard in self._guards:
            if not self._applies(guard, stage):
                continue
            try:
                result = getattr(guard, _HOOKS[stage])(*state.hook_args())
                if inspect.isawaitable(result):
                    if inspect.iscoroutine(result):
                        result.close()  # never awaited: close it to avoid a warning
                    raise TypeError(
                        f"{_HOOKS[stage]} returned an awaitable; use the pipeline's async API"
                    )
            except Exception as exc:
                result = self._failure(guard, stage, exc)
            if self._apply(state, guard, result):
                break
        return self._finish(state)

    # -- async API --------------------------------------------------------------------

    async def acheck_input(self, text: str, ctx: GuardContext | None = None) -> Decision:
        """Async :meth:`check_input`; guards with ``acheck_*`` hooks are awaited."""
        return (await self.arun("input", text=text, ctx=ctx)).decision

    async def acheck_tool_call(
        self, call: ToolCall, tool: Tool | None = None, ctx: GuardContext | None = None
    ) -> Decision:
        """Async :meth:`check_tool_call`."""
        return (await self.arun("tool_call", call=call, tool=tool, ctx=ctx)).decision

    async def acheck_tool_result(
        self,
        text: str,
        call: ToolCall | None = None,
        tool: Tool | None = None,
        ctx: GuardContext | None = None,
    ) -> Decision:
        """Async :meth:`check_tool_result`."""
        return (await self.arun("tool_result", text=text, call=call, tool=tool, ctx=ctx)).decision

    async def acheck_output(self, text: str, ctx: GuardContext | None = None) -> Decision:
        """Async :meth:`check_output`."""
        return (await self.arun("output", text=text, ctx=ctx)).decision

    async def arun(
        self,
        stage: Stage,
        *,
        text: str | None = None,
        call: ToolCall | None = None,
        tool: Tool | None = None,
        ctx: GuardContext | None = None,
    ) -> Verdict:
        """Async :meth:`run`: awaits a guard's ``acheck_<stage>`` hook when it has one.

        Guards without async hooks run inline: the built-in rule guards take well under a
        millisecond, so a thread hop would cost more than it saves.
        """
        state = self._start(stage, text, call, tool, ctx)
        for guard in self._guards:
            if not self._applies(guard, stage):
                continue
            hook: Callable[..., Any] = getattr(guard, "a" + _HOOKS[stage], None) or getattr(
                guard, _HOOKS[stage]
            )
            try:
                result = hook(*state.hook_args())
                if inspect.isawaitable(result):
                    result = await result
            except Exception as exc:
                result = self._failure(guard, stage, exc)
            if self._apply(state, guard, result):
                break
        return self._finish(state)

    # -- internals --------------------------------------------------------------------

    @staticmethod
    def _applies(guard: Guardrail, stage: Stage) -> bool:
        return not guard.stages or stage in guard.stages

    @staticmethod
    def _start(
        stage: Stage,
        text: str | None,
        call: ToolCall | None,
        tool: Tool | None,
        ctx: GuardContext | None,
    ) -> _Run:
        if stage not in _HOOKS:
            raise ValueError(f"unknown guardrail stage {stage!r}; expected one of {list(_HOOKS)}")
        if stage == "tool_call" and call is None:
            raise ValueError("the tool_call stage needs a ToolCall")
        if stage != "tool_call" and not isinstance(text, str):
            raise TypeError(f"the {stage} stage needs text (str), got {type(text).__name__}")
        return _Run(stage, text, call, tool, ctx or GuardContext())

    def _failure(self, guard: Guardrail, stage: Stage, exc: Exception) -> Decision:
        """Turn a guard's exception into a decision according to its fail mode."""
        err = f"{type(exc).__name__}: {exc}".strip()
        if self._record:
            _metrics.registry.record_error(guard.name, stage)
        if guard.fail_mode == "open":
            log.warning("guard %s failed at %s (fail-open): %s", guard.name, stage, err)
            return Decision("allow", (f"guard {guard.name} failed (fail-open): {err}",))
        log.warning("guard %s failed at %s (fail-closed): %s", guard.name, stage, err)
        return Decision(
            "block",
            (f"guard {guard.name} failed: {err}",),
            message="This request could not be checked safely, so it was stopped.",
        )

    def _apply(self, state: _Run, guard: Guardrail, result: Decision | None) -> bool:
        """Fold one guard's decision into ``state``; return True to stop (blocked)."""
        if result is None:
            result = Decision("allow")
        elif not isinstance(result, Decision):
            result = self._failure(
                guard,
                state.stage,
                TypeError(f"returned {type(result).__name__}, expected Decision or None"),
            )
        if result.action not in ("allow", "modify", "block", "approve"):
            result = self._failure(
                guard, state.stage, ValueError(f"unknown action {result.action!r}")
            )
        result = dataclasses.replace(
            result,
            guard=result.guard or guard.name,
            stage=state.stage,
            text=result.text if result.text is not None else state.text,
        )
        state.decisions.append(result)
        if self._record:
            _metrics.registry.record(result.guard, state.stage, result.action)
        if result.action == "block":
            state.blocked = result
            return True
        if result.action == "approve":
            state.approve = True
        if result.text is not None and result.text != state.text:
            state.text = result.text
            state.modified = True
        if result.arguments is not None and state.call is not None:
            state.call = dataclasses.replace(state.call, arguments=dict(result.arguments))
            state.modified = True
        return False

    def _finish(self, state: _Run) -> Verdict:
        reasons = tuple(f"{d.guard}: {r}" for d in state.decisions for r in d.reasons)
        acted = [d.guard for d in state.decisions if d.action != "allow" or d.reasons]
        guard = "+".join(dict.fromkeys(acted))
        arguments = dict(state.call.arguments) if state.modified and state.call else None
        action: Action
        message: str | None = None
        if state.blocked is not None:
            action = "block"
            message = state.blocked.message or "Blocked by guardrails: " + "; ".join(
                state.blocked.reasons or ("no reason given",)
            )
        elif state.approve:
            action = "approve"
            message = next((d.message for d in state.decisions if d.action == "approve"), None)
        elif state.modified:
            action = "modify"
        else:
            action = "allow"
        combined = Decision(
            action,
            reasons,
            text=state.text,
            guard=guard,
            stage=state.stage,
            message=message,
            arguments=arguments if state.stage == "tool_call" else None,
        )
        if self._record:
            _metrics.registry.record("pipeline", state.stage, action)
        return Verdict(combined, tuple(state.decisions))
