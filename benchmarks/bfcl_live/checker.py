"""BFCL's AST rules for judging a model's calls against the ground truth.

A re-implementation of the parts of ``bfcl_eval``'s ``ast_checker`` that single-turn
categories need (the package's checker imports many vendor SDKs). Rules, as in BFCL:

* the function name must match; every required parameter must be present; parameters the
  ground truth does not list are errors;
* each value must be one of the acceptable values; ``""`` among them means the parameter
  may be omitted; an ``int`` is accepted where a ``float`` is expected;
* strings compare after BFCL's standardisation (lower case, without spaces and ``,./-_*^``);
  lists compare element-wise, dicts key by key with the same rules;
* ``parallel`` ground truth is matched in any order, one model call per expected call;
  ``multiple`` requires exactly one call; ``irrelevance`` is correct when no call is made.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Verdict", "check_calls", "check_irrelevance"]

_STRIP = re.compile(r"[ ,./\-_*^]")
_PY_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "float": (int, float),
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "tuple": list,
    "dict": dict,
    "object": dict,
}


@dataclass(frozen=True)
class Verdict:
    """Whether the calls are correct, and the first reason when they are not."""

    ok: bool
    reason: str = ""


def _standardize(text: str) -> str:
    return _STRIP.sub("", text).lower()


def _type_ok(value: Any, schema: Mapping[str, Any]) -> bool:
    kind = str(schema.get("type", "")).lower()
    expected = _PY_TYPES.get(kind)
    if expected is None:
        return True  # "any" and Java/JS type names: BFCL checks those elsewhere
    if isinstance(value, bool) and kind in ("integer", "float", "number"):
        return False
    if not isinstance(value, expected):
        return False
    if kind in ("array", "tuple") and isinstance(schema.get("items"), Mapping):
        return all(_type_ok(v, schema["items"]) for v in value)
    return True


def _value_ok(value: Any, acceptable: Sequence[Any]) -> bool:
    for option in acceptable:
        if option == "":
            continue
        if _same(value, option):
            return True
    return False


def _same(value: Any, option: Any) -> bool:
    if isinstance(value, str) and isinstance(option, str):
        return _standardize(value) == _standardize(option)
    if isinstance(value, bool) or isinstance(option, bool):
        return value is option or (value == option and type(value) is type(option))
    if isinstance(value, int | float) and isinstance(option, int | float):
        return float(value) == float(option)
    if isinstance(value, list) and isinstance(option, list):
        return len(value) == len(option) and all(
            _same(v, o) for v, o in zip(value, option, strict=True)
        )
    if isinstance(value, dict) and isinstance(option, dict):
        return _dict_ok(value, option)
    return bool(value == option)


def _dict_ok(value: Mapping[str, Any], option: Mapping[str, Any]) -> bool:
    """Ground-truth dicts list acceptable values per key (``""`` = may be omitted)."""
    for key, accepted in option.items():
        accepted_list = accepted if isinstance(accepted, list) else [accepted]
        if key not in value:
            if "" not in accepted_list:
                return False
            continue
        if not _value_ok(value[key], accepted_list):
            return False
    return all(key in option for key in value)


def _check_one(
    name: str,
    args: Mapping[str, Any],
    expected_name: str,
    acceptable: Mapping[str, Sequence[Any]],
    function: Mapping[str, Any] | None,
) -> Verdict:
    if name != expected_name:
        return Verdict(False, f"wrong function {name!r} (expected {expected_name!r})")
    params = (function or {}).get("parameters") or {}
    props = params.get("properties") or {}
    for required in params.get("required") or []:
        if required not in args and required in acceptable:
            return Verdict(False, f"missing required parameter {required!r}")
    for key, value in args.items():
        if key not in acceptable:
            return Verdict(False, f"unexpected parameter {key!r}")
        if key in props and not _type_ok(value, props[key]):
            return Verdict(False, f"wrong type for {key!r}: {value!r}")
        if not _value_ok(value, acceptable[key]):
            return Verdict(False, f"wrong value for {key!r}: {value!r}")
    for key, accepted in acceptable.items():
        if key not in args and "" not in accepted:
            return Verdict(False, f"missing parameter {key!r}")
    return Verdict(True)


def check_calls(
    calls: Sequence[tuple[str, Mapping[str, Any]]],
    expected: Sequence[tuple[str, Mapping[str, Sequence[Any]]]],
    functions: Sequence[Mapping[str, Any]],
) -> Verdict:
    """Judge ``calls`` (name, args) against the ground truth (name, acceptable values).

    The order of calls is free; each expected call must be matched by a different call.
    """
    if not calls:
        return Verdict(False, "no call")
    if len(calls) != len(expected):
        return Verdict(False, f"{len(calls)} calls, expected {len(expected)}")
    by_name = {str(f.get("name")): f for f in functions}
    first_failure: list[Verdict] = []

    def match(index: int, used: frozenset[int]) -> bool:
        if index == len(expected):
            return True
        exp_name, acceptable = expected[index]
        for i, (name, args) in enumerate(calls):
            if i in used:
                continue
            verdict = _check_one(name, args, exp_name, acceptable, by_name.get(exp_name))
            if verdict.ok and match(index + 1, used | {i}):
                return True
            if not verdict.ok and not first_failure:
                first_failure.append(verdict)
        return False

    if match(0, frozenset()):
        return Verdict(True)
    return first_failure[0] if first_failure else Verdict(False, "calls do not match")


def check_irrelevance(calls: Sequence[tuple[str, Mapping[str, Any]]]) -> Verdict:
    """Irrelevance questions are answered correctly by not calling any function."""
    return Verdict(True) if not calls else Verdict(False, f"called {calls[0][0]!r}")
