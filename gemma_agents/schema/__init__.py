"""Tool schemas: JSON Schema (and its real-world dialects) to pydantic, plus corrections.

``model_from_json_schema`` turns a tool's parameter schema, including BFCL's ``"type":
"dict"`` / Java / JavaScript flavours, into a cached pydantic model whose aliases keep the
original argument names; ``validation_feedback`` and ``unknown_tool_feedback`` write the
model-visible corrections the agent sends back when a call is wrong; ``normalize_schema``
gives the standard JSON Schema that grammars and ``format`` parameters need.
"""

from __future__ import annotations

from ._build import ExtraMode, clear_model_cache, model_from_json_schema, safe_field_names
from ._feedback import unknown_tool_feedback, validation_feedback
from ._normalize import normalize_schema, normalize_type

__all__ = [
    "ExtraMode",
    "clear_model_cache",
    "model_from_json_schema",
    "normalize_schema",
    "normalize_type",
    "safe_field_names",
    "unknown_tool_feedback",
    "validation_feedback",
]
