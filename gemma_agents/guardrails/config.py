"""Build a :class:`GuardrailPipeline` from a plain dict (Python or workflow YAML).

Example (YAML)::

    guardrails:
      limits: {max_chars: 8000}
      injection: {action: block}
      pii: {action: redact, kinds: [card, api_key, email]}
      policy: {block_topics: [weapons, "re:\\bcasino\\b"]}
      tools: {deny: ["shell.*"], args: {"files.read": {path: {path_root: /srv/data}}}}
      rate_limit: {per_user: "20/min", backend: sqlite, path: /var/lib/bot/rl.db}
      shieldgemma: {model: "shieldgemma:2b", threshold: 0.5, fail: open}

Each section is a mapping (enable with these settings), ``true`` (enable with defaults)
or ``false``/``null`` (disable). Sections not mentioned follow ``defaults`` (``true``
unless set): limits, injection, pii, indirect and tools are on by default; policy,
rate_limit and shieldgemma only when configured. Bad input raises
:class:`~gemma_agents.exceptions.SpecError` naming the path of the bad key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..exceptions import SpecError
from ._types import Guardrail, Stage
from .pipeline import GuardrailPipeline

__all__ = ["GuardrailsSpec", "guardrails_from_config", "parse_rate"]

Fail = Literal["open", "closed"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fail: Fail | None = None


class LimitsSpec(_Section):
    max_chars: int | None = Field(8000, ge=0)
    max_bytes: int | None = Field(None, ge=0)
    max_messages: int | None = Field(None, ge=0)
    max_attachment_bytes: int | None = Field(10 * 1024 * 1024, ge=0)
    max_total_attachment_bytes: int | None = Field(None, ge=0)
    max_attachments: int | None = Field(None, ge=0)
    max_tool_result_chars: int | None = Field(200_000, ge=0)
    max_argument_chars: int | None = Field(None, ge=0)
    stages: list[Stage] = ["input", "tool_result"]


class InjectionSpec(_Section):
    action: Literal["block", "warn", "approve"] = "block"
    threshold: float = Field(1.0, gt=0)
    extra_patterns: list[str] = []
    decode: bool = True
    stages: list[Stage] = ["input"]

    @field_validator("extra_patterns")
    @classmethod
    def _regexes(cls, v: list[str]) -> list[str]:
        for i, pat in enumerate(v):
            try:
                re.compile(pat)
            except re.error as exc:
                raise ValueError(f"pattern {i} {pat!r} is not a valid regex: {exc}") from exc
        return v


class IndirectSpec(_Section):
    threshold: float = Field(1.0, gt=0)
    on_detect: Literal["fence", "block", "warn"] = "fence"
    fence_untrusted_tools: bool = True


class PiiSpec(_Section):
    action: Literal["redact", "block", "allow"] = "redact"
    kinds: list[str] | None = None
    actions: dict[str, Literal["redact", "block", "allow"]] = {}
    entropy_threshold: float = Field(4.0, gt=0)
    stages: list[Stage] = ["input", "output"]

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, v: list[str] | None) -> list[str] | None:
        from .pii import ALL_KINDS

        for k in v or ():
            if k not in ALL_KINDS:
                raise ValueError(f"unknown PII kind {k!r}; known kinds: {', '.join(ALL_KINDS)}")
        return v


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    terms: list[str] = Field(min_length=1)
    action: Literal["block", "warn", "approve"] = "block"
    negation: bool = False
    message: str | None = None
    stages: list[Stage] = ["input", "output"]


class PolicySpec(_Section):
    block_topics: list[str] = []
    negation: bool = False
    message: str | None = None
    rules: list[RuleSpec] = []


class ArgRuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min: float | None = None
    max: float | None = None
    regex: str | None = None
    deny_regex: str | None = None
    enum: list[Any] | None = None
    max_length: int | None = Field(None, ge=0)
    path_root: str | list[str] | None = None
    path_deny: list[str] = []
    url_schemes: list[str] | None = None
    url_hosts: list[str] = []
    block_private_hosts: bool = True
    required: bool = False


class ToolsSpec(_Section):
    allow: list[str] | None = None
    deny: list[str] = []
    args: dict[str, dict[str, ArgRuleSpec]] = {}
    approve: list[str] = []
    approve_side_effects: list[Literal["none", "read", "write", "external"]] = ["write", "external"]
    approval: bool = True
    unknown_tools: Literal["allow", "block"] = "allow"


class RateSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(ge=1)
    window_s: float = Field(gt=0)


class RateLimitSpec(_Section):
    per_user: RateSpec | str | None = None
    per_channel: RateSpec | str | None = None
    backend: Literal["memory", "sqlite", "postgres"] = "memory"
    path: str | None = None
    dsn: str | None = None
    table: str = Field("rate_events", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")

    @field_validator("per_user", "per_channel")
    @classmethod
    def _rate(cls, v: RateSpec | str | None) -> RateSpec | str | None:
        if isinstance(v, str):
            limit, window = parse_rate(v)
            return RateSpec(limit=limit, window_s=window)
        return v


class PolicyTextSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    content: str


class ShieldGemmaSpec(_Section):
    model: str = "shieldgemma:2b"
    host: str | None = None
    threshold: float = Field(0.5, gt=0, le=1)
    action: Literal["block", "warn", "approve"] = "block"
    policies: list[PolicyTextSpec] | None = None
    per_policy: bool = False
    logprobs: bool = True
    stages: list[Stage] = ["input", "output"]
    timeout_s: float = Field(30.0, gt=0)


class GuardrailsSpec(BaseModel):
    """The whole ``guardrails:`` section (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")
    defaults: bool = True
    limits: LimitsSpec | bool | None = None
    rate_limit: RateLimitSpec | bool | None = None
    injection: InjectionSpec | bool | None = None
    policy: PolicySpec | bool | None = None
    pii: PiiSpec | bool | None = None
    indirect: IndirectSpec | bool | None = None
    tools: ToolsSpec | bool | None = None
    shieldgemma: ShieldGemmaSpec | bool | None = None


_UNITS = {"": 1.0, "s": 1.0, "sec": 1.0, "second": 1.0, "seconds": 1.0, "m": 60.0, "min": 60.0,
          "minute": 60.0, "minutes": 60.0, "h": 3600.0, "hour": 3600.0, "hours": 3600.0,
          "d": 86400.0, "day": 86400.0, "days": 86400.0}  # fmt: skip
_RATE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d*\.?\d*)\s*([a-z]*)\s*$", re.IGNORECASE)


def parse_rate(text: str) -> tuple[int, float]:
    """``"20/min"``, ``"100 per hour"``, ``"5/30s"`` -> ``(limit, window_seconds)``."""
    m = _RATE.match(text)
    if m is None or m.group(3).lower() not in _UNITS or (not m.group(2) and not m.group(3)):
        raise ValueError(
            f"cannot read rate {text!r}; write it like '20/min', '5/30s' or '100 per hour'"
        )
    count = int(m.group(1))
    if count < 1:
        raise ValueError(f"rate {text!r} must allow at least one event")
    window = float(m.group(2) or 1) * _UNITS[m.group(3).lower()]
    if window <= 0:
        raise ValueError(f"rate {text!r} needs a positive window")
    return count, window


_SPECS: dict[str, type[BaseModel]] = {
    "limits": LimitsSpec,
    "rate_limit": RateLimitSpec,
    "injection": InjectionSpec,
    "policy": PolicySpec,
    "pii": PiiSpec,
    "indirect": IndirectSpec,
    "tools": ToolsSpec,
    "shieldgemma": ShieldGemmaSpec,
}
_BRANCH_LABELS = {"bool", "str", "none", "int", "float", "RateSpec", "RuleSpec", "ArgRuleSpec",
                  "PolicyTextSpec", *(m.__name__ for m in _SPECS.values())}  # fmt: skip
_DEFAULT_ON = {"limits", "injection", "pii", "indirect", "tools"}
_ORDER = ("limits", "rate_limit", "injection", "policy", "pii", "indirect", "tools", "shieldgemma")


def _loc(loc: tuple[int | str, ...]) -> str:
    """Dotted path of a pydantic error location, without union-branch labels."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _BRANCH_LABELS or "[" in part:
            continue  # e.g. "LimitsSpec", "bool", "function-after[...]": not user keys
        else:
            out += f".{part}" if out else part
    return out


def _best_error(errors: list[Any]) -> Any:
    """The error to report: for ``Spec | bool`` unions, the one from the Spec branch."""
    for err in errors:
        if not any(p in ("bool", "none", "str") for p in err["loc"] if isinstance(p, str)):
            return err
    return errors[0]


def _section(spec: GuardrailsSpec, name: str) -> Any:
    value = getattr(spec, name)
    if value is None:
        value = spec.defaults and name in _DEFAULT_ON
    if value is False:
        return None
    if value is True:
        return _SPECS[name]()
    return value


def _build(name: str, s: Any) -> Guardrail:
    from .indirect import IndirectInjectionGuard
    from .injection import InjectionGuard
    from .limits import LimitsGuard
    from .pii import DEFAULT_KINDS, PiiGuard
    from .policy import PolicyGuard, TopicRule
    from .ratelimit import MemoryBackend, PostgresBackend, RateLimit, RateLimitGuard, SQLiteBackend
    from .shieldgemma import DEFAULT_POLICIES, Policy, ShieldGemmaGuard
    from .tool_policy import ArgRule, ToolPolicyGuard

    fail: dict[str, Any] = {"fail_mode": s.fail} if s.fail else {}
    if name == "limits":
        return LimitsGuard(**s.model_dump(exclude={"fail"}), **fail)
    if name == "injection":
        return InjectionGuard(**s.model_dump(exclude={"fail"}), **fail)
    if name == "indirect":
        return IndirectInjectionGuard(**s.model_dump(exclude={"fail"}), **fail)
    if name == "pii":
        kw = s.model_dump(exclude={"fail", "kinds"})
        return PiiGuard(kinds=s.kinds if s.kinds is not None else DEFAULT_KINDS, **kw, **fail)
    if name == "policy":
        rules = [TopicRule(**r.model_dump()) for r in s.rules]
        if s.block_topics:
            rules.append(
                TopicRule("blocked_topics", s.block_topics, "block", s.negation, s.message)
            )
        if not rules:
            raise ValueError("policy needs block_topics or rules")
        return PolicyGuard(rules, **fail)
    if name == "tools":
        kw = s.model_dump(exclude={"fail", "args"})
        args = {
            t: {a: ArgRule(**r.model_dump()) for a, r in rules.items()}
            for t, rules in s.args.items()
        }
        return ToolPolicyGuard(args=args, **kw, **fail)
    if name == "rate_limit":
        if s.per_user is None and s.per_channel is None:
            raise ValueError("rate_limit needs per_user and/or per_channel")
        backend: Any
        if s.backend == "sqlite":
            if not s.path:
                raise ValueError("the sqlite backend needs `path`")
            backend = SQLiteBackend(s.path, table=s.table)
        elif s.backend == "postgres":
            if not s.dsn:
                raise ValueError("the postgres backend needs `dsn`")
            backend = PostgresBackend(s.dsn, table=s.table)
        else:
            backend = MemoryBackend()
        user = RateLimit(s.per_user.limit, s.per_user.window_s) if s.per_user else None
        chan = RateLimit(s.per_channel.limit, s.per_channel.window_s) if s.per_channel else None
        return RateLimitGuard(per_user=user, per_channel=chan, backend=backend, **fail)
    if name == "shieldgemma":
        kw = s.model_dump(exclude={"fail", "policies"})
        policies = (
            [Policy(p.name, p.content) for p in s.policies] if s.policies else DEFAULT_POLICIES
        )
        return ShieldGemmaGuard(policies=policies, **kw, **fail)
    raise AssertionError(name)  # pragma: no cover


def guardrails_from_config(
    config: Mapping[str, Any] | GuardrailsSpec | None,
    *,
    source: str | None = None,
    path: str = "guardrails",
) -> GuardrailPipeline:
    """Validate ``config`` and build the pipeline it describes.

    Args:
        config: The ``guardrails`` mapping (``None`` or ``{}`` gives the defaults).
        source: File name for error messages.
        path: Where the mapping sits in its file, prefixed to error paths.

    Raises:
        SpecError: an unknown key, a wrong type or an invalid value; ``err.path`` names it
            (``guardrails.pii.kinds[1]``).
    """
    if config is not None and not isinstance(config, (Mapping, GuardrailsSpec)):
        raise SpecError(
            f"guardrails must be a mapping of sections, got {type(config).__name__}",
            source=source,
            path=path,
        )
    try:
        spec = (
            config
            if isinstance(config, GuardrailsSpec)
            else GuardrailsSpec.model_validate(dict(config or {}))
        )
    except ValidationError as exc:
        err = _best_error(exc.errors())
        where = _loc(tuple(err["loc"]))
        full = f"{path}.{where}" if where else path
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(tuple(err["loc"]))
            raise SpecError(
                f"unknown key {err['loc'][-1]!r}",
                source=source,
                path=full,
                hint=f"allowed keys here: {', '.join(allowed)}" if allowed else None,
            ) from None
        raise SpecError(err["msg"], source=source, path=full) from None
    guards = []
    for name in _ORDER:
        section = _section(spec, name)
        if section is None:
            continue
        try:
            guards.append(_build(name, section))
        except (ValueError, TypeError) as exc:
            raise SpecError(str(exc), source=source, path=f"{path}.{name}") from None
    return GuardrailPipeline(guards)


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys valid at the parent of ``loc`` (for the 'did you mean' hint)."""
    model: Any = GuardrailsSpec
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            continue
        ann = field.annotation
        model = next(
            (
                a
                for a in getattr(ann, "__args__", (ann,))
                if isinstance(a, type) and issubclass(a, BaseModel)
            ),
            None,
        )
    return sorted(model.model_fields) if model is not None else []
