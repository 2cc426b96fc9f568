"""Prompt-injection and jailbreak detection for user input (rule based, sub-millisecond).

A message is normalised into several views (folded, de-leeted, decoded base64/hex/rot13/
URL/Unicode-tag payloads; see :mod:`._text`), every weighted :class:`~._signals.Signal`
is tried on each view, and the weights of the distinct signals that fire are summed.
Reaching ``threshold`` flags the message. Instructions found only inside an encoded
payload add ``encoded_bonus``: honest users rarely base64-encode their requests.

This is a first line of defence, cheap enough to run on every message; it complements a
classifier (:class:`~.shieldgemma.ShieldGemmaGuard`) rather than replacing one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ._rules import INJECTION_SIGNALS
from ._signals import Signal, keywords_in
from ._text import variants
from ._types import Decision, GuardContext, Guardrail, Stage

if TYPE_CHECKING:
    from ..calls._types import ToolCall
    from ..tools._tool import Tool

__all__ = ["InjectionGuard", "InjectionReport", "SignalHit", "score_injection"]

InjectionAction = Literal["block", "warn", "approve"]


@dataclass(frozen=True)
class SignalHit:
    """One signal that fired.

    Attributes:
        name: Signal name.
        family: Signal family (``override``, ``roleplay``, ``extraction`` ...).
        weight: Its weight.
        snippet: The matched text (folded, at most 80 characters).
        view: Which view of the message matched (``plain``, ``latin``, ``base64``...).
    """

    name: str
    family: str
    weight: float
    snippet: str
    view: str


@dataclass(frozen=True)
class InjectionReport:
    """The score of one message and the signals behind it."""

    score: float
    hits: tuple[SignalHit, ...]
    elapsed_ms: float

    def flagged(self, threshold: float = 1.0) -> bool:
        return self.score >= threshold

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h.family for h in self.hits))


def score_injection(
    text: str,
    signals: Sequence[Signal] = INJECTION_SIGNALS,
    *,
    decode: bool = True,
    encoded_bonus: float = 0.3,
) -> InjectionReport:
    """Score ``text`` against ``signals`` on every normalised/decoded view.

    Each signal counts once, at the first view where it fires. Multilingual
    "ignore instructions" rules are skipped once an English override rule already fired,
    so one phrase is not counted twice.
    """
    start = time.perf_counter()
    hits: dict[str, SignalHit] = {}
    views = variants(text, decode=decode)
    encoded_only = False
    sigs = tuple(signals)
    for view in views:
        present = keywords_in(view.text, sigs)
        for sig in sigs:
            if sig.name in hits:
                continue
            if sig.family == "multilingual" and any(
                h.family == "override" and h.weight >= 1.0 for h in hits.values()
            ):
                continue
            m = sig.search(view.text, present)
            if m is None:
                continue
            hits[sig.name] = SignalHit(sig.name, sig.family, sig.weight, m.group(0)[:80], view.kind)
            if view.encoded:
                encoded_only = True
    score = sum(h.weight for h in hits.values())
    if encoded_only and score > 0:
        score += encoded_bonus
    return InjectionReport(
        round(score, 3), tuple(hits.values()), (time.perf_counter() - start) * 1000
    )


class InjectionGuard(Guardrail):
    """Flags prompt-injection and jailbreak attempts in user input.

    Args:
        threshold: Score at which a message is flagged (1.0: one strong signal, or
            several weak ones together).
        action: ``block`` (default), ``warn`` (allow but record the reasons) or
            ``approve`` (ask a human).
        signals: The rules; defaults to the built-in set. Pass
            ``INJECTION_SIGNALS + (my_signal,)`` to extend it.
        extra_patterns: Additional regexes (strings, matched on folded text), each a
            signal of weight ``threshold``: for deployment-specific phrases.
        decode: Also scan decoded base64/hex/rot13/URL/Unicode-tag payloads.
        stages: Where to run (default: user input only).
    """

    name = "injection"

    def __init__(
        self,
        *,
        threshold: float = 1.0,
        action: InjectionAction = "block",
        signals: Sequence[Signal] | None = None,
        extra_patterns: Iterable[str] = (),
        decode: bool = True,
        stages: Iterable[Stage] = ("input",),
        fail_mode: Literal["open", "closed"] = "closed",
    ) -> None:
        if threshold <= 0:
            raise ValueError("threshold must be > 0")
        if action not in ("block", "warn", "approve"):
            raise ValueError(f"action must be block, warn or approve, not {action!r}")
        sigs = list(INJECTION_SIGNALS if signals is None else signals)
        for i, pat in enumerate(extra_patterns):
            re.compile(pat)  # fail now, not on the first message
            sigs.append(Signal(f"custom-{i + 1}", "custom", threshold, pat))
        self.signals: tuple[Signal, ...] = tuple(sigs)
        self.threshold = threshold
        self.action: InjectionAction = action
        self.decode = decode
        self.stages = frozenset(stages)
        self.fail_mode = fail_mode

    def report(self, text: str) -> InjectionReport:
        """Score ``text`` without deciding (benchmarks, debugging, dashboards)."""
        return score_injection(text, self.signals, decode=self.decode)

    def _decide(self, text: str, stage: Stage) -> Decision | None:
        rep = self.report(text)
        if not rep.flagged(self.threshold):
            return None
        reasons = tuple(
            f"{h.family}/{h.name} (+{h.weight:g}{'' if h.view == 'plain' else ', in ' + h.view}): "
            f"{h.snippet!r}"
            for h in rep.hits
        )
        summary = (
            f"possible prompt injection or jailbreak (score {rep.score:g} >= {self.threshold:g})",
        )
        if self.action == "warn":
            return Decision("allow", summary + reasons, text=text, stage=stage)
        message = (
            "This message looks like an attempt to override the assistant's instructions "
            f"({', '.join(rep.families)}), so it was not processed. Please rephrase your request."
        )
        return Decision(self.action, summary + reasons, text=text, stage=stage, message=message)

    def check_input(self, text: str, ctx: GuardContext) -> Decision | None:
        return self._decide(text, "input")

    def check_output(self, text: str, ctx: GuardContext) -> Decision | None:
        return self._decide(text, "output")

    def check_tool_result(
        self, text: str, call: ToolCall, tool: Tool | None, ctx: GuardContext
    ) -> Decision | None:
        return self._decide(text, "tool_result")
