"""Rewrite real-world tool schemas into standard JSON Schema.

Tool schemas found in the wild (BFCL, OpenAPI exports, Java/JavaScript signatures) use
``"type": "dict"``, ``float``, ``tuple``, ``long``, ``String``, ``HashMap``, ``any``, an
empty type, per-property ``optional`` flags and ``nullable``. Constrained decoding
(llama.cpp grammars, Ollama ``format``) and validation both need the standard vocabulary,
so everything downstream goes through :func:`normalize_schema` first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["JSON_TYPES", "normalize_schema", "normalize_type"]

JSON_TYPES = frozenset({"string", "integer", "number", "boolean", "array", "object", "null"})

_TYPE_ALIASES = {
    "str": "string",
    "string": "string",
    "char": "string",
    "character": "string",
    "text": "string",
    "int": "integer",
    "integer": "integer",
    "long": "integer",
    "short": "integer",
    "byte": "integer",
    "bigint": "integer",
    "float": "number",
    "double": "number",
    "number": "number",
    "decimal": "number",
    "bool": "boolean",
    "boolean": "boolean",
    "array": "array",
    "arraylist": "array",
    "list": "array",
    "tuple": "array",
    "set": "array",
    "dict": "object",
    "object": "object",
    "hashmap": "object",
    "map": "object",
    "null": "null",
    "none": "null",
}
_ANY = frozenset({"", "any", "mixed", "unknown", "*"})
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")
_SCHEMA_VALUES = ("items", "additionalProperties", "not", "contains")


def normalize_type(value: Any) -> str | list[str] | None:
    """Map one ``type`` value to the JSON Schema vocabulary (``None`` = any type)."""
    if isinstance(value, str):
        key = value.strip().lower()
        if key in _ANY:
            return None
        # Unknown names (Java classes, "Integer[]"...) accept anything rather than guess.
        return _TYPE_ALIASES.get(key)
    if isinstance(value, list | tuple):
        types: list[str] = []
        for item in value:
            norm = normalize_type(item)
            if norm is None:
                return None
            for t in [norm] if isinstance(norm, str) else norm:
                if t not in types:
                    types.append(t)
        if not types:
            return None
        return types[0] if len(types) == 1 else types
    return None


def normalize_schema(schema: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return a standard JSON Schema equivalent of ``schema`` (the input is not modified).

    Rules: type names are mapped (``dict`` -> ``object``, ``float`` -> ``number``, ``tuple``
    -> ``array``, Java/JS names likewise, ``any``/``""`` -> no type); ``nullable: true`` adds
    ``"null"`` to the type; properties flagged ``optional: true`` leave ``required``;
    ``required`` keeps only declared properties; an ``enum`` of scalars on an array moves to
    its items; sub-schemas are normalised recursively. ``$ref`` is kept (resolved by the
    model builder).
    """
    if not isinstance(schema, Mapping):
        return {}
    return _node(schema)


def _node(schema: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "type":
            norm = normalize_type(value)
            if norm is not None:
                out["type"] = norm
        elif key in _SCHEMA_MAPS and isinstance(value, Mapping):
            out[key] = {k: _node(v) if isinstance(v, Mapping) else {} for k, v in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [_node(v) if isinstance(v, Mapping) else {} for v in value]
        elif key in _SCHEMA_VALUES and isinstance(value, Mapping):
            out[key] = _node(value)
        elif key == "items" and isinstance(value, list):
            out["prefixItems"] = [_node(v) if isinstance(v, Mapping) else {} for v in value]
        elif key in ("nullable", "optional"):
            continue
        else:
            out[key] = value
    if schema.get("nullable") is True:
        _add_null(out)
    props = out.get("properties")
    if isinstance(props, Mapping):
        if "type" not in out:
            out["type"] = "object"
        required = out.get("required")
        names = [r for r in required if r in props] if isinstance(required, list) else []
        optional = {
            k
            for k, v in (schema.get("properties") or {}).items()
            if isinstance(v, Mapping) and v.get("optional") is True
        }
        names = [n for n in names if n not in optional]
        if names or "required" in out:
            out["required"] = list(dict.fromkeys(names))
    elif "required" in out and not isinstance(out.get("required"), list):
        out.pop("required")
    enum = out.get("enum")
    scalar_enum = isinstance(enum, list) and enum and all(not isinstance(e, list) for e in enum)
    if _is_type(out, "array") and scalar_enum:
        items = dict(out.get("items") or {})
        items.setdefault("enum", enum)
        out["items"] = items
        out.pop("enum")
    return out


def _is_type(schema: Mapping[str, Any], name: str) -> bool:
    t = schema.get("type")
    return t == name or (isinstance(t, list) and name in t)


def _add_null(out: dict[str, Any]) -> None:
    t = out.get("type")
    if t is None:
        return
    types = [t] if isinstance(t, str) else list(t)
    if "null" not in types:
        types.append("null")
    out["type"] = types
