"""Pick the best Gemma variant for a memory budget and a set of needed capabilities.

The rule is deliberately simple and explained in the result: among the models that have
every needed capability, take the one with the most effective parameters whose memory
estimate fits in the budget with headroom, at the best quantisation that still fits.
Bigger models beat higher precision (a 12B at Q4 answers better than a 4B at BF16).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ._models import QUANTS, ModelInfo, all_models

__all__ = [
    "CAPABILITIES",
    "HEADROOM",
    "Recommendation",
    "format_bytes",
    "parse_memory",
    "recommend",
]

#: Fraction of the budget a model may use; the rest is left to the OS and the app.
HEADROOM = 0.8
#: Capability words accepted in ``need``.
CAPABILITIES: frozenset[str] = frozenset(
    {"text", "tools", "native_tools", "vision", "image", "audio", "thinking", "embedding", "safety"}
)
_PURPOSE_FOR_NEED = {"embedding": "embedding", "safety": "safety"}

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1024,
    "kib": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "mib": 1024**2,
    "g": 1024**3,
    "gb": 1024**3,
    "gib": 1024**3,
    "t": 1024**4,
    "tb": 1024**4,
    "tib": 1024**4,
}
_MEMORY_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


def parse_memory(text: str) -> int:
    """Parse ``8GB``, ``8G``, ``512MB``, ``1.5 TiB`` or a byte count into bytes.

    ``GB`` is read as GiB (1024**3): memory is sold in binary units labelled "GB".

    Raises:
        ValueError: Unparseable text or a non-positive amount.
    """
    match = _MEMORY_RE.match(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise ValueError(f"cannot read {text!r} as an amount of memory; write e.g. 8GB or 512MB")
    value = float(match.group(1)) * _UNITS[unit]
    if value <= 0:
        raise ValueError(f"memory must be positive, got {text!r}")
    return int(value)


def format_bytes(n: int) -> str:
    """``8589934592`` -> ``8.0 GiB``."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


@dataclass
class Recommendation:
    """The pick and the reasoning behind it.

    Attributes:
        model: The chosen model, or ``None`` when nothing fits.
        quant: Chosen quantisation (``q4``, ``q8``, ``bf16``), or ``None``.
        estimate_bytes: Memory estimate of the pick.
        reasons: Human-readable lines: why this one, why not bigger ones, which models
            lack a needed capability.
    """

    model: ModelInfo | None
    quant: str | None
    estimate_bytes: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.model is not None


def _normalise_need(need: Iterable[str]) -> set[str]:
    words = {w.strip().lower().replace("-", "_") for w in need if w.strip()}
    unknown = words - CAPABILITIES
    if unknown:
        raise ValueError(
            f"unknown capability {', '.join(sorted(unknown))}; "
            f"use any of {', '.join(sorted(CAPABILITIES))}"
        )
    return {"vision" if w == "image" else w for w in words}


def recommend(
    memory_bytes: int,
    need: Iterable[str] = (),
    *,
    models: Iterable[ModelInfo] | None = None,
) -> Recommendation:
    """Recommend the largest Gemma that fits ``memory_bytes`` and can do ``need``.

    Args:
        memory_bytes: Memory available to the model (RAM or VRAM).
        need: Capability words (:data:`CAPABILITIES`). Without ``embedding``/``safety``
            only chat models are considered.
        models: Candidates; the whole catalog by default.

    Raises:
        ValueError: Unknown capability word or a non-positive budget.
    """
    if memory_bytes <= 0:
        raise ValueError("memory must be positive")
    wanted = _normalise_need(need)
    purposes = {_PURPOSE_FOR_NEED[w] for w in wanted if w in _PURPOSE_FOR_NEED} or {
        "chat",
        "function-calling",
    }
    budget = int(memory_bytes * HEADROOM)
    pool = [m for m in (models if models is not None else all_models()) if m.purpose in purposes]
    able = [m for m in pool if wanted <= m.capabilities()]
    lacking = [m for m in pool if m not in able]
    ranked = sorted(able, key=lambda m: (m.effective_params_b, m.params_b), reverse=True)

    reasons: list[str] = []
    too_big: list[str] = []
    for info in ranked:
        fitting = [q for q in QUANTS if info.memory_bytes(q) <= budget]
        if not fitting:
            too_big.append(f"{info.name} (needs ~{format_bytes(info.memory_bytes('q4'))} at Q4)")
            continue
        quant = fitting[0]
        estimate = info.memory_bytes(quant)
        reasons.append(
            f"{info.name} at {info.quant_label(quant)} needs ~{format_bytes(estimate)}, within "
            f"{int(HEADROOM * 100)}% of {format_bytes(memory_bytes)} ({format_bytes(budget)})"
        )
        if quant != "q4":
            reasons.append(f"{info.quant_label(quant)} fits, so it is preferred over Q4_K_M")
        if too_big:
            reasons.append("larger models do not fit: " + ", ".join(too_big))
        if wanted:
            reasons.append(f"it supports {', '.join(sorted(wanted))}")
        if lacking and wanted:
            reasons.append(_lacking_line(lacking, wanted))
        return Recommendation(info, quant, estimate, reasons)

    if not able:
        reasons.append(f"no Gemma model supports all of: {', '.join(sorted(wanted))}")
    else:
        smallest = min(able, key=lambda m: m.memory_bytes("q4"))
        reasons.append(
            f"nothing fits in {format_bytes(memory_bytes)} with {100 - int(HEADROOM * 100)}% "
            f"headroom; the smallest suitable model, {smallest.name}, needs "
            f"~{format_bytes(smallest.memory_bytes('q4'))} at Q4_K_M"
        )
    if lacking and wanted:
        reasons.append(_lacking_line(lacking, wanted))
    return Recommendation(None, None, 0, reasons)


def _lacking_line(lacking: list[ModelInfo], wanted: set[str]) -> str:
    parts = []
    for info in lacking:
        missing = sorted(wanted - info.capabilities())
        parts.append(f"{info.name} (no {', '.join(missing)})")
    return "excluded for missing capabilities: " + ", ".join(parts)
