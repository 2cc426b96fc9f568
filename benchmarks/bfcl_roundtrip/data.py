"""BFCL data: fetch the ``bfcl-eval`` wheel once, read questions, functions and ground truth.

Only the JSON data files are read; the package's own checker (which imports many vendor
SDKs) is never imported. Reusable by other benchmarks (``bfcl_live``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gemma_agents.config import cache_dir
from gemma_agents.schema import normalize_type

__all__ = [
    "CATEGORIES",
    "OMIT",
    "Entry",
    "GroundTruthCall",
    "all_function_defs",
    "bfcl_data_dir",
    "ground_truth_arguments",
    "load_category",
]

CATEGORIES = (
    "simple_python",
    "simple_java",
    "simple_javascript",
    "multiple",
    "parallel",
    "parallel_multiple",
    "live_simple",
    "live_multiple",
    "live_parallel",
    "live_parallel_multiple",
)
OMIT: Any = object()
"""Marker: the ground truth allows leaving this argument out (BFCL writes ``""``)."""


@dataclass
class GroundTruthCall:
    """One expected call: the function name and, per argument, the acceptable values."""

    name: str
    acceptable: dict[str, list[Any]]


@dataclass
class Entry:
    """One BFCL question with its functions and (when available) ground truth."""

    id: str
    category: str
    question: list[Any]
    functions: list[dict[str, Any]]
    ground_truth: list[GroundTruthCall] = field(default_factory=list)

    def function(self, name: str) -> dict[str, Any] | None:
        return next((f for f in self.functions if f.get("name") == name), None)


def bfcl_data_dir(root: Path | None = None, *, download: bool = True) -> Path:
    """The ``bfcl_eval/data`` folder, downloading ``bfcl-eval`` with pip when missing.

    Args:
        root: Where to keep the wheel and its unpacked data (default
            ``cache_dir()/bench``).
        download: Fetch from PyPI when absent (``pip download --no-deps``).

    Raises:
        FileNotFoundError: the data is absent and ``download`` is false or pip failed.
    """
    root = root or cache_dir() / "bench"
    data = root / "bfcl_eval" / "data"
    if (data / "possible_answer").is_dir():
        return data
    root.mkdir(parents=True, exist_ok=True)
    wheels = sorted(root.glob("bfcl_eval-*.whl"))
    if not wheels and download:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "bfcl-eval", "-d"]
        subprocess.run([*cmd, str(root)], check=False, capture_output=True, text=True)
        wheels = sorted(root.glob("bfcl_eval-*.whl"))
    if not wheels:
        raise FileNotFoundError(
            f"BFCL data not found under {root}; run `pip download --no-deps bfcl-eval -d {root}`"
        )
    with zipfile.ZipFile(wheels[-1]) as zf:
        members = [m for m in zf.namelist() if m.startswith("bfcl_eval/data/")]
        zf.extractall(root, members)
    return data


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                yield json.loads(line)


def load_category(category: str, data: Path) -> list[Entry]:
    """Entries of ``category`` with ground truth attached (when the category has it)."""
    answers: dict[str, list[GroundTruthCall]] = {}
    answer_file = data / "possible_answer" / f"BFCL_v4_{category}.json"
    if answer_file.exists():
        for row in _jsonl(answer_file):
            answers[row["id"]] = [
                GroundTruthCall(name, dict(args))
                for call in row["ground_truth"]
                for name, args in call.items()
            ]
    return [
        Entry(
            id=row["id"],
            category=category,
            question=row.get("question", []),
            functions=list(row.get("function") or []),
            ground_truth=answers.get(row["id"], []),
        )
        for row in _jsonl(data / f"BFCL_v4_{category}.json")
    ]


def all_function_defs(data: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every function definition in every data file, as ``(source, definition)``."""
    files = sorted(data.glob("BFCL_v4_*.json")) + sorted(
        (data / "multi_turn_func_doc").glob("*.json")
    )
    for path in files:
        try:
            rows = list(_jsonl(path))
        except ValueError:
            continue  # format_sensitivity is not JSON Lines and has no definitions of its own
        for row in rows:
            defs = row.get("function") if "function" in row else [row] if "name" in row else []
            for fn in defs or []:
                if isinstance(fn, Mapping) and "name" in fn:
                    yield path.stem, dict(fn)


def ground_truth_arguments(call: GroundTruthCall, schema: Mapping[str, Any]) -> dict[str, Any]:
    """One concrete argument dict: the first acceptable value of each argument.

    ``""`` (BFCL's "may be omitted") leaves the argument out; nested objects in BFCL's
    ground truth list acceptable values per key too, and are resolved the same way.
    """
    props = schema.get("properties") or {}
    out: dict[str, Any] = {}
    for key, values in call.acceptable.items():
        value = _pick(values, props.get(key) or {})
        if value is not OMIT:
            out[key] = value
    return out


def _pick(values: Any, schema: Mapping[str, Any]) -> Any:
    if not isinstance(values, list) or not values:
        return values
    first = values[0]
    if first == "":
        return OMIT
    return _resolve(first, schema)


def _resolve(value: Any, schema: Mapping[str, Any]) -> Any:
    kind = normalize_type(schema.get("type"))
    if (
        isinstance(value, dict)
        and value
        and all(isinstance(v, list) for v in value.values())
        and kind in ("object", None)
    ):
        props = schema.get("properties") or {}
        out = {}
        for key, options in value.items():
            picked = _pick(options, props.get(key) or {})
            if picked is not OMIT:
                out[key] = picked
        return out
    if isinstance(value, list) and kind == "array":
        items = schema.get("items") or {}
        return [_resolve(v, items) for v in value]
    return value
