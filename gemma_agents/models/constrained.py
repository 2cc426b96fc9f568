"""Constrained mode: force the output into one JSON schema covering every call and an answer.

Base and tiny models (the embedded 270M) cannot be instructed to write a call format, but a
grammar can make every token they emit part of a valid value. The schema is the union (anyOf)
of ``{"tool": <const name>, "arguments": <that tool's schema>}`` per tool and
``{"final_answer": <string>}`` (plus ``{"tool_calls": [<call>, ...]}`` when the request
looks like it asks for several things), so a single generation decides *whether* to call,
*which* tool(s), and *with what* arguments, and the result always parses. The prompt is a few-shot
transcript (``Request:`` / ``JSON:`` / ``Result:`` lines, see :mod:`.fewshot`), continued
with the runtime's raw completion so no chat template gets in the way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..calls._types import ToolCall, ToolSpec, new_call_id

__all__ = [
    "ConstrainedTurn",
    "decode_output",
    "format_schema",
    "render_signature",
    "union_schema",
]

# BFCL and Java/JS style type names -> JSON schema types.
_TYPE_MAP = {
    "dict": "object",
    "hashmap": "object",
    "map": "object",
    "object": "object",
    "float": "number",
    "double": "number",
    "number": "number",
    "int": "integer",
    "integer": "integer",
    "long": "integer",
    "short": "integer",
    "byte": "integer",
    "tuple": "array",
    "array": "array",
    "arraylist": "array",
    "list": "array",
    "set": "array",
    "str": "string",
    "string": "string",
    "char": "string",
    "bool": "boolean",
    "boolean": "boolean",
    "null": "null",
}
_KEEP = ("enum", "const", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems")


def format_schema(schema: Any, *, _depth: int = 0) -> dict[str, Any]:
    """A strict, standard JSON schema for constrained decoding built from a tool schema.

    Grammar compilers (llama.cpp, Ollama's ``format``, OpenAI ``response_format``) accept
    only standard JSON schema, while real tool schemas use BFCL/Java names (``dict``,
    ``float``, ``tuple``...), ``optional`` flags and defaults of the wrong type. Unknown or
    empty types become "any JSON value"; descriptions and defaults are dropped because the
    grammar does not need them; ``$ref`` is left out (resolved schemas only) by mapping it
    to any value.

    Args:
        schema: A JSON-schema-like mapping (anything else means "any value").

    Returns:
        A new mapping; the input is not modified.
    """
    if not isinstance(schema, Mapping) or _depth > 12:
        return {}
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            options = [format_schema(s, _depth=_depth + 1) for s in schema[key]]
            return {"anyOf": [o for o in options if o] or [{}]}
    raw_type = schema.get("type")
    if isinstance(raw_type, list):
        options = [format_schema({**schema, "type": t}, _depth=_depth + 1) for t in raw_type]
        return {"anyOf": options} if len(options) > 1 else (options[0] if options else {})
    out: dict[str, Any] = {}
    json_type = _TYPE_MAP.get(str(raw_type).lower()) if raw_type else None
    if json_type is None and raw_type is None:
        if isinstance(schema.get("properties"), Mapping):
            json_type = "object"
        elif "items" in schema:
            json_type = "array"
    if json_type:
        out["type"] = json_type
    for key in _KEEP:
        if key in schema:
            out[key] = schema[key]
    if json_type == "object":
        props = schema.get("properties")
        if isinstance(props, Mapping) and props:
            required = schema.get("required")
            required = [r for r in required if r in props] if isinstance(required, list) else []
            # Required properties first: the grammar emits properties in schema order, so
            # after the required ones the model may close the object, leaving optional
            # arguments out instead of being walked into filling them.
            ordered = sorted(props, key=lambda k: k not in required)
            out["properties"] = {
                str(k): format_schema(props[k], _depth=_depth + 1) for k in ordered
            }
            if isinstance(schema.get("required"), list):
                out["required"] = required
            out["additionalProperties"] = False
    elif json_type == "array" and isinstance(schema.get("items"), Mapping):
        out["items"] = format_schema(schema["items"], _depth=_depth + 1)
    if "enum" in out and isinstance(out["enum"], list):
        # Enums outside the declared type (BFCL has some) would make the grammar empty.
        out.pop("type", None)
    return out


def union_schema(
    tools: Sequence[ToolSpec],
    *,
    allow_tools: bool = True,
    allow_final: bool = True,
    max_calls: int = 1,
) -> dict[str, Any]:
    """The anyOf of one ``{"tool", "arguments"}`` object per tool and ``{"final_answer"}``.

    With ``max_calls`` above one, calls are offered only as ``{"tool_calls": [call,
    ...]}`` (1 to ``max_calls`` calls of the same per-tool union), so one generation can
    make several independent calls ("the weather in Paris and in Rome"); the bound keeps
    a model that repeats itself from filling the whole token budget with calls.

    Args:
        tools: The bound tools.
        allow_tools: Offer tool calls (off after a tool result in single-round mode).
        allow_final: Offer a direct answer (off when a tool call is required).
        max_calls: Most calls one generation may make (1: no ``tool_calls`` option).
    """
    options: list[dict[str, Any]] = []
    if allow_tools:
        for spec in tools:
            options.append(
                {
                    "type": "object",
                    "properties": {
                        "tool": {"const": spec.name},
                        "arguments": format_schema(spec.parameters) or {"type": "object"},
                    },
                    "required": ["tool", "arguments"],
                    "additionalProperties": False,
                }
            )
        if max_calls > 1 and options:
            single = options[0] if len(options) == 1 else {"anyOf": list(options)}
            # Only the list: a single call is a list of one, and a model offered both
            # forms tends to fall back to the one-call form it has seen most.
            options = [
                {
                    "type": "object",
                    "properties": {
                        "tool_calls": {
                            "type": "array",
                            "items": single,
                            "minItems": 1,
                            "maxItems": max_calls,
                        }
                    },
                    "required": ["tool_calls"],
                    "additionalProperties": False,
                }
            ]
    if allow_final or not options:
        options.append(
            {
                "type": "object",
                "properties": {"final_answer": {"type": "string"}},
                "required": ["final_answer"],
                "additionalProperties": False,
            }
        )
    return options[0] if len(options) == 1 else {"anyOf": options}


def render_signature(
    spec: ToolSpec, *, max_description: int = 120, max_param_description: int = 90
) -> str:
    """One tool as the few-shot prompt shows it: ``- name(a: string, b?: number): what``.

    Parameter descriptions follow on indented lines because tiny models copy argument
    values far better when the prompt says what each argument means. Descriptions are cut
    to their first sentence: long reference text (every function a calculator supports)
    only distracts a small model and costs prompt tokens.
    """
    params = spec.parameters if isinstance(spec.parameters, Mapping) else {}
    props = params.get("properties")
    props = props if isinstance(props, Mapping) else {}
    required = set(params.get("required") or [])
    parts = []
    details = []
    # Required first, in the order the grammar asks for them (see format_schema).
    for name in sorted(props, key=lambda k: k not in required):
        sub = props[name] if isinstance(props[name], Mapping) else {}
        marker = "" if name in required else "?"
        parts.append(f"{name}{marker}: {_type_name(sub)}")
        desc = _first_sentence(str(sub.get("description") or ""))
        if isinstance(sub.get("enum"), list):
            desc = (desc + " One of: " + ", ".join(map(str, sub["enum"][:12]))).strip()
        if desc:
            details.append(f"    {name}: {_clip(desc, max_param_description)}")
    description = _clip(_first_sentence(spec.description), max_description)
    head = f"- {spec.name}({', '.join(parts)})" + (f": {description}" if description else "")
    return "\n".join([head, *details])


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    match = _SENTENCE_END.search(text)
    return text[: match.start() + 1] if match else text


_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)\.\s")


def _type_name(schema: Mapping[str, Any]) -> str:
    raw = schema.get("type")
    if isinstance(raw, list):
        return " | ".join(_TYPE_MAP.get(str(t).lower(), str(t)) for t in raw)
    if raw:
        return _TYPE_MAP.get(str(raw).lower(), str(raw))
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return type(schema["enum"][0]).__name__.replace("str", "string")
    return str(format_schema(schema).get("type", "any"))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


@dataclass
class ConstrainedTurn:
    """What one constrained generation decided.

    Attributes:
        calls: The tool calls it made (several from a ``tool_calls`` list), as ``ToolCall``.
        final_answer: The direct answer, when it answered instead.
        error: Why the output could not be decoded (truncated JSON...), else ``None``.
        raw: The generated text.
        truncated: The answer was cut off by the token limit (what was written is kept).
    """

    calls: list[ToolCall] = field(default_factory=list)
    final_answer: str | None = None
    error: str | None = None
    raw: str = ""
    truncated: bool = False


def decode_output(text: str) -> ConstrainedTurn:
    """Turn the constrained JSON output into a call or an answer; never raises.

    Output normally matches the schema exactly (the grammar enforces it), but a generation
    cut off by the token limit, or a runtime that ignores ``format``, can leave anything;
    those become an ``error`` for the repair step instead of an exception.
    """
    raw = text or ""
    stripped = raw.strip()
    try:
        value, _ = json.JSONDecoder().raw_decode(stripped[stripped.find("{") :])
    except json.JSONDecodeError as exc:
        partial = _partial_answer(stripped)
        if partial is not None:
            return ConstrainedTurn(final_answer=partial, raw=raw, truncated=True)
        return ConstrainedTurn(error=f"output is not complete JSON ({exc.msg})", raw=raw)
    if not isinstance(value, dict):
        return ConstrainedTurn(error="output is not a JSON object", raw=raw)
    if isinstance(value.get("tool"), str):
        call_or_error = _call(value, stripped)
        if isinstance(call_or_error, str):
            return ConstrainedTurn(error=call_or_error, raw=raw)
        return ConstrainedTurn(calls=[call_or_error], raw=raw)
    if isinstance(value.get("tool_calls"), list) and value["tool_calls"]:
        calls = []
        for item in value["tool_calls"]:
            if not isinstance(item, dict) or not isinstance(item.get("tool"), str):
                return ConstrainedTurn(error='each "tool_calls" item needs a "tool"', raw=raw)
            call_or_error = _call(item, json.dumps(item, ensure_ascii=False))
            if isinstance(call_or_error, str):
                return ConstrainedTurn(error=call_or_error, raw=raw)
            # A small model that repeats itself fills the list with the same call; one
            # step never needs the same call twice (ToolCall equality ignores the id).
            if call_or_error not in calls:
                calls.append(call_or_error)
        return ConstrainedTurn(calls=calls, raw=raw)
    if "final_answer" in value:
        answer = value["final_answer"]
        return ConstrainedTurn(
            final_answer=answer if isinstance(answer, str) else json.dumps(answer), raw=raw
        )
    return ConstrainedTurn(
        error='expected "tool", "tool_calls" or "final_answer" in the JSON', raw=raw
    )


def _call(value: Mapping[str, Any], raw: str) -> ToolCall | str:
    """One ``{"tool", "arguments"}`` object as a ``ToolCall``, or why it is not one."""
    args = value.get("arguments")
    if args is None:
        args = {}
    if not isinstance(args, dict):
        return '"arguments" must be a JSON object'
    return ToolCall(
        name=str(value["tool"]), arguments=args, id=new_call_id(), dialect="constrained", raw=raw
    )


_ANSWER_START = re.compile(r'^\{\s*"final_answer"\s*:\s*"')


def _partial_answer(text: str) -> str | None:
    """The text of a ``final_answer`` string cut off by the token limit, if that is what
    ``text`` is: small models sometimes ramble (``"0.000000..."``) until the limit, and the
    words already written are a better answer than a retry with a bigger budget."""
    match = _ANSWER_START.match(text)
    if match is None:
        return None
    body = text[match.end() :]
    for cut in range(len(body), max(len(body) - 8, -1), -1):
        try:
            return str(json.loads('"' + body[:cut] + '"')).rstrip()
        except json.JSONDecodeError:
            continue
    return None
