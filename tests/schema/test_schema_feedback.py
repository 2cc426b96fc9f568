"""Model-visible corrections: precise paths, expectations, given values, valid names."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gemma_agents.schema import model_from_json_schema, unknown_tool_feedback, validation_feedback

SCHEMA = {
    "type": "dict",
    "properties": {
        "city": {"type": "string", "description": "City name"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer"},
        "Content-Type": {"type": "string"},
        "stops": {
            "type": "array",
            "items": {
                "type": "dict",
                "properties": {"lat": {"type": "float"}},
                "required": ["lat"],
            },
        },
    },
    "required": ["city"],
}


def feedback_for(args: dict) -> str:
    model = model_from_json_schema(SCHEMA, "weather")
    with pytest.raises(ValidationError) as info:
        model.model_validate(args)
    return validation_feedback("weather", info.value, SCHEMA)


def test_missing_and_unexpected_arguments() -> None:
    text = feedback_for({"City": "Oslo"})
    assert text.startswith("Invalid arguments for tool 'weather':")
    assert "- city: missing required argument" in text and '"description": "City name"' in text
    assert "- City: unexpected argument. Did you mean 'city'?" in text
    assert "Valid arguments: city, unit, days, Content-Type, stops." in text
    assert text.endswith("Call weather again with corrected arguments.")


def test_enum_type_and_nested_paths_use_original_names() -> None:
    text = feedback_for(
        {
            "city": "Oslo",
            "unit": "kelvin",
            "days": "three",
            "Content-Type": True,
            "stops": [{"lat": "x"}],
        }
    )
    assert '- unit: expected one of "celsius", "fahrenheit"; got "kelvin"' in text
    assert '- days: expected an integer; got "three"' in text
    assert '- stops[0].lat: expected a number; got "x"' in text
    assert "- Content-Type: expected a string; got true" in text
    assert "Content_Type" not in text  # the safe field name never reaches the model


def test_non_pydantic_errors_are_shown() -> None:
    assert "- boom" in validation_feedback("t", RuntimeError("boom"), None)


def test_unknown_tool_feedback_lists_closest_first() -> None:
    text = unknown_tool_feedback("get_wether", ["search", "get_time", "get_weather"])
    assert text.startswith("Unknown tool 'get_wether'. Did you mean 'get_weather'?")
    assert text.index("get_weather") < text.index("search")
    assert "no tools are available" in unknown_tool_feedback("x", [])
    assert "Did you mean" not in unknown_tool_feedback("zzz", ["alpha"])
