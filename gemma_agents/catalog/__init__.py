"""The Gemma model catalog: sizes, context windows, modalities, call dialects, memory.

Data lives in ``models.json``; this package only reads it. ``family_of`` is what the chat
model uses to pick a call dialect, ``recommend`` is what ``gemma-agents models
recommend`` prints.
"""

from __future__ import annotations

from ._models import BITS_PER_WEIGHT, QUANTS, ModelInfo, all_models, family_of, lookup
from ._recommend import (
    CAPABILITIES,
    HEADROOM,
    Recommendation,
    format_bytes,
    parse_memory,
    recommend,
)

__all__ = [
    "BITS_PER_WEIGHT",
    "CAPABILITIES",
    "HEADROOM",
    "QUANTS",
    "ModelInfo",
    "Recommendation",
    "all_models",
    "family_of",
    "format_bytes",
    "lookup",
    "parse_memory",
    "recommend",
]
