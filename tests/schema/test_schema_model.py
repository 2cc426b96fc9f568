"""model_from_json_schema: real-world schema quirks, aliases, defaults, policy, caching."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from gemma_agents.schema import (
    clear_model_cache,
    model_from_json_schema,
    normalize_schema,
    safe_field_names,
)

QUIRKY = {
    "type": "dict",
    "properties": {
        "Content-Type": {"type": "String"},
        "from": {"type": "long"},
        "_id": {"type": "integer", "default": "0"},
        "schema": {"type": "string", "enum": ["a", "b"]},
        "model_config": {"type": "char"},
        "json": {"type": "Boolean", "default": "false"},
        "dict": {"type": "HashMap"},
        "copy": {"type": "tuple", "items": {"type": "float"}},
        "fields": {"type": "any"},
        "model_name": {"type": ""},
        "opt": {"type": "double", "optional": True},
    },
    "required": ["Content-Type", "from", "opt", "missing_prop"],
}


def validate(schema: dict[str, Any], args: dict[str, Any], **kw: Any) -> dict[str, Any]:
    model = model_from_json_schema(schema, "T", **kw)
    return model.model_validate(args).model_dump(by_alias=True, exclude_unset=True)


def test_quirky_names_validate_and_dump_by_original_name() -> None:
    args = {
        "Content-Type": "json",
        "from": 3,
        "_id": 7,
        "schema": "a",
        "model_config": "c",
        "json": True,
        "dict": {"k": [1]},
        "copy": [1, 2.5],
        "fields": {"anything": None},
        "model_name": 5,
    }
    model = model_from_json_schema(QUIRKY, "T")
    dumped = model.model_validate(args).model_dump(by_alias=True)
    assert dumped == {**args, "copy": [1.0, 2.5], "opt": None}
    assert set(dumped) == set(QUIRKY["properties"])


def test_defaults_of_the_wrong_type_are_coerced_or_dropped() -> None:
    model = model_from_json_schema(QUIRKY, "T")
    dumped = model.model_validate({"Content-Type": "x", "from": 1}).model_dump(by_alias=True)
    assert dumped["_id"] == 0 and dumped["json"] is False  # "0" -> 0, "false" -> False
    bad_default = {
        "type": "object",
        "properties": {
            "unit": {"type": "string", "enum": ["c", "f"], "default": "kelvin"},
            "n": {"type": "integer", "default": None},
        },
    }
    assert validate(bad_default, {}) == {}
    full = model_from_json_schema(bad_default, "T").model_validate({}).model_dump(by_alias=True)
    assert full == {"unit": None, "n": None}


def test_optional_flag_and_required_with_default() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer", "default": 5}, "b": {"type": "string"}},
        "required": ["a", "b"],
    }
    model = model_from_json_schema(schema, "T")
    assert model.model_validate({"b": "x"}).model_dump(by_alias=True) == {"a": 5, "b": "x"}
    with pytest.raises(ValidationError):
        model.model_validate({"a": 1})
    model_q = model_from_json_schema(QUIRKY, "T")
    model_q.model_validate({"Content-Type": "x", "from": 1})  # "opt" is optional: true


def test_validation_policy() -> None:
    schema = {
        "type": "object",
        "properties": {
            "n": {"type": "integer"},
            "x": {"type": "float"},
            "s": {"type": "string"},
            "b": {"type": "boolean"},
            "xs": {"type": "array", "items": {"type": "integer"}},
        },
    }
    ok = validate(schema, {"n": "5", "x": 2, "s": 7, "b": "true", "xs": "[1, 2]"})
    assert ok == {"n": 5, "x": 2.0, "s": "7", "b": True, "xs": [1, 2]}
    for bad in ({"n": 1.5}, {"n": "five"}, {"s": True}, {"extra": 1}, {"xs": [1, "a"]}):
        with pytest.raises(ValidationError):
            validate(schema, bad)
    assert validate(schema, {"n": None}) == {"n": None}  # null accepted for optional


def test_enum_matching_and_strictness() -> None:
    schema = {
        "type": "object",
        "properties": {
            "rooms": {"type": "string", "enum": ["1", "2", "dontcare"]},
            "flag": {"type": "string", "enum": ["True", "False"]},
            "level": {"type": "integer", "enum": [1, 2]},
            "tags": {"type": "array", "enum": ["a", "b"]},
            "ratio": {"type": "number", "enum": [0.5, 1.5]},
        },
    }
    assert validate(schema, {"rooms": 2, "flag": True}) == {"rooms": "2", "flag": "True"}
    assert validate(schema, {"tags": ["a", "b"], "ratio": 0.5}) == {
        "tags": ["a", "b"],
        "ratio": 0.5,
    }
    for bad in ({"rooms": "3"}, {"level": 3}, {"tags": ["c"]}, {"ratio": 2.0}):
        with pytest.raises(ValidationError):
            validate(schema, bad)


def test_refs_anyof_nullable_type_lists_and_nested_arrays_of_objects() -> None:
    schema = {
        "type": "object",
        "$defs": {
            "Point": {
                "type": "object",
                "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                "required": ["x", "y"],
                "additionalProperties": False,
            }
        },
        "properties": {
            "points": {"type": "array", "items": {"$ref": "#/$defs/Point"}},
            "id": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
            "note": {"type": ["string", "null"]},
            "limit": {"type": "integer", "nullable": True},
            "meta": {"type": "object", "properties": {"k": {"type": "string"}}},
            "tree": {"$ref": "#"},
        },
        "required": ["points", "note", "limit"],
    }
    out = validate(
        schema,
        {
            "points": [{"x": 1, "y": 2}],
            "id": "a7",
            "note": None,
            "limit": None,
            "meta": {"k": "v", "z": 1},
        },
    )
    assert out["points"] == [{"x": 1.0, "y": 2.0}] and out["id"] == "a7"
    assert out["meta"] == {"k": "v", "z": 1}  # nested objects allow undeclared keys
    with pytest.raises(ValidationError):
        validate(schema, {"points": [{"x": 1, "y": 2, "z": 3}], "note": None, "limit": 1})
    with pytest.raises(ValidationError):
        validate(schema, {"points": [{"x": 1}], "note": "n", "limit": 1})
    recursive = validate(
        schema,
        {"points": [], "note": "n", "limit": 1, "tree": {"points": [], "note": "m", "limit": 2}},
    )
    assert recursive["tree"]["note"] == "m"


def test_free_form_dicts_and_additional_properties() -> None:
    assert validate({"type": "dict"}, {"anything": [1]}) == {"anything": [1]}
    schema = {"type": "object", "properties": {"d": {"type": "dict"}}}
    assert validate(schema, {"d": {"a": {"b": 1}}}) == {"d": {"a": {"b": 1}}}
    typed = {
        "type": "object",
        "properties": {"d": {"type": "object", "additionalProperties": {"type": "integer"}}},
    }
    with pytest.raises(ValidationError):
        validate(typed, {"d": {"a": "x"}})
    open_top = {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "additionalProperties": True,
    }
    assert validate(open_top, {"a": "x", "b": 2}) == {"a": "x", "b": 2}
    assert validate({"type": "object", "properties": {}}, {}) == {}
    assert validate({}, {}) == {}


def test_code_strings_accept_expressions_for_non_string_types() -> None:
    schema = {"type": "dict", "properties": {"buf": {"type": "Array"}, "n": {"type": "integer"}}}
    assert validate(schema, {"buf": "textBuffer", "n": "EVENT_THREAD"}, code_strings=True) == {
        "buf": "textBuffer",
        "n": "EVENT_THREAD",
    }
    with pytest.raises(ValidationError):
        validate(schema, {"buf": "textBuffer"})


def test_models_are_cached_by_schema_hash() -> None:
    clear_model_cache()
    a = model_from_json_schema({"type": "object", "properties": {"a": {"type": "string"}}}, "M")
    b = model_from_json_schema({"properties": {"a": {"type": "string"}}, "type": "object"}, "M")
    c = model_from_json_schema({"type": "object", "properties": {"a": {"type": "integer"}}}, "M")
    assert a is b and a is not c


def test_safe_field_names_are_unique_and_valid() -> None:
    names = [
        "from",
        "from_",
        "_from",
        "Content-Type",
        "Content_Type",
        "schema",
        "model_name",
        "1x",
        "",
    ]
    mapping = safe_field_names(names)
    assert len(set(mapping.values())) == len(names)
    assert all(v.isidentifier() and not v.startswith(("_", "model_")) for v in mapping.values())
    assert mapping["from_"] == "from_" and mapping["Content_Type"] == "Content_Type"


def test_normalize_schema_gives_standard_json_schema() -> None:
    norm = normalize_schema(QUIRKY)
    props = norm["properties"]
    assert norm["type"] == "object"
    assert props["from"]["type"] == "integer" and props["copy"]["type"] == "array"
    assert props["json"]["type"] == "boolean" and props["dict"]["type"] == "object"
    assert "type" not in props["fields"] and "type" not in props["model_name"]
    assert norm["required"] == ["Content-Type", "from"]  # optional: true and unknown dropped
    assert "optional" not in props["opt"]
    assert normalize_schema({"type": "string", "nullable": True})["type"] == ["string", "null"]
