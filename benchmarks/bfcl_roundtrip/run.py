"""The measurements: dialect round trips on BFCL ground truth, and schema conversion.

(a) Every single-turn ground-truth answer is rendered into each text dialect and parsed back
    with the same tools offered; a call list counts when it comes back identical. The anchor
    is the naive regex extraction from Google's Gemma function-calling guide, run on the same
    ``gemma3`` renderings.
(b) Every BFCL function definition is converted with ``model_from_json_schema`` and every
    ground-truth argument set validated against it.
"""

from __future__ import annotations

import ast
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gemma_agents.calls import ToolCall, parse_tool_calls, render_calls, to_tool_spec
from gemma_agents.schema import model_from_json_schema

from .data import CATEGORIES, all_function_defs, ground_truth_arguments, load_category

__all__ = [
    "DIALECTS",
    "RoundTripResult",
    "SchemaResult",
    "naive_regex_parse",
    "run_roundtrip",
    "run_schema",
]

DIALECTS = ("gemma3", "json", "functiongemma", "gemma4", "hermes", "line")
ANCHOR = "naive regex (Google guide)"
CODE_CATEGORIES = frozenset({"simple_java", "simple_javascript"})


@dataclass
class RoundTripResult:
    """Per dialect (and the anchor): answers that came back identical, and parse times."""

    ok: Counter[tuple[str, str]] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class SchemaResult:
    """Definitions converted, ground-truth argument sets validated, and what failed."""

    defs: int = 0
    converted: int = 0
    build_seconds: float = 0.0
    gt_calls: int = 0
    gt_valid: int = 0
    conversion_errors: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)


_LIST_RE = re.compile(r"\[(.*?)\]", re.DOTALL)
_CALL_RE = re.compile(r"([\w.]+)\((.*?)\)")
_ARG_RE = re.compile(r"(\w+)\s*=\s*(\"[^\"]*\"|'[^']*'|\[[^\]]*\]|\{[^}]*\}|[^,]+)")


def naive_regex_parse(text: str) -> list[tuple[str, dict[str, Any]]]:
    """The anchor: first ``[...]`` by regex, calls by ``name(...)`` regex, ``k=v`` pairs by
    regex, each value through ``ast.literal_eval`` (kept as text when that fails), the way
    the Gemma function-calling guide and the notebooks derived from it extract calls."""
    match = _LIST_RE.search(text)
    if not match:
        return []
    calls = []
    for name, arg_text in _CALL_RE.findall(match.group(1)):
        args: dict[str, Any] = {}
        for key, raw in _ARG_RE.findall(arg_text):
            try:
                args[key] = ast.literal_eval(raw.strip())
            except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
                args[key] = raw.strip()
        calls.append((name, args))
    return calls


def _expected_calls(entry: Any) -> list[ToolCall] | None:
    calls = []
    for gt in entry.ground_truth:
        fn = entry.function(gt.name)
        if fn is None:
            return None
        calls.append(ToolCall(gt.name, ground_truth_arguments(gt, fn.get("parameters") or {})))
    return calls


def run_roundtrip(data: Path, categories: tuple[str, ...] = CATEGORIES) -> RoundTripResult:
    result = RoundTripResult()
    for category in categories:
        for entry in load_category(category, data):
            expected = _expected_calls(entry)
            if not expected:
                continue
            tools = [to_tool_spec(fn) for fn in entry.functions]
            for dialect in DIALECTS:
                want = [ToolCall(c.name, c.arguments, dialect=dialect) for c in expected]
                text = render_calls(want, dialect)
                start = time.perf_counter()
                parsed = parse_tool_calls(text, tools, dialect)
                result.seconds.setdefault(dialect, []).append(time.perf_counter() - start)
                result.total[dialect] += 1
                if list(parsed) == want and not parsed.errors:
                    result.ok[(dialect, category)] += 1
                else:
                    result.failures.setdefault(dialect, []).append(entry.id)
                if dialect == "gemma3":
                    start = time.perf_counter()
                    naive = naive_regex_parse(text)
                    result.seconds.setdefault(ANCHOR, []).append(time.perf_counter() - start)
                    result.total[ANCHOR] += 1
                    if naive == [(c.name, c.arguments) for c in expected]:
                        result.ok[(ANCHOR, category)] += 1
                    else:
                        result.failures.setdefault(ANCHOR, []).append(entry.id)
            result.total[f"cat:{category}"] += 1
    return result


def run_schema(data: Path, categories: tuple[str, ...] = CATEGORIES) -> SchemaResult:
    result = SchemaResult()
    start = time.perf_counter()
    for source, fn in all_function_defs(data):
        result.defs += 1
        try:
            model_from_json_schema(fn.get("parameters"), str(fn["name"]))
        except Exception as exc:  # a conversion failure is a result to report, not a crash
            result.conversion_errors.append(f"{source}:{fn.get('name')}: {exc!r}"[:300])
        else:
            result.converted += 1
    result.build_seconds = time.perf_counter() - start
    for category in categories:
        code = category in CODE_CATEGORIES
        for entry in load_category(category, data):
            for index, gt in enumerate(entry.ground_truth):
                declared = entry.function(gt.name)
                result.gt_calls += 1
                if declared is None:
                    result.invalid.append(f"{entry.id}#{index}: function {gt.name} not declared")
                    continue
                schema = declared.get("parameters") or {}
                model = model_from_json_schema(schema, gt.name, code_strings=code)
                try:
                    model.model_validate(ground_truth_arguments(gt, schema))
                except ValidationError as exc:
                    first = exc.errors(include_url=False)[0]
                    loc = ".".join(str(p) for p in first["loc"])
                    result.invalid.append(f"{entry.id}#{index} {gt.name}: {loc}: {first['msg']}")
                else:
                    result.gt_valid += 1
    return result


def timing(seconds: list[float]) -> tuple[float, float]:
    """Mean and 95th percentile in microseconds."""
    if not seconds:
        return 0.0, 0.0
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return statistics.fmean(seconds) * 1e6, p95 * 1e6
