"""Tool-call policy: which tools may run, with which arguments, and which need a human.

The model chooses the tool and writes the arguments, so both are attacker-controlled once
an injection gets through. This guard is the backstop at the ``tool_call`` stage:

* allow/deny lists of tool-name globs (``files.*``, ``*delete*``);
* per-argument constraints (range, regex, enum, length, path under a root, URL scheme and
  host allowlist with private-address blocking);
* approval by risk metadata: tools with ``side_effects`` ``write``/``external`` or
  ``requires_approval=True`` yield ``approve``, which the graph turns into an interrupt.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from ._types import Decision, GuardContext, Guardrail

if TYPE_CHECKING:
    from ..calls._types import ToolCall
    from ..tools._tool import Tool

__all__ = ["ArgRule", "ToolPolicyGuard"]


def _glob(name: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


@dataclass(frozen=True)
class ArgRule:
    """Constraints on one argument value. Unset fields are not checked.

    Attributes:
        min: Smallest allowed number.
        max: Largest allowed number.
        regex: The string value must fully match.
        deny_regex: The string value must not contain a match.
        enum: Allowed values.
        max_length: Longest allowed string/list.
        path_root: The value is a filesystem path that must stay under one of these
            roots after resolving ``..`` and symlinks.
        path_deny: Globs the resolved path (or its file name) must not match
            (``*.pem``, ``*/.ssh/*``, ``.env``).
        url_schemes: Allowed URL schemes (set to check the value as a URL).
        url_hosts: Host globs allowed (``example.com``, ``*.example.com``); empty means
            any host.
        block_private_hosts: Reject IP literals in private, loopback and link-local
            ranges and ``localhost`` (server-side request forgery).
        required: The argument must be present.
    """

    min: float | None = None
    max: float | None = None
    regex: str | None = None
    deny_regex: str | None = None
    enum: Sequence[Any] | None = None
    max_length: int | None = None
    path_root: str | Sequence[str] | None = None
    path_deny: Sequence[str] = ()
    url_schemes: Sequence[str] | None = None
    url_hosts: Sequence[str] = ()
    block_private_hosts: bool = True
    required: bool = False
    _compiled: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for key in ("regex", "deny_regex"):
            pat = getattr(self, key)
            if pat is not None:
                try:
                    self._compiled[key] = re.compile(pat)
                except re.error as exc:
                    raise ValueError(f"invalid {key} {pat!r}: {exc}") from exc

    def check(self, value: Any) -> list[str]:
        """Return the problems with ``value`` (empty when it satisfies every constraint)."""
        problems: list[str] = []
        if self.enum is not None and value not in self.enum:
            problems.append(f"{value!r} is not one of {list(self.enum)}")
        if self.min is not None or self.max is not None:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                problems.append(f"{value!r} is not a number")
            else:
                if self.min is not None and value < self.min:
                    problems.append(f"{value!r} is below the minimum {self.min:g}")
                if self.max is not None and value > self.max:
                    problems.append(f"{value!r} is above the maximum {self.max:g}")
        if (
            self.max_length is not None
            and isinstance(value, (str, list, tuple, dict))
            and len(value) > self.max_length
        ):
            problems.append(f"length {len(value)} exceeds {self.max_length}")
        needs_str = "regex" in self._compiled or "deny_regex" in self._compiled
        if (
            needs_str
            or self.path_root is not None
            or self.path_deny
            or self.url_schemes is not None
            or self.url_hosts
        ):
            if not isinstance(value, str):
                problems.append(f"{value!r} is not a string")
                return problems
            if "regex" in self._compiled and not self._compiled["regex"].fullmatch(value):
                problems.append(f"{value!r} does not match {self.regex!r}")
            if "deny_regex" in self._compiled and self._compiled["deny_regex"].search(value):
                problems.append(f"{value!r} matches the denied pattern {self.deny_regex!r}")
            if self.path_root is not None or self.path_deny:
                problems += self._check_path(value)
            if self.url_schemes is not None or self.url_hosts:
                problems += self._check_url(value)
        return problems

    def _check_path(self, value: str) -> list[str]:
        if "\x00" in value:
            return ["path contains a NUL byte"]
        roots = [self.path_root] if isinstance(self.path_root, str) else list(self.path_root or [])
        problems = []
        base = os.path.realpath(roots[0]) if roots else os.getcwd()
        resolved = os.path.realpath(os.path.join(base, os.path.expanduser(value)))
        if roots:
            real_roots = [os.path.realpath(r) for r in roots]
            if not any(
                resolved == r or resolved.startswith(r.rstrip(os.sep) + os.sep) for r in real_roots
            ):
                problems.append(f"path {value!r} resolves outside the allowed root(s) {roots}")
        for pat in self.path_deny:
            if fnmatch.fnmatch(resolved, pat) or fnmatch.fnmatch(os.path.basename(resolved), pat):
                problems.append(f"path {value!r} matches the denied pattern {pat!r}")
        return problems

    def _check_url(self, value: str) -> list[str]:
        try:
            parts = urlsplit(value.strip())
            host = (parts.hostname or "").rstrip(".").lower()
        except ValueError as exc:
            return [f"{value!r} is not a valid URL: {exc}"]
        schemes = [s.lower() for s in (self.url_schemes or ("http", "https"))]
        problems = []
        if parts.scheme.lower() not in schemes:
            problems.append(
                f"URL scheme {parts.scheme or '(none)'!r} is not allowed (allowed: {schemes})"
            )
        if not host:
            problems.append(f"URL {value!r} has no host")
            return problems
        if self.url_hosts and not _glob(host, [h.lower() for h in self.url_hosts]):
            problems.append(f"host {host!r} is not in the allowlist {list(self.url_hosts)}")
        if self.block_private_hosts:
            if host == "localhost" or host.endswith(".localhost"):
                problems.append(f"host {host!r} is a local address")
            else:
                try:
                    ip = ipaddress.ip_address(host.strip("[]"))
                except ValueError:
                    ip = None
                if ip is not None and (
                    ip.is_private
                    or ip.is_loopback
                    or ip.is_link_local
                    or ip.is_reserved
                    or ip.is_unspecified
                ):
                    problems.append(f"host {host!r} is a private or local address")
        return problems


def _lookup(arguments: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    """Find ``a.b.c`` inside nested dicts; return (found, value)."""
    cur: Any = arguments
    if path in arguments:
        return True, arguments[path]
    for part in path.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return False, None
        cur = cur[part]
    return True, cur


class ToolPolicyGuard(Guardrail):
    """Allow/deny tools, constrain their arguments and ask for approval by risk.

    Args:
        allow: Tool-name globs that may run; ``None`` allows every tool not denied.
        deny: Tool-name globs that never run (checked before ``allow``).
        args: ``{tool_glob: {argument: ArgRule | dict}}``; nested arguments use dots.
        approve: Tool-name globs that always need approval.
        approve_side_effects: ``Tool.side_effects`` values that need approval.
        approval: ``False`` turns risk-based approval off (trusted batch jobs).
        unknown_tools: What to do with a call to a tool that is not registered
            (``tool`` is ``None``): ``allow`` leaves the error to the registry.
    """

    name = "tool_policy"
    stages = frozenset({"tool_call"})

    def __init__(
        self,
        *,
        allow: Iterable[str] | None = None,
        deny: Iterable[str] = (),
        args: Mapping[str, Mapping[str, ArgRule | Mapping[str, Any]]] | None = None,
        approve: Iterable[str] = (),
        approve_side_effects: Iterable[str] = ("write", "external"),
        approval: bool = True,
        unknown_tools: Literal["allow", "block"] = "allow",
        fail_mode: Literal["open", "closed"] = "closed",
    ) -> None:
        self.allow = None if allow is None else tuple(allow)
        self.deny = tuple(deny)
        self.args: dict[str, dict[str, ArgRule]] = {
            tool: {
                arg: r if isinstance(r, ArgRule) else ArgRule(**dict(r)) for arg, r in rules.items()
            }
            for tool, rules in (args or {}).items()
        }
        self.approve = tuple(approve)
        self.approve_side_effects = frozenset(approve_side_effects)
        self.approval = approval
        self.unknown_tools = unknown_tools
        self.fail_mode = fail_mode

    def check_tool_call(
        self, call: ToolCall, tool: Tool | None, ctx: GuardContext
    ) -> Decision | None:
        name = call.name
        if _glob(name, self.deny):
            return self._block(f"tool {name!r} is denied by policy")
        if self.allow is not None and not _glob(name, self.allow):
            return self._block(f"tool {name!r} is not in the allowed list")
        if tool is None and self.unknown_tools == "block":
            return self._block(f"tool {name!r} is not registered")
        problems = []
        for pattern, rules in self.args.items():
            if not fnmatch.fnmatchcase(name, pattern):
                continue
            for arg, rule in rules.items():
                found, value = _lookup(call.arguments, arg)
                if not found:
                    if rule.required:
                        problems.append(f"argument {arg!r} is required by policy")
                    continue
                problems += [f"argument {arg!r}: {p}" for p in rule.check(value)]
        if problems:
            return self._block(f"call to {name!r} violates the argument policy", *problems)
        if not self.approval:
            return None
        why = []
        if _glob(name, self.approve):
            why.append(f"tool {name!r} always needs approval")
        if tool is not None and tool.requires_approval:
            why.append(f"tool {name!r} requires approval")
        if tool is not None and tool.side_effects in self.approve_side_effects:
            why.append(f"tool {name!r} has side effects {tool.side_effects!r}")
        if why:
            return Decision(
                "approve",
                tuple(why),
                stage="tool_call",
                message=f"The assistant wants to run {name} with {call.arguments!r}. Allow it?",
            )
        return None

    @staticmethod
    def _block(*reasons: str) -> Decision:
        return Decision(
            "block",
            tuple(reasons),
            stage="tool_call",
            message="The tool call was not allowed: " + "; ".join(reasons),
        )
