"""Build pydantic models from (normalised) JSON schemas, cached by schema hash.

Validation policy (what a model's arguments must look like):

* Lax where small models are predictably sloppy and the intent is unambiguous: numeric
  strings become numbers (``"5"`` -> ``5``), ``"true"``/``"false"`` become booleans, numbers
  become strings for string fields (``2`` -> ``"2"``), ints are accepted for floats (as in
  BFCL's checker), ``null`` is accepted for optional arguments, and arrays/objects sent as a
  JSON string (``"[1, 2]"``) are decoded.
* Strict where a guess would hide a mistake: unknown arguments are rejected (so a misspelt
  name is reported, not silently dropped), required arguments must be present, fractional
  floats are not truncated to ints, booleans are not turned into strings, enums are exact.

Property names that are not identifiers, are Python keywords, start with ``_`` or clash
with ``BaseModel`` attributes (``Content-Type``, ``from``, ``_id``, ``schema``, ``json``,
``model_config``...) get safe field names with the original name as alias:
``model_validate`` reads the original names and ``model_dump(by_alias=True)`` gives them back.
"""

from __future__ import annotations

import hashlib
import json
import keyword
import re
import threading
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    create_model,
)
from pydantic import ValidationError as PydanticValidationError

from ._normalize import normalize_schema

__all__ = ["ExtraMode", "clear_model_cache", "model_from_json_schema", "safe_field_names"]

ExtraMode = Literal["forbid", "ignore", "allow"]

_RESERVED = frozenset(dir(BaseModel)) | {"model_config", "model_fields", "model_computed_fields"}
_MAX_REF_DEPTH = 12
_CACHE: dict[str, type[BaseModel]] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_MAX = 4096


def model_from_json_schema(
    schema: Mapping[str, Any] | None,
    name: str = "Args",
    *,
    extra: ExtraMode = "forbid",
    code_strings: bool = False,
) -> type[BaseModel]:
    """Return a pydantic model that validates arguments against ``schema``.

    Args:
        schema: The tool's parameter schema (standard JSON Schema or the BFCL/Java/JS
            dialects; see :func:`normalize_schema`). ``None`` or ``{}`` means no arguments.
        name: Class name of the model (nested objects get ``<name>_<field>``).
        extra: What to do with arguments the schema does not declare. ``"forbid"`` (default)
            reports them to the model; a schema with ``additionalProperties: true`` allows
            them regardless.
        code_strings: Also accept a source-code string (a variable name or expression) for
            any non-string argument, as BFCL's Java and JavaScript categories expect.

    Returns:
        A model class, shared between calls with the same schema, name and options.
    """
    key = _cache_key(schema, name, extra, code_strings)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    norm = normalize_schema(schema or {})
    free_form = norm.get("type") == "object" and "properties" not in norm
    if norm.get("additionalProperties") is True or (
        free_form and norm.get("additionalProperties") is not False
    ):
        extra = "allow"  # a free-form object: any argument names are fine
    model = _Builder(norm, extra, code_strings).model(norm, _class_name(name), 0)
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[key] = model
    return model


def clear_model_cache() -> None:
    """Forget every cached model (tests, long-running servers reloading tools)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def safe_field_names(names: list[str]) -> dict[str, str]:
    """Map each original property name to a unique, valid, non-clashing field name."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for original in names:
        if _is_safe(original) and original not in used:
            mapping[original] = original
            used.add(original)
    for original in names:
        if original in mapping:
            continue
        base = re.sub(r"\W", "_", original).strip("_") or "field"
        if not base[0].isalpha() or base.startswith("model_"):
            base = f"f_{base}"
        if not _is_safe(base):  # a keyword or a BaseModel attribute
            base = f"{base}_"
        candidate, n = base, 1
        while candidate in used or candidate in names or not _is_safe(candidate):
            n += 1
            candidate = f"f{n}_{base}"
        mapping[original] = candidate
        used.add(candidate)
    return mapping


def _is_safe(name: str) -> bool:
    return (
        name.isidentifier()
        and not keyword.iskeyword(name)
        and not name.startswith("_")
        and name not in _RESERVED
        and not name.startswith("model_")
    )


def _cache_key(schema: Any, name: str, extra: str, code_strings: bool) -> str:
    try:
        blob = json.dumps(schema, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        blob = repr(schema)
    raw = f"{blob}|{name}|{extra}|{code_strings}"
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _class_name(name: str) -> str:
    cleaned = re.sub(r"\W", "_", name) or "Args"
    return cleaned if not cleaned[0].isdigit() else f"M_{cleaned}"


def _decode_container(value: Any) -> Any:
    """``"[1, 2]"`` / ``'{"a": 1}'`` sent as a string -> the decoded list/dict."""
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _enum_check(allowed: list[Any]) -> Any:
    def check(value: Any) -> Any:
        if value not in allowed:
            raise ValueError(f"must be one of {json.dumps(allowed, default=str)[:300]}")
        return value

    return check


class _Builder:
    """Turns one normalised schema (and its ``$defs``) into pydantic types."""

    def __init__(self, root: Mapping[str, Any], extra: ExtraMode, code_strings: bool) -> None:
        self.root = root
        self.extra = extra
        self.code_strings = code_strings
        self.config = ConfigDict(
            extra=extra,
            populate_by_name=True,
            protected_namespaces=(),
            coerce_numbers_to_str=True,
            arbitrary_types_allowed=False,
        )

    def model(self, node: Mapping[str, Any], name: str, depth: int) -> type[BaseModel]:
        raw_props = node.get("properties")
        props: Mapping[str, Any] = raw_props if isinstance(raw_props, Mapping) else {}
        required = set(node.get("required") or ())
        names = safe_field_names(list(props))
        fields: dict[str, Any] = {}
        for original, sub in props.items():
            sub = sub if isinstance(sub, Mapping) else {}
            annotation = self.annotation(sub, f"{name}_{names[original]}", depth + 1)
            description = (
                sub.get("description") if isinstance(sub.get("description"), str) else None
            )
            if original in required and "default" not in sub:
                fields[names[original]] = (
                    annotation,
                    Field(..., alias=original, description=description),
                )
                continue
            default = self._default(sub, annotation)
            fields[names[original]] = (
                Optional[annotation],  # noqa: UP045 - runtime typing object
                Field(default, alias=original, description=description),
            )
        config = self.config
        additional = node.get("additionalProperties")
        if depth > 0 and additional is not False:
            # Nested objects follow JSON Schema: undeclared keys are allowed unless
            # additionalProperties is false. Only the top level reports unknown arguments.
            config = ConfigDict(**{**self.config, "extra": "allow"})
        elif additional is True or additional is False:
            config = ConfigDict(**{**self.config, "extra": "allow" if additional else "forbid"})
        model: type[BaseModel] = create_model(name, __config__=config, **fields)
        return model

    def annotation(self, node: Mapping[str, Any], name: str, depth: int) -> Any:
        base = self._annotation(node, name, depth)
        if self.code_strings and base is not str and base is not Any:
            return Union[base, str]  # noqa: UP007 - runtime typing object
        return base

    def _annotation(self, node: Mapping[str, Any], name: str, depth: int) -> Any:
        if depth > _MAX_REF_DEPTH * 4:
            return Any
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = self._resolve(ref)
            if target is None or depth > _MAX_REF_DEPTH:
                return Any
            merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            return self._annotation(merged, name, depth + 1)
        if isinstance(node.get("allOf"), list) and node["allOf"]:
            return self._annotation(_merge_all_of(node), name, depth + 1)
        for key in ("anyOf", "oneOf"):
            options = node.get(key)
            if isinstance(options, list) and options:
                members = [
                    self._annotation(o, f"{name}_{i}", depth + 1)
                    for i, o in enumerate(options)
                    if isinstance(o, Mapping)
                ]
                return _union(members)
        nullable = isinstance(node.get("type"), list) and "null" in node["type"]
        if "const" in node:
            return _literal([node["const"], *([None] if nullable else [])])
        enum = node.get("enum")
        if isinstance(enum, list) and enum:
            return _literal([*enum, *([None] if nullable else [])])
        types = node.get("type")
        if isinstance(types, list):
            return _union([self._for_type(t, node, name, depth) for t in types])
        if isinstance(types, str):
            return self._for_type(types, node, name, depth)
        if isinstance(node.get("properties"), Mapping):
            return self._for_type("object", node, name, depth)
        if "items" in node or "prefixItems" in node:
            return self._for_type("array", node, name, depth)
        return Any

    def _for_type(self, type_name: str, node: Mapping[str, Any], name: str, depth: int) -> Any:
        if type_name == "string":
            return str
        if type_name == "integer":
            return int
        if type_name == "number":
            return float
        if type_name == "boolean":
            return bool
        if type_name == "null":
            return type(None)
        if type_name == "array":
            items = node.get("items")
            item_type = (
                self.annotation(items, f"{name}_item", depth + 1)
                if isinstance(items, Mapping) and items
                else Any
            )
            return Annotated[list[item_type], BeforeValidator(_decode_container)]  # type: ignore[valid-type]
        if type_name == "object":
            props = node.get("properties")
            if isinstance(props, Mapping) and props:
                return Annotated[
                    self.model(node, _class_name(name), depth + 1),
                    BeforeValidator(_decode_container),
                ]
            extra = node.get("additionalProperties")
            value_type = (
                self.annotation(extra, f"{name}_value", depth + 1)
                if isinstance(extra, Mapping) and extra
                else Any
            )
            return Annotated[dict[str, value_type], BeforeValidator(_decode_container)]  # type: ignore[valid-type]
        return Any

    def _resolve(self, ref: str) -> Mapping[str, Any] | None:
        if ref == "#":
            return self.root
        if not ref.startswith("#/"):
            return None
        node: Any = self.root
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or part not in node:
                return None
            node = node[part]
        return node if isinstance(node, Mapping) else None

    def _default(self, node: Mapping[str, Any], annotation: Any) -> Any:
        """The schema default coerced to the field type; ``None`` when it does not fit
        (real schemas carry ``"false"`` for booleans and enum defaults outside the enum)."""
        if "default" not in node:
            return None
        default = node["default"]
        if default is None:
            return None
        try:
            return TypeAdapter(annotation).validate_python(default)
        except (PydanticValidationError, TypeError, ValueError):
            return None


def _literal(values: list[Any]) -> Any:
    scalars = all(
        v is None or (isinstance(v, str | int | bool) and not isinstance(v, float)) for v in values
    )
    if scalars:
        literal = Literal[tuple(dict.fromkeys(values))]  # type: ignore[valid-type]
        strings = [v for v in values if isinstance(v, str)]
        if strings:
            return Annotated[literal, BeforeValidator(_match_string_enum(strings))]
        return literal
    return Annotated[Any, AfterValidator(_enum_check(values))]


def _match_string_enum(options: list[str]) -> Any:
    """``2`` -> ``"2"`` and ``true`` -> ``"True"`` when the enum lists that spelling."""
    lowered = {o.lower(): o for o in options}

    def match(value: Any) -> Any:
        if isinstance(value, bool):
            return lowered.get(str(value).lower(), value)
        if isinstance(value, int | float):
            return lowered.get(str(value).lower(), value)
        return value

    return match


def _union(members: list[Any]) -> Any:
    unique = list(dict.fromkeys(members))
    if not unique:
        return Any
    if Any in unique:
        return Any
    if len(unique) == 1:
        return unique[0]
    return Union[tuple(unique)]  # noqa: UP007 - runtime typing object


def _merge_all_of(node: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
    props: dict[str, Any] = dict(merged.get("properties") or {})
    required: list[str] = list(merged.get("required") or [])
    for part in node["allOf"]:
        if not isinstance(part, Mapping):
            continue
        props.update(part.get("properties") or {})
        required.extend(part.get("required") or [])
        for k, v in part.items():
            if k not in ("properties", "required"):
                merged.setdefault(k, v)
    if props:
        merged["properties"] = props
        merged["required"] = list(dict.fromkeys(required))
        merged.setdefault("type", "object")
    return merged
