"""Find and redact personal data and secrets (cards, IBANs, ids, API keys, private keys...).

Every detector pairs a pattern with a validity check where one exists (Luhn for cards,
ISO 7064 mod-97 for IBANs, SSA range rules for US SSNs, digit counts for phones), because
a pattern alone redacts order numbers, years and scores ("355/113"), and a guard that
mangles ordinary text gets switched off.

Defaults redact what should never reach a model, a log or long-term memory: payment
cards, bank accounts, national ids and secrets. Emails and phone numbers are detected
but off by default: an assistant usually needs the address it is asked to write to.
Enable them with ``kinds=ALL_KINDS`` (or list them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ._text import shannon_entropy
from ._types import Decision, GuardContext, Guardrail, Stage

if TYPE_CHECKING:
    from ..calls._types import ToolCall
    from ..tools._tool import Tool

__all__ = [
    "ALL_KINDS",
    "DEFAULT_KINDS",
    "SECRET_KINDS",
    "PiiGuard",
    "PiiMatch",
    "find_pii",
    "iban_valid",
    "luhn_valid",
    "redact",
]

PiiAction = Literal["redact", "block", "allow"]
SECRET_KINDS: tuple[str, ...] = ("private_key", "api_key", "jwt", "password", "high_entropy")
ALL_KINDS: tuple[str, ...] = (*SECRET_KINDS, "card", "iban", "ssn", "nino", "email", "phone")
DEFAULT_KINDS: tuple[str, ...] = (*SECRET_KINDS, "card", "iban", "ssn", "nino")


@dataclass(frozen=True)
class PiiMatch:
    """One finding: ``text[start:end]`` is a ``kind`` value (``label`` names the detector)."""

    kind: str
    start: int
    end: int
    value: str
    label: str = ""

    @property
    def placeholder(self) -> str:
        return f"[REDACTED:{self.kind.upper()}]"


def luhn_valid(digits: str) -> bool:
    """Luhn checksum over a digit string (payment cards)."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97."""
    s = iban.replace(" ", "").upper()
    if not (15 <= len(s) <= 34) or not s[:2].isalpha() or not s[2:4].isdigit() or not s.isalnum():
        return False
    rearranged = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


_SECRET_PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("private_key", "pem", re.compile(
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)",
        re.DOTALL)),
    ("api_key", "openai", re.compile(r"\bsk-(?:proj-|svcacct-|admin-|ant-(?:api\d\d-)?)?[A-Za-z0-9_-]{20,}")),
    ("api_key", "github", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{22,}")),
    ("api_key", "slack", re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{10,}")),
    ("api_key", "aws", re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b")),
    ("api_key", "google", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("api_key", "gitlab", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("api_key", "huggingface", re.compile(r"\bhf_[A-Za-z0-9]{30,}\b")),
    ("api_key", "stripe", re.compile(r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}\b")),
    ("jwt", "jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
)  # fmt: skip
# Literal prefixes each secret pattern needs: cheap `in` checks skip most regex passes.
_SECRET_PREFIXES: dict[str, tuple[str, ...]] = {
    "pem": ("PRIVATE KEY",),
    "openai": ("sk-",),
    "github": ("gh", "github_pat_"),
    "slack": ("xox",),
    "aws": ("AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA"),
    "google": ("AIza",),
    "gitlab": ("glpat-",),
    "huggingface": ("hf_",),
    "stripe": ("k_live_", "k_test_"),
    "jwt": ("eyJ",),
}
_ASSIGNED_HINTS = ("pass", "pwd", "secret", "key", "token", "bearer")
# "password: hunter2xyz" / "API_KEY=..." / "token": "..." -> the value is the secret.
_ASSIGNED = re.compile(
    r"(?i)\b(?:password|passwd|passphrase|pwd|secret|client[_-]?secret|api[_-]?key|apikey|"
    r"access[_-]?key|secret[_-]?key|auth[_-]?token|access[_-]?token|bearer|token)\b"
    r"[\"']?\s*(?:[:=]|\bis\b)\s*[\"']?(?P<v>[^\s\"',;]{6,})"
)
_TOKEN = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{20,}={0,2}(?![A-Za-z0-9+/_-])")
_HEX_ONLY = re.compile(r"[0-9a-fA-F]+")

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b"
)
_PHONE = re.compile(
    r"(?<![\w+/.])(?:"
    r"\+[1-9]\d{0,2}(?:[ .-]?\(?\d{1,4}\)?){2,6}"  # E.164 with optional grouping
    r"|\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}"  # (555) 123-4567
    r"|\d{3}[.-]\d{3}[.-]\d{4}"  # 555-123-4567
    r"|\d{3} \d{3} \d{4}"  # 555 123 4567
    r"|0\d(?:[ .-]\d{2}){4}"  # 06 12 34 56 78 (FR)
    r"|0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}"  # 020 7946 0958 (UK), 030 1234567 (DE)
    r")(?![\w/])"
)
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_SSN = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])")
_NINO = re.compile(
    r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"
)


def _card_ok(raw: str) -> bool:
    digits = re.sub(r"[ -]", "", raw)
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    # Separators must group consistently (4-4-4-4, 4-6-5); "12 345 6789 ..." is not a card.
    groups = re.split(r"[ -]", raw)
    if len(groups) > 1 and (len(groups[0]) != 4 or any(len(g) < 3 for g in groups)):
        return False
    return digits[0] in "2345689" and luhn_valid(digits)


def _phone_ok(raw: str) -> bool:
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        return 8 <= len(digits) <= 15
    return 10 <= len(digits) <= 11


def _high_entropy_ok(token: str, threshold: float) -> bool:
    if _HEX_ONLY.fullmatch(token):
        return False  # hashes, commit ids and UUID parts are not secrets
    has_digit = any(c.isdigit() for c in token)
    has_lower = any(c.islower() for c in token)
    has_upper = any(c.isupper() for c in token)
    if not (has_digit and (has_lower or has_upper)) or not (has_lower and has_upper):
        return False
    return shannon_entropy(token) >= threshold


def find_pii(
    text: str, kinds: Iterable[str] = DEFAULT_KINDS, *, entropy_threshold: float = 4.0
) -> list[PiiMatch]:
    """Return non-overlapping findings of the given kinds, in text order.

    Where findings overlap, the earlier-listed kind wins (secrets before cards before
    phones), so an API key containing digits is reported once, as an API key.
    """
    wanted = set(kinds)
    unknown = wanted - set(ALL_KINDS)
    if unknown:
        raise ValueError(f"unknown PII kinds {sorted(unknown)}; known: {list(ALL_KINDS)}")
    found: list[PiiMatch] = []

    def add(kind: str, start: int, end: int, label: str = "") -> None:
        if kind in wanted and not any(m.start < end and start < m.end for m in found):
            found.append(PiiMatch(kind, start, end, text[start:end], label or kind))

    for kind, label, pat in _SECRET_PATTERNS:
        if kind in wanted and any(p in text for p in _SECRET_PREFIXES[label]):
            for m in pat.finditer(text):
                add(kind, m.start(), m.end(), label)
    low = text.lower()
    digits = sum(text.count(d) for d in "0123456789")  # C-level counts: skip number scans
    if "password" in wanted and any(h in low for h in _ASSIGNED_HINTS):
        for m in _ASSIGNED.finditer(text):
            add("password", m.start("v"), m.end("v"), "assignment")
    if "card" in wanted and digits >= 13:
        for m in _CARD.finditer(text):
            if _card_ok(m.group(0)):
                add("card", m.start(), m.end())
    if "iban" in wanted and digits >= 8:
        for m in _IBAN.finditer(text):
            if iban_valid(m.group(0)):
                add("iban", m.start(), m.end())
    if "ssn" in wanted and digits >= 9:
        for m in _SSN.finditer(text):
            add("ssn", m.start(), m.end())
    if "nino" in wanted and digits >= 6:
        for m in _NINO.finditer(text):
            add("nino", m.start(), m.end())
    if "email" in wanted and "@" in text:
        for m in _EMAIL.finditer(text):
            add("email", m.start(), m.end())
    if "phone" in wanted and digits >= 8:
        for m in _PHONE.finditer(text):
            if _phone_ok(m.group(0)):
                add("phone", m.start(), m.end())
    if "high_entropy" in wanted:
        for m in _TOKEN.finditer(text):
            if _high_entropy_ok(m.group(0), entropy_threshold):
                add("high_entropy", m.start(), m.end(), "entropy")
    found.sort(key=lambda m: m.start)
    return found


def _apply(text: str, matches: Iterable[PiiMatch]) -> str:
    out, pos = [], 0
    for m in matches:
        out.append(text[pos : m.start])
        out.append(m.placeholder)
        pos = m.end
    out.append(text[pos:])
    return "".join(out)


def redact(text: str, kinds: Iterable[str] = DEFAULT_KINDS) -> str:
    """Replace every finding with ``[REDACTED:KIND]``.

    The memory store's redactor hook: ``ChromaMemory(redactor=redact)``.
    """
    return _apply(text, find_pii(text, kinds))


class PiiGuard(Guardrail):
    """Redacts (or blocks on) personal data and secrets.

    Args:
        kinds: What to detect (see :data:`ALL_KINDS`); default :data:`DEFAULT_KINDS`.
        action: Default action for every kind: ``redact`` (modify the text), ``block``
            or ``allow`` (detect and record only).
        actions: Per-kind overrides, e.g. ``{"private_key": "block"}``.
        entropy_threshold: Bits per character above which an unknown 20+ character token
            with mixed case and digits counts as a secret.
        stages: Where to run: input and output by default; add ``tool_result`` to scrub
            what tools return.
    """

    name = "pii"

    def __init__(
        self,
        *,
        kinds: Iterable[str] = DEFAULT_KINDS,
        action: PiiAction = "redact",
        actions: Mapping[str, PiiAction] | None = None,
        entropy_threshold: float = 4.0,
        stages: Iterable[Stage] = ("input", "output"),
        fail_mode: Literal["open", "closed"] = "closed",
    ) -> None:
        self.kinds = tuple(dict.fromkeys(kinds))
        bad = set(self.kinds) - set(ALL_KINDS)
        if bad:
            raise ValueError(f"unknown PII kinds {sorted(bad)}; known: {list(ALL_KINDS)}")
        for a in [action, *(actions or {}).values()]:
            if a not in ("redact", "block", "allow"):
                raise ValueError(f"PII action must be redact, block or allow, not {a!r}")
        bad = set(actions or {}) - set(ALL_KINDS)
        if bad:
            raise ValueError(f"unknown PII kinds in actions: {sorted(bad)}")
        self.action: PiiAction = action
        self.actions: dict[str, PiiAction] = dict(actions or {})
        self.entropy_threshold = entropy_threshold
        self.stages = frozenset(stages)
        self.fail_mode = fail_mode

    def find(self, text: str) -> list[PiiMatch]:
        return find_pii(text, self.kinds, entropy_threshold=self.entropy_threshold)

    def redact(self, text: str) -> str:
        """Redact every enabled kind regardless of the configured actions."""
        return _apply(text, self.find(text))

    def _decide(self, text: str, stage: Stage) -> Decision | None:
        matches = self.find(text)
        if not matches:
            return None
        by_action: dict[str, list[PiiMatch]] = {"redact": [], "block": [], "allow": []}
        for m in matches:
            by_action[self.actions.get(m.kind, self.action)].append(m)
        counts: dict[str, int] = {}
        for m in matches:
            counts[m.kind] = counts.get(m.kind, 0) + 1
        # Reasons name kinds and counts, never the values: decisions end up in logs.
        reasons = tuple(f"found {n} {kind}" for kind, n in counts.items())
        if by_action["block"]:
            kinds = sorted({m.kind for m in by_action["block"]})
            return Decision(
                "block",
                reasons,
                text=_apply(text, matches),
                stage=stage,
                message=f"The text contains sensitive data ({', '.join(kinds)}); remove it and try again.",
            )
        if by_action["redact"]:
            return Decision("modify", reasons, text=_apply(text, by_action["redact"]), stage=stage)
        return Decision("allow", reasons, text=text, stage=stage)

    def check_input(self, text: str, ctx: GuardContext) -> Decision | None:
        return self._decide(text, "input")

    def check_output(self, text: str, ctx: GuardContext) -> Decision | None:
        return self._decide(text, "output")

    def check_tool_result(
        self, text: str, call: ToolCall, tool: Tool | None, ctx: GuardContext
    ) -> Decision | None:
        return self._decide(text, "tool_result")
