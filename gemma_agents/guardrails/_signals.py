"""The weighted signals behind prompt-injection and jailbreak detection.

Each :class:`Signal` is one idea ("asks to ignore earlier instructions", "claims a
developer mode") with a weight; a message is flagged when the weights of the distinct
signals it triggers add up to the threshold (1.0 by default). Strong, specific signals
weigh 1.0 on their own; vague ones ("pretend", "hypothetically") weigh less and only count
together, which is what keeps ordinary questions that happen to contain one security
word from being blocked.

Patterns run on folded text (NFKC, casefolded, invisible characters removed; see
:mod:`._text`), so they are written in lower case. Every signal lists ``keywords``: cheap
substring pre-checks (groups that must all be satisfied, each by any one keyword); the
regex only runs when they pass, which keeps a 2 KB scan well under a millisecond. The
rule tables themselves live in :mod:`._rules`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

__all__ = ["Signal", "keywords_in", "make_signal"]


@dataclass(frozen=True)
class Signal:
    """One weighted detection rule.

    Attributes:
        name: Stable identifier, shown in reasons and metrics.
        family: ``override``, ``roleplay``, ``extraction``, ``multilingual``,
            ``delimiter``, ``encoding``, ``exfiltration`` or ``hidden``.
        weight: Contribution to the score when the signal fires (once per message).
        source: The regex source, run on folded text (compiled on first use, so
            importing the package stays fast).
        keywords: Groups of substrings: every group needs one of its substrings in the
            text for the regex to run (empty: always run).
    """

    name: str
    family: str
    weight: float
    source: str
    keywords: tuple[tuple[str, ...], ...] = field(default=())

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.source, re.DOTALL)

    @cached_property
    def scout(self) -> re.Pattern[str] | None:
        """A cheap pattern that matches wherever ``pattern`` can start, or None.

        Python's ``re`` only skips ahead with a fast scan when a pattern starts with
        literal text; most rules start with ``\\b`` and a group of words, so it would
        try the whole rule at every position of a 2 KB text. The scout is the set of
        literal words every top-level alternative must start with (as a trie), or
        failing that the rule without its leading ``\\b``; ``search`` runs the full
        rule only where the scout matched.
        """
        alts = _top_level_alternatives(self.source)
        if len(alts) == 1 and _opens_with_flat_words(alts[0]):
            # Without its "\\b" such a rule starts with plain literals, and re's own
            # scan (in C) is the fastest scout there is.
            stripped = _strip_leading_boundaries(alts)
            return None if stripped is None else re.compile(stripped, re.DOTALL)
        leads: set[str] = set()
        for alt in alts:
            lead = _leading_literals(alt)
            if lead is None:
                break
            leads |= lead
        else:
            # Very short leads ("a", "i") hit inside most words: each hit costs a
            # Python-level check, so the plain rule scans faster there.
            if min(map(len, leads)) >= 3:
                return re.compile(_trie_regex(leads))
        stripped = _strip_leading_boundaries(alts)
        return None if stripped is None else re.compile(stripped, re.DOTALL)

    def may_match(self, text: str, present: AbstractSet[str] | None = None) -> bool:
        """The cheap pre-check; ``present`` is :func:`keywords_in` for the text, shared
        between signals (one pass over the text instead of one per keyword)."""
        if present is None:
            return all(any(k in text for k in group) for group in self.keywords)
        return all(any(k in present for k in group) for group in self.keywords)

    def search(self, text: str, present: AbstractSet[str] | None = None) -> re.Match[str] | None:
        if self.keywords and not self.may_match(text, present):
            return None
        scout = self.scout
        if scout is None:
            return self.pattern.search(text)
        # Every position where `pattern` matches is one where `scout` (a weaker
        # pattern) matches too, so trying them in order finds the same leftmost match.
        match = self.pattern.match
        m = scout.search(text)
        while m is not None:
            hit = match(text, m.start())
            if hit is not None:
                return hit
            m = scout.search(text, m.start() + 1)
        return None


def _top_level_alternatives(source: str) -> list[str]:
    """Split a regex source at its top-level ``|`` (outside groups and classes)."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if source[i + 1 : i + 2] == "^":
                i += 1
            if source[i + 1 : i + 2] == "]":
                i += 1  # a leading "]" is a literal inside the class
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    parts.append(source[start:])
    return parts


def _strip_leading_boundaries(alts: list[str]) -> str | None:
    """The alternatives rejoined with a leading ``\\b`` removed from each, or None when
    none starts with one (nothing to gain)."""
    if not any(a.startswith(r"\b") for a in alts):
        return None
    return "|".join(a[2:] if a.startswith(r"\b") else a for a in alts)


_LITERAL = frozenset("abcdefghijklmnopqrstuvwxyz0123456789' ")


def _opens_with_flat_words(alt: str) -> bool:
    """True when ``alt`` is ``\\b`` then a literal word, or a group of plain words."""
    if not alt.startswith(r"\b"):
        return False
    alt = alt[2:]
    if not alt.startswith("(?:"):
        return alt[:1] in _LITERAL
    end = alt.find(")")
    body = alt[3:end]
    return (
        end > 0 and alt[end + 1 : end + 2] not in ("?", "*", "{") and set(body) <= _LITERAL | {"|"}
    )


def _leading_literals(alt: str) -> set[str] | None:
    """The literal strings one of which every match of regex ``alt`` starts with, or
    None when that cannot be read off simply (leading class, lookaround, optional group).

    Handles ``\\b``, plain words and (nested) groups of alternatives, which is how the
    rules here are written: ``\\b(?:act|behave)\\s+as`` gives ``{"act", "behave"}``.
    """
    if alt.startswith(r"\b"):
        alt = alt[2:]
    if alt.startswith("(?:"):
        depth, i = 0, 0
        while i < len(alt):
            ch = alt[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "[":
                return None  # a class inside the group: keep it simple
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0:
                break
            i += 1
        if depth or alt[i + 1 : i + 2] in ("?", "*") or alt[i + 1 : i + 3] == "{0":
            return None
        leads: set[str] = set()
        for sub in _top_level_alternatives(alt[3:i]):
            lead = _leading_literals(sub)
            if lead is None:
                return None
            leads |= lead
        return leads
    run = ""
    for ch in alt:
        if ch not in _LITERAL:
            break
        run += ch
    if alt[len(run) : len(run) + 1] in ("?", "*", "{"):
        run = run[:-1]  # the last character is optional
    run = run.rstrip(" ")
    return {run} if run else None


def _trie_regex(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, factored as a trie (Python's ``re`` tries
    alternatives one by one, so shared prefixes are what make one pass cheap)."""
    root: dict[str, Any] = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + build(node[ch]) for ch in sorted(node) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and "" not in node else "(?:" + "|".join(alts) + ")"
        return body + ("?" if "" in node else "")

    return build(root)


@lru_cache(maxsize=32)
def _keyword_index(
    signals: tuple[Signal, ...],
) -> tuple[re.Pattern[str], dict[str, frozenset[str]]]:
    words = sorted({k for s in signals for group in s.keywords for k in group})
    # A match proves every keyword inside it ("roleplay" also proves "role").
    closure = {w: frozenset(k for k in words if k in w) for w in words}
    return re.compile(_trie_regex(words), re.DOTALL), closure


def keywords_in(text: str, signals: tuple[Signal, ...]) -> frozenset[str]:
    """The keywords of ``signals`` present in ``text`` (same answer as ``k in text`` for
    each keyword), found with one trie regex instead of one substring search per keyword.

    The search restarts one character after each match start rather than at its end,
    so a keyword overlapping a longer match ("ignorders" holds "ignor" and "orders") is
    not lost.
    """
    pattern, closure = _keyword_index(signals)
    found: set[str] = set()
    search = pattern.search
    m = search(text)
    while m is not None:
        found |= closure[m.group(0)]
        m = search(text, m.start() + 1)
    return frozenset(found)


def make_signal(name: str, family: str, weight: float, pattern: str, keywords: str) -> Signal:
    """Compact constructor for the rule tables in :mod:`._rules`.

    ``keywords`` is ``|``-separated alternatives; ``&`` separates groups that must all
    be present (``"print|show&prompt|instructions"``).
    """
    groups = tuple(tuple(g.split("|")) for g in keywords.split("&")) if keywords else ()
    if any("" in g for g in groups):
        raise ValueError(f"{name}: empty keyword (a '|' or '&' too many?)")
    return Signal(name, family, weight, pattern, groups)
