"""Topic and keyword policy rules with word boundaries and normalisation.

A naive substring filter blocks "pharmacy" for the rule "harm" and misses "h4rm" and
"ｈａｒｍ". Rules here match whole words on normalised text (NFKC, casefold, invisible
characters removed, leetspeak and look-alike letters mapped; see :mod:`._text`):

* ``"harm"`` matches "harm" and "HARM" and "h4rm", not "harmful" or "pharmacy";
* ``"harm*"`` matches "harm", "harmful", "harming";
* ``"credit card number"`` matches across any whitespace;
* ``"re:<regex>"`` is a raw regex on the normalised text.

With ``negation=True`` a match preceded (within three words) by a negation such as "not",
"no", "never", "without" or "isn't" is ignored, so "this is not harmful" passes a
"harmful" rule. It is off by default because "not" can also precede the very thing the
rule is about ("how do I not get caught making X").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ._text import deleet, fold, normalize
from ._types import Decision, GuardContext, Guardrail, Stage

if TYPE_CHECKING:
    from ..calls._types import ToolCall
    from ..tools._tool import Tool

__all__ = ["PolicyGuard", "TopicRule", "compile_terms"]

RuleAction = Literal["block", "warn", "approve"]
_NEGATION = re.compile(
    r"(?:\b(?:not|no|never|without|isn't|isnt|aren't|arent|wasn't|don't|dont|doesn't|doesnt|"
    r"didn't|won't|cannot|can't|nor|non|neither|hardly|free of|free from)\b)(?:\W+\w+){0,2}\W*$"
)


def compile_terms(terms: Iterable[str]) -> re.Pattern[str]:
    """One alternation regex for ``terms`` (see the module docstring for the syntax)."""
    parts = []
    for raw in terms:
        term = raw.strip()
        if not term:
            raise ValueError("empty policy term")
        if term.startswith("re:"):
            try:
                re.compile(term[3:])
            except re.error as exc:
                raise ValueError(f"invalid regex term {term!r}: {exc}") from exc
            parts.append(f"(?:{term[3:]})")
            continue
        for form in dict.fromkeys((fold(term), normalize(term))):
            body = r"\s+".join(re.escape(w).replace(r"\*", r"\w*") for w in form.split())
            parts.append(rf"(?<!\w){body}(?!\w)")
    if not parts:
        raise ValueError("a policy rule needs at least one term")
    return re.compile("|".join(parts))


@dataclass
class TopicRule:
    """One named rule: terms, what to do on a match, and the message users see.

    Attributes:
        name: Shown in reasons and metrics.
        terms: Words, phrases, ``word*`` prefixes or ``re:`` regexes.
        action: ``block``, ``warn`` (allow, record the reason) or ``approve``.
        negation: Ignore matches preceded by a negation.
        message: What the user sees when blocked.
        stages: Stages the rule applies to (default: input and output).
    """

    name: str
    terms: Sequence[str]
    action: RuleAction = "block"
    negation: bool = False
    message: str | None = None
    stages: frozenset[Stage] = frozenset({"input", "output"})
    pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.action not in ("block", "warn", "approve"):
            raise ValueError(f"rule {self.name!r}: action must be block, warn or approve")
        self.terms = tuple(self.terms)
        self.stages = frozenset(self.stages)
        self.pattern = compile_terms(self.terms)

    def find(self, views: Iterable[str]) -> str | None:
        """Return the first matching term in the text views, honouring negation.

        ``views`` are the folded and the de-leeted text (see :mod:`._text`): a term is
        tried on both so "3d printer" and "h4rm" both behave.
        """
        for view in views:
            for m in self.pattern.finditer(view):
                if self.negation and _NEGATION.search(view[max(0, m.start() - 60) : m.start()]):
                    continue
                return m.group(0)
        return None


class PolicyGuard(Guardrail):
    """Applies :class:`TopicRule` s to user input and model output (and tool results).

    The first ``block`` rule that matches decides; ``approve`` beats ``warn``.
    """

    name = "policy"

    def __init__(
        self,
        rules: Sequence[TopicRule],
        *,
        stages: Iterable[Stage] | None = None,
        fail_mode: Literal["open", "closed"] = "closed",
    ) -> None:
        names = [r.name for r in rules]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ValueError(f"duplicate policy rule names: {sorted(dupes)}")
        self.rules = tuple(rules)
        if stages is not None:
            self.stages = frozenset(stages)
        else:  # run wherever at least one rule applies
            self.stages = frozenset().union(*(r.stages for r in rules)) if rules else frozenset()
        self.fail_mode = fail_mode

    def _decide(self, text: str, stage: Stage) -> Decision | None:
        views: tuple[str, ...] | None = None
        hits: list[tuple[TopicRule, str]] = []
        for rule in self.rules:
            if stage not in rule.stages:
                continue
            if views is None:
                folded = fold(text)
                latin = deleet(folded)
                views = (folded,) if latin == folded else (folded, latin)
            term = rule.find(views)
            if term is not None:
                hits.append((rule, term))
        if not hits:
            return None
        reasons = tuple(f"rule {r.name!r} matched {t!r} ({r.action})" for r, t in hits)
        for rule, _ in hits:
            if rule.action == "block":
                return Decision(
                    "block",
                    reasons,
                    text=text,
                    stage=stage,
                    message=rule.message
                    or f"This request touches a restricted topic ({rule.name}).",
                )
        if any(r.action == "approve" for r, _ in hits):
            first = next(r for r, _ in hits if r.action == "approve")
            return Decision("approve", reasons, text=text, stage=stage, message=first.message)
        return Decision("allow", reasons, text=text, stage=stage)

    def check_input(self, text: str, ctx: GuardContext) -> Decision | None:
        return self._decide(text, "input")

    def check_output(self, text: str, ctx: GuardContext) -> Decision | None:
        return self._decide(text, "output")

    def check_tool_result(
        self, text: str, call: ToolCall, tool: Tool | None, ctx: GuardContext
    ) -> Decision | None:
        return self._decide(text, "tool_result")
