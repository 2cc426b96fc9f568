"""Loop control: the step budget and the repeated-call detector.

Small models loop: they call the same tool with the same arguments again and again, or keep
making the same invalid call. LangGraph's answer is a ``GraphRecursionError``, which is
useless to an end user. Here the budget is counted in model calls (``steps``); the graph
routes to a ``finalize`` node when it is spent, and the recursion limit is only a safety net
set well above what the routing can reach.

The detector fingerprints every call (name + canonical JSON arguments) and every error
(tool + normalised message) and escalates on repeats:

1. first repeat: a reflection hint is attached to the tool result the model sees;
2. second repeat: the next model call is a constrained retry (hint + lower temperature);
3. third repeat: the run stops calling tools and produces a final answer.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CONSTRAINED_HINT",
    "FORCE_FINAL_HINT",
    "LEVEL_CONSTRAINED",
    "LEVEL_HINT",
    "LEVEL_STOP",
    "REFLECTION_HINT",
    "LoopObservation",
    "budget_line",
    "call_fingerprint",
    "error_fingerprint",
    "observe",
    "recursion_limit",
]

LEVEL_HINT = 1
LEVEL_CONSTRAINED = 2
LEVEL_STOP = 3

REFLECTION_HINT = (
    "Note: you already called {name} with exactly these arguments earlier in this "
    "conversation. Calling it again will not give you anything new. Use the result you "
    "already have, try different arguments or a different tool, or give your final answer."
)
REPEATED_ERROR_HINT = (
    "Note: this is the same error as before. Read the error message carefully and change "
    "the call, or answer without the tool."
)
CONSTRAINED_HINT = (
    "You are repeating the same tool calls without progress. Do not repeat a call you "
    "already made. Either make one different call that gets new information, or answer "
    "the user now with what you have."
)
FORCE_FINAL_HINT = (
    "Stop calling tools. Write the final answer for the user now, using only the tool "
    "results above. If something could not be done, say so briefly."
)

# Model-visible text varies in ids and addresses between otherwise identical errors.
_VOLATILE = re.compile(r"call_[0-9a-f]{6,}|0x[0-9a-f]+|\d+\.\d+s")


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).hexdigest()


def call_fingerprint(name: str, arguments: Mapping[str, Any] | str | None) -> str:
    """Identity of a call: same tool, same arguments (key order ignored)."""
    if isinstance(arguments, str):
        canonical = arguments.strip()
    else:
        canonical = json.dumps(arguments or {}, sort_keys=True, separators=(",", ":"), default=str)
    return "c:" + _digest(name, canonical)


def error_fingerprint(name: str, error: str) -> str:
    """Identity of an error: same tool, same message once ids and timings are removed."""
    normalised = " ".join(_VOLATILE.sub("#", error).split())
    return "e:" + _digest(name, normalised)


@dataclass
class LoopObservation:
    """What the detector concluded about one step.

    Attributes:
        fingerprints: Updated counts (store them back in the state).
        level: Escalation for the next model call (0 when nothing repeated).
        repeats: For each call id seen this step, how many times its fingerprint was seen
            before (0: new).
    """

    fingerprints: dict[str, int]
    level: int = 0
    repeats: dict[str, int] = field(default_factory=dict)


def observe(
    fingerprints: Mapping[str, int],
    calls: Iterable[tuple[str, str, Mapping[str, Any] | str | None]],
    errors: Iterable[tuple[str, str]] = (),
    *,
    previous_level: int = 0,
) -> LoopObservation:
    """Count this step's calls and errors and decide the escalation.

    Args:
        fingerprints: Counts so far (not modified).
        calls: ``(call_id, name, arguments)`` for every call the model made this step.
        errors: ``(name, error_text)`` for every error result of this step.
        previous_level: The level reached earlier in the turn; a repeat never lowers it,
            so a model that alternates between two loops still gets stopped.

    Returns:
        The new counts, the level and the per-call repeat counts.
    """
    counts = dict(fingerprints)
    level = 0
    repeats: dict[str, int] = {}
    for call_id, name, arguments in calls:
        fp = call_fingerprint(name, arguments)
        seen = counts.get(fp, 0)
        counts[fp] = seen + 1
        repeats[call_id] = seen
        level = max(level, seen)
    for name, error in errors:
        fp = error_fingerprint(name, error)
        seen = counts.get(fp, 0)
        counts[fp] = seen + 1
        level = max(level, seen)
    if level:
        level = max(level, previous_level + 1 if previous_level else level)
    return LoopObservation(fingerprints=counts, level=min(level, LEVEL_STOP), repeats=repeats)


def budget_line(steps_done: int, max_steps: int) -> str:
    """The short line that tells the model how much budget is left."""
    left = max(0, max_steps - steps_done)
    if left <= 1:
        return (
            f"Step budget: this is your last step ({steps_done + 1} of {max_steps}). "
            "Answer the user now; do not call tools."
        )
    return (
        f"Step budget: step {steps_done + 1} of {max_steps}; you can make at most {left - 1} "
        "more rounds of tool calls before you must answer."
    )


def recursion_limit(max_steps: int) -> int:
    """LangGraph's super-step limit for a turn: never the thing that ends a run.

    A tool round is at most four super-steps (model, call guard, approval, execute) and a
    turn adds at most five more (input guard, recall, finalize, output guard, memory write);
    doubling that leaves room for approvals resumed inside the same turn.
    """
    return 2 * (4 * (max_steps + 1) + 5) + 10
