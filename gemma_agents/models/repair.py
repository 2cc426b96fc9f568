"""Check parsed calls against their tools' schemas and repair them under constrained decoding.

Small models get argument names, types and nesting wrong far more often than tool choice.
Instead of failing the step (or letting the tool crash), the call is re-asked for its
*arguments only*, with the validation feedback in the prompt and the tool's JSON schema
enforced by the runtime (Ollama ``format``, llama.cpp grammar, OpenAI ``response_format``),
which turns most bad calls into good ones in one short generation. If the arguments are
still unusable after the allowed attempts, the call is returned as an invalid tool call with
the feedback as its error, so the agent loop shows the model what went wrong.

The functions here are pure; :class:`~gemma_agents.models.ChatGemma` performs the model calls.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..calls._types import ToolCall, ToolSpec
from .constrained import render_signature

__all__ = [
    "CallProblem",
    "RepairRecord",
    "check_call",
    "decode_arguments",
    "repair_prompt",
    "tool_for_fragment",
]


@dataclass
class CallProblem:
    """A call (or a fragment that failed to parse) that cannot be used as is.

    Attributes:
        name: Tool name the model wrote, or ``None`` when it could not be read.
        raw: The model's text for the call.
        feedback: Model-visible explanation of what is wrong.
        spec: The tool to repair under, or ``None`` when the call cannot be repaired (an
            unknown tool, or a fragment naming no tool).
        arguments: The arguments the model gave (for the ``invalid_tool_calls`` entry).
        call_id: Id of the original call, kept through the repair.
    """

    name: str | None
    raw: str
    feedback: str
    spec: ToolSpec | None
    arguments: Mapping[str, Any] | None = None
    call_id: str | None = None


@dataclass
class RepairRecord:
    """One repair attempt, as recorded in ``response_metadata["repairs"]``."""

    tool: str | None
    attempt: int
    feedback: str
    ok: bool
    output: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "attempt": self.attempt,
            "feedback": self.feedback,
            "ok": self.ok,
            "output": self.output[:500],
            **self.extra,
        }


def check_call(call: ToolCall, specs: Mapping[str, ToolSpec]) -> CallProblem | None:
    """Validate ``call`` against its tool; ``None`` when it is usable.

    Args:
        call: A parsed call.
        specs: The bound tools by name.
    """
    from ..schema import unknown_tool_feedback, validation_feedback

    spec = specs.get(call.name)
    if spec is None:
        return CallProblem(
            call.name,
            call.raw or json.dumps({"name": call.name, "arguments": call.arguments}, default=str),
            unknown_tool_feedback(call.name, list(specs)),
            None,
            call.arguments,
            call.id,
        )
    error = _validation_error(spec, call.arguments)
    if error is None:
        return None
    return CallProblem(
        call.name,
        call.raw or json.dumps(call.arguments, default=str),
        validation_feedback(call.name, error, spec.parameters),
        spec,
        call.arguments,
        call.id,
    )


def _validation_error(spec: ToolSpec, arguments: Mapping[str, Any]) -> Exception | None:
    """The pydantic error for ``arguments``, or ``None`` when they validate."""
    import pydantic

    from ..schema import model_from_json_schema

    try:
        model = model_from_json_schema(dict(spec.parameters), name=f"{_ident(spec.name)}Args")
    except Exception:  # a schema we cannot model: let the tool itself validate
        return None
    try:
        model.model_validate(dict(arguments))
    except pydantic.ValidationError as exc:
        return exc
    return None


def _ident(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in name)
    return cleaned[:1].upper() + cleaned[1:] if cleaned else "Tool"


def tool_for_fragment(raw: str, specs: Mapping[str, ToolSpec]) -> ToolSpec | None:
    """The tool an unparseable fragment was most likely meant for.

    The only tool bound, else the longest tool name that occurs in the fragment; ``None``
    when the fragment names no bound tool (then there is nothing to repair against).
    """
    if len(specs) == 1:
        return next(iter(specs.values()))
    found = [spec for name, spec in specs.items() if name and name in raw]
    return max(found, key=lambda s: len(s.name)) if found else None


def repair_prompt(problem: CallProblem, request: str | None = None) -> str:
    """The short prompt that asks for corrected arguments of one call.

    Args:
        problem: What is wrong (its ``spec`` must be set).
        request: The user's request, so the values can be taken from it again.
    """
    assert problem.spec is not None
    spec = problem.spec
    lines = [
        f"The call to the tool `{spec.name}` could not be used.",
        f"Problem: {problem.feedback}",
        f"The call was: {problem.raw[:600]}",
        "Tool:",
        render_signature(spec),
    ]
    if request:
        lines.append(f"Request: {' '.join(request.split())}")
    lines.append(f"Reply with only the corrected JSON object of arguments for `{spec.name}`.")
    return "\n".join(lines)


def decode_arguments(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """Read the arguments object a repair generation produced.

    Returns:
        ``(arguments, None)`` on success, else ``(None, reason)``.
    """
    stripped = (text or "").strip()
    start = stripped.find("{")
    if start < 0:
        return None, "the reply contains no JSON object"
    try:
        value, _ = json.JSONDecoder().raw_decode(stripped[start:])
    except json.JSONDecodeError as exc:
        return None, f"the reply is not valid JSON ({exc.msg})"
    if not isinstance(value, dict):
        return None, "the reply is not a JSON object"
    # Models sometimes wrap the arguments in a call object despite the schema.
    if set(value) <= {"name", "tool", "arguments", "parameters"} and isinstance(
        value.get("arguments", value.get("parameters")), dict
    ):
        value = value.get("arguments", value.get("parameters"))
    return value, None


def problems_for(
    calls: Sequence[ToolCall],
    errors: Sequence[tuple[str, str]],
    specs: Mapping[str, ToolSpec],
) -> tuple[list[ToolCall], list[CallProblem]]:
    """Split parse output into usable calls and problems to repair or report.

    Args:
        calls: Parsed calls.
        errors: ``(fragment, message)`` pairs from the parser.
        specs: The bound tools by name.
    """
    good: list[ToolCall] = []
    problems: list[CallProblem] = []
    for call in calls:
        problem = check_call(call, specs)
        if problem is None:
            good.append(call)
        else:
            problems.append(problem)
    for raw, message in errors:
        spec = tool_for_fragment(raw, specs)
        feedback = f"The tool call could not be parsed: {message}"
        problems.append(CallProblem(spec.name if spec else None, raw, feedback, spec))
    return good, problems
