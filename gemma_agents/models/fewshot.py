"""Few-shot examples for constrained mode, picked per request from a small built-in bank.

A base 270M model follows patterns, not instructions: it calls a tool when the transcript it
continues shows tools being called for similar requests, and it copies argument values
correctly when an example shows values being copied out of a request. Each example ("shot")
is a complete little task (its tools, the request, the JSON call, the tool result, the final
answer) in the same ``Request:`` / ``JSON:`` / ``Result:`` layout the live request uses.

Selection is nearest-neighbour by word overlap with the request and the bound tools (as in
retrieval-based few-shot prompting). Order matters for small models, which copy the most
recent example most: direct-answer shots go first, the best-matching tool shot goes last.
When a bound tool has the same shape as a bank tool (one string argument, e.g. a calculator)
and is about the same thing (shares several words with it), the shot is rewritten with the
bound tool's name and argument, so the model sees exactly the call it has to make. When the
request looks like it asks for several things (:func:`looks_multiple`), a multi-call example
(``{"tool_calls": [...]}``) goes right before it. The bank itself lives in :mod:`._bank`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..calls._types import ToolSpec
from ._bank import BANK, DIRECT, MULTI, Shot, Step
from .constrained import format_schema, render_signature

__all__ = [
    "BANK",
    "MULTI",
    "Shot",
    "Step",
    "build_prompt",
    "looks_multiple",
    "order_tools",
    "render_steps",
    "select_shots",
]

_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "be",
        "to",
        "of",
        "in",
        "on",
        "for",
        "and",
        "or",
        "with",
        "what",
        "how",
        "who",
        "me",
        "my",
        "you",
        "your",
        "it",
        "this",
        "that",
        "please",
        "can",
        "could",
        "would",
        "should",
        "do",
        "does",
        "at",
        "by",
        "from",
        "as",
        "get",
    ]
)
_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> set[str]:
    return {w[:6] for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1}


def _tool_text(tools: Sequence[ToolSpec]) -> str:
    parts = []
    for spec in tools:
        props = spec.parameters.get("properties") if isinstance(spec.parameters, Mapping) else {}
        parts.append(f"{spec.name.replace('_', ' ').replace('.', ' ')} {spec.description} ")
        parts.append(" ".join(str(p).replace("_", " ") for p in (props or {})))
    return " ".join(parts)


def _similarity(a: set[str], b: set[str]) -> float:
    return len(a & b) / (len(a | b) or 1)


def _single_param(spec: ToolSpec) -> tuple[str, str] | None:
    """``(name, json type)`` when ``spec`` takes one required argument, or one argument."""
    params = spec.parameters if isinstance(spec.parameters, Mapping) else {}
    props = params.get("properties") or {}
    required = [r for r in params.get("required") or [] if r in props]
    if len(required) == 1:
        name = required[0]
    elif len(props) == 1:
        name = next(iter(props))
    else:
        return None
    return name, str(format_schema(props[name]).get("type", ""))


def _kind(shot: Shot) -> set[str]:
    return _words(_tool_text(shot.tools) + " " + shot.keywords + " " + shot.request)


#: Words a bank example and a bound tool must share for the example to be rewritten onto
#: the tool: a weather example rewritten onto ``country_info.population`` only because
#: both take one string (and share "current") teaches the model to call unrelated tools.
#: A count, not a ratio, so that long tool descriptions do not hide a real match.
_ADAPT_MIN_SHARED = 3


def _adapt_target(shot: Shot, tools: Sequence[ToolSpec]) -> ToolSpec | None:
    """The bound tool most like ``shot``'s, when they are alike enough to rewrite onto."""
    kind = _kind(shot)
    scored = [(_similarity(kind, _words(_tool_text([t]))), t) for t in tools]
    _, best = max(scored, key=lambda x: x[0], default=(0.0, None))
    if best is None or len(kind & _words(_tool_text([best]))) < _ADAPT_MIN_SHARED:
        return None
    return best


def _adapt(shot: Shot, spec: ToolSpec) -> Shot:
    """Rewrite a one-argument shot onto ``spec`` when both take one argument of one type."""
    if shot.call is None or len(shot.tools) != 1:
        return shot
    bank_param = _single_param(shot.tools[0])
    param = _single_param(spec)
    if bank_param is None or param is None or param[1] != bank_param[1]:
        return shot
    key, new_key = bank_param[0], param[0]
    return replace(
        shot,
        tools=(spec,),
        call=(spec.name, {new_key: shot.call[1][key]}),
        more_calls=tuple((spec.name, {new_key: args[key]}) for _, args in shot.more_calls),
    )


_MULTI_CUE = re.compile(
    r"\b(respectively|each of|both|also|separately|as well as|repeat|another|"
    r"in turn|one by one)\b",
    re.IGNORECASE,
)
# ", X and Y" with a short X (at most three words): a list of things, not joined clauses.
_SHORT_LIST = re.compile(r",\s*(\S+)(?:\s+\S+){0,2}?\s*,?\s+and\s+\S", re.IGNORECASE)


def looks_multiple(request: str) -> bool:
    """Whether ``request`` plausibly asks for several independent calls.

    A cheap surface test, used to offer (and show) multi-call answers only where they
    may be wanted, so single requests keep the single-call pattern: a cue word
    ("respectively", "both", "also"...), or a short list (``", X and Y"``) of things that
    are not numbers (``"3, 4 and 5"`` is usually one call's arguments) in a request that
    is not a list of assignments (``"a=1, b=2"``).
    """
    if _MULTI_CUE.search(request):
        return True
    if "=" in request:
        return False
    return any(not m.group(1)[:1].isdigit() for m in _SHORT_LIST.finditer(request))


def select_shots(
    request: str,
    tools: Sequence[ToolSpec],
    *,
    max_tool_shots: int = 2,
    direct_shots: int = 2,
    multi: bool = False,
) -> list[Shot]:
    """Pick the examples for one request, in prompt order (the best match last).

    Every bound tool gets the bank example closest to its kind (rewritten onto the tool
    when the shapes match), the rest of the slots go to the examples closest overall. When
    neither the tools nor the chosen examples share a word with the request, a direct-answer
    example goes last, so that small models are not pushed into calling an unrelated tool.

    Args:
        request: The latest user request.
        tools: The bound tools.
        max_tool_shots: How many tool-calling examples to show.
        direct_shots: How many direct-answer examples to show (0 when a call is required).
        multi: Also show the multi-call example closest to the tools, right before the
            request (see :func:`looks_multiple`).
    """
    req = _words(request)
    bound = _words(_tool_text(tools))
    chosen: list[Shot] = []
    relevance = _similarity(req, bound)
    for spec in tools:
        if len(chosen) >= max_tool_shots:
            break
        spec_words = _words(_tool_text([spec]))
        best = max(BANK, key=lambda s: _similarity(_kind(s), spec_words))
        if _similarity(_kind(best), spec_words) > 0 and best not in chosen:
            chosen.append(best)
    rest = sorted(
        (s for s in BANK if s not in chosen),
        key=lambda s: _similarity(_kind(s), bound) * 2 + _similarity(_kind(s), req),
        reverse=True,
    )
    chosen.extend(rest[: max(0, max_tool_shots - len(chosen))])
    adapted = []
    for shot in chosen:
        target = _adapt_target(shot, tools)
        if target is not None:
            new = _adapt(shot, target)
            if new is not shot:
                relevance = max(relevance, _similarity(req, _kind(shot)))
            shot = new
        adapted.append(shot)
    adapted.sort(key=lambda s: _similarity(_kind(s), req))
    if multi:
        best_multi = max(
            MULTI, key=lambda s: _similarity(_kind(s), bound) * 2 + _similarity(_kind(s), req)
        )
        target = _adapt_target(best_multi, tools)
        if target is not None:
            best_multi = _adapt(best_multi, target)
        adapted.append(best_multi)

    direct = (
        sorted(DIRECT, key=lambda s: _similarity(_words(s.request), req))[-direct_shots:]
        if direct_shots > 0
        else []
    )
    if relevance == 0 and direct:
        # Unrelated request: show the bound tools rightly left unused, right before it.
        return [*adapted, *(replace(s, tools=tuple(tools)) if tools else s for s in direct)]
    return [*direct, *adapted]


def order_tools(request: str, tools: Sequence[ToolSpec]) -> list[ToolSpec]:
    """The tools sorted so the one sharing most words with the request is listed last.

    Small models lean towards what they read last; among several similar tools
    (``country_info.capital`` / ``.population``) this breaks the tie in favour of the
    one the request talks about. Ties keep the caller's order.
    """
    req = _words(request)
    return sorted(tools, key=lambda t: _similarity(req, _words(_tool_text([t]))))


def render_steps(steps: Sequence[Step]) -> str:
    """The transcript lines for ``steps`` (see :data:`Step`)."""
    lines = []
    for kind, value in steps:
        if kind == "request":
            lines.append(f"Request: {' '.join(str(value).split())}")
        elif kind == "instructions":
            lines.append(f"Instructions: {' '.join(str(value).split())}")
        elif kind == "call":
            name, args = value
            payload = {"tool": name, "arguments": args}
            lines.append("JSON: " + json.dumps(payload, ensure_ascii=False))
        elif kind == "calls":
            many = [{"tool": name, "arguments": args} for name, args in value]
            lines.append("JSON: " + json.dumps({"tool_calls": many}, ensure_ascii=False))
        elif kind == "result":
            lines.append(f"Result: {' '.join(str(value).split())}")
        elif kind == "answer":
            lines.append("JSON: " + json.dumps({"final_answer": value}, ensure_ascii=False))
    return "\n".join(lines)


def _render_task(tools: Sequence[ToolSpec], steps: Sequence[Step]) -> str:
    listed = "\n".join(render_signature(t) for t in tools) if tools else "(none)"
    return f"Tools:\n{listed}\n{render_steps(steps)}"


def build_prompt(
    tools: Sequence[ToolSpec],
    steps: Sequence[Step],
    shots: Sequence[Shot] = (),
) -> str:
    """The raw completion prompt, ending in ``JSON:``.

    Examples written for other tools come first, each under its own ``Tools:`` list;
    examples that only use bound tools (rewritten bank examples, direct answers) follow,
    in their order, under the one list of bound tools right before the live request, so
    the model sees its own tools used (or rightly not used) just before it decides.
    """
    # Instructions (system prompts) go first: placed right before the live request they
    # break the Request/JSON pattern the examples set up, and a base model then tends to
    # answer directly instead of calling a tool.
    head = [render_steps([step]) for step in steps if step[0] == "instructions"]
    steps = [step for step in steps if step[0] != "instructions"]
    own = {t.name for t in tools}
    foreign = [s for s in shots if not {t.name for t in s.tools} <= own]
    local = [s for s in shots if {t.name for t in s.tools} <= own]
    blocks = [*head, *(_render_task(shot.tools, shot.steps()) for shot in foreign)]
    listed = "\n".join(render_signature(t) for t in tools) if tools else "(none)"
    body = [render_steps(shot.steps()) for shot in local]
    body.append(render_steps(steps) + "\nJSON:")
    blocks.append(f"Tools:\n{listed}\n" + "\n\n".join(body))
    return "\n\n".join(blocks)
