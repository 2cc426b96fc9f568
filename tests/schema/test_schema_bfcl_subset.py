"""Every vendored BFCL function converts, and its ground-truth arguments validate.

The data (tests/data/bfcl, Apache-2.0) carries the real-world schema quirks: ``dict``,
``float``, ``tuple``, Java/JS type names, ``optional`` flags, odd property names. The few
ground-truth answers that contradict their own schema are listed explicitly, and the test
checks that they are rejected for the stated reason, so the list cannot go stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from gemma_agents.schema import model_from_json_schema, normalize_type, validation_feedback

DATA = Path(__file__).resolve().parents[1] / "data" / "bfcl" / "subset.jsonl"
ROWS = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
CODE_CATEGORIES = {"simple_java", "simple_javascript"}
# (entry id, index of the call) -> error type pydantic reports; BFCL's ground truth contradicts the
# function's own schema there (a required argument missing, a value outside the enum...).
CONTRADICTIONS: dict[tuple[str, int], str] = {
    # ground truth passes "type", which the schema does not declare
    ("parallel_multiple_26", 1): "extra_forbidden",
    # "openai" is not in the enum ["all", "postgres", "openapi", "graphql"]
    ("live_multiple_87-38-4", 0): "literal_error",
    # the Korean command string is not one of the three enum values
    ("live_parallel_multiple_2-2-0", 1): "literal_error",
}
_OMIT = object()


def _pick(values: Any, schema: dict[str, Any]) -> Any:
    if not isinstance(values, list) or not values:
        return values
    if values[0] == "":
        return _OMIT
    return _resolve(values[0], schema)


def _resolve(value: Any, schema: dict[str, Any]) -> Any:
    kind = normalize_type(schema.get("type"))
    lists = isinstance(value, dict) and value and all(isinstance(v, list) for v in value.values())
    if lists and kind in ("object", None):
        props = schema.get("properties") or {}
        picked = {k: _pick(v, props.get(k) or {}) for k, v in value.items()}
        return {k: v for k, v in picked.items() if v is not _OMIT}
    if isinstance(value, list) and kind == "array":
        return [_resolve(v, schema.get("items") or {}) for v in value]
    return value


def ground_truth_arguments(acceptable: dict[str, list[Any]], schema: dict[str, Any]) -> dict:
    props = schema.get("properties") or {}
    picked = {k: _pick(v, props.get(k) or {}) for k, v in acceptable.items()}
    return {k: v for k, v in picked.items() if v is not _OMIT}


def test_subset_is_large_and_varied() -> None:
    functions = [fn for row in ROWS for fn in row["function"]]
    assert len(ROWS) >= 250 and len(functions) >= 500
    assert len({row["category"] for row in ROWS}) == 10
    blob = json.dumps(functions)
    for quirk in ('"dict"', '"float"', '"tuple"', '"any"', '"String"', '"HashMap"', '"optional"'):
        assert quirk in blob, quirk


def test_every_vendored_function_converts() -> None:
    for row in ROWS:
        for fn in row["function"]:
            model = model_from_json_schema(fn["parameters"], fn["name"])
            props = fn["parameters"].get("properties") or {}
            schema = model.model_json_schema(by_alias=True)
            assert set(schema.get("properties", {})) == set(props), fn["name"]


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_ground_truth_validates(row: dict[str, Any]) -> None:
    functions = {fn["name"]: fn for fn in row["function"]}
    code = row["category"] in CODE_CATEGORIES
    for index, call in enumerate(row["ground_truth"]):
        for name, acceptable in call.items():
            schema = functions[name]["parameters"]
            args = ground_truth_arguments(acceptable, schema)
            model = model_from_json_schema(schema, name, code_strings=code)
            expected_error = CONTRADICTIONS.get((row["id"], index))
            if expected_error is None:
                dumped = model.model_validate(args).model_dump(by_alias=True, exclude_unset=True)
                assert set(dumped) == set(args)
                continue
            with pytest.raises(ValidationError) as info:
                model.model_validate(args)
            assert expected_error in {e["type"] for e in info.value.errors()}
            assert f"Invalid arguments for tool {name!r}" in validation_feedback(
                name, info.value, schema
            )
