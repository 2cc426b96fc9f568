"""What every memory store shares: record metadata, validation, filters and scoring.

``ChromaMemory`` and ``InMemoryMemory`` must behave identically (the agent's tests run on
the in-memory one, production on Chroma), so the rules live here once: which metadata keys
are reserved, how a record is stamped, how per-user/kind/TTL filters are written in Chroma's
``where`` language, and how that language is evaluated in plain Python for the in-memory
store.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

from ..exceptions import UserError
from ._types import MemoryKind

__all__ = [
    "RESERVED_KEYS",
    "RecordSettings",
    "build_metadata",
    "check_kinds",
    "combine_where",
    "cosine_score",
    "l2_normalise",
    "matches_where",
    "new_memory_id",
    "search_where",
    "validate_text",
]

#: Metadata keys the stores write themselves; callers cannot override them, because
#: per-user isolation and TTL depend on them being exactly what the store wrote.
RESERVED_KEYS = frozenset(
    {"user", "kind", "thread", "source", "time", "time_iso", "created", "seen"}
)

_KINDS: tuple[str, ...] = get_args(MemoryKind)
_SCALARS = (str, int, float, bool)


@dataclass(frozen=True)
class RecordSettings:
    """Behaviour shared by the stores.

    Attributes:
        dedupe_threshold: Similarity at or above which a write for the same user is treated
            as the same memory (timestamp refreshed, existing id returned). ``None`` or a
            value above 1 disables merging.
        ttl: Memories older than this (by their last write) are ignored by ``search`` and
            deleted by ``prune``; ``None`` keeps them forever.
        redactor: Applied to the text and to string metadata values *before* embedding and
            storage, so a secret never reaches the vector store or its index.
    """

    dedupe_threshold: float | None = 0.95
    ttl: timedelta | None = None
    redactor: Callable[[str], str] | None = None

    def cutoff(self, now: float | None = None) -> float | None:
        """Epoch seconds before which a memory counts as expired, or ``None``."""
        if self.ttl is None:
            return None
        return (time.time() if now is None else now) - self.ttl.total_seconds()

    def redact(self, text: str) -> str:
        return self.redactor(text) if self.redactor is not None else text


def new_memory_id() -> str:
    """A fresh, unguessable id; the prefix makes ids recognisable in logs and prompts."""
    return f"mem_{uuid.uuid4().hex}"


def validate_text(text: object) -> str:
    """Reject what cannot be a memory with a message that says what was wrong."""
    if not isinstance(text, str):
        raise UserError(f"memory text must be a string, got {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise UserError("memory text is empty", hint="pass the fact or episode to remember")
    return stripped


def check_kinds(kinds: Sequence[str] | None) -> list[str] | None:
    if kinds is None:
        return None
    if isinstance(kinds, str):
        kinds = [kinds]
    bad = [k for k in kinds if k not in _KINDS]
    if bad:
        raise UserError(f"unknown memory kind(s) {bad}", hint=f"use one of {list(_KINDS)}")
    return list(kinds)


def _check_user(user: object) -> str:
    if not isinstance(user, str) or not user:
        raise UserError("memory user must be a non-empty string", hint="pass user='<id>'")
    return user


def build_metadata(
    *,
    user: str,
    kind: str,
    thread: str | None,
    source: str | None,
    metadata: Mapping[str, Any] | None,
    settings: RecordSettings,
    now: float | None = None,
) -> dict[str, Any]:
    """Stamp a record: caller metadata (redacted) plus the reserved keys.

    Chroma only stores scalar values and no ``None``; we enforce the same rule for the
    in-memory store so code that works in tests works in production.
    """
    _check_user(user)
    check_kinds([kind])
    stamp = time.time() if now is None else now
    meta: dict[str, Any] = {}
    for key, value in (metadata or {}).items():
        if not isinstance(key, str) or not key:
            raise UserError(f"metadata keys must be non-empty strings, got {key!r}")
        if key in RESERVED_KEYS:
            raise UserError(
                f"metadata key {key!r} is reserved by the memory store",
                hint=f"pick another name; reserved: {sorted(RESERVED_KEYS)}",
            )
        if value is None:
            continue
        if not isinstance(value, _SCALARS):
            raise UserError(
                f"metadata value for {key!r} must be str, int, float or bool, "
                f"got {type(value).__name__}",
                hint="serialise structured values (e.g. json.dumps) before storing",
            )
        meta[key] = settings.redact(value) if isinstance(value, str) else value
    meta.update(
        user=user,
        kind=kind,
        time=stamp,
        time_iso=datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds"),
        created=stamp,
        seen=1,
    )
    if thread:
        meta["thread"] = str(thread)
    if source:
        meta["source"] = settings.redact(str(source))
    return meta


def search_where(user: str, kinds: Sequence[str] | None, cutoff: float | None) -> dict[str, Any]:
    """The Chroma ``where`` filter every read uses: always the user, then kind and TTL."""
    clauses: list[dict[str, Any]] = [{"user": _check_user(user)}]
    if kinds:
        clauses.append({"kind": {"$in": list(kinds)}})
    if cutoff is not None:
        clauses.append({"time": {"$gte": cutoff}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def combine_where(*filters: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """AND together the non-empty filters (Chroma rejects a bare multi-key dict)."""
    parts = [dict(f) for f in filters if f]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


def cosine_score(distance: float) -> float:
    """Chroma's cosine *distance* (0..2) as a similarity in [0, 1] (negatives clamp to 0)."""
    return min(1.0, max(0.0, 1.0 - float(distance)))


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": lambda a, b: a == b,
    "$ne": lambda a, b: a != b,
    "$gt": lambda a, b: a is not None and a > b,
    "$gte": lambda a, b: a is not None and a >= b,
    "$lt": lambda a, b: a is not None and a < b,
    "$lte": lambda a, b: a is not None and a <= b,
    "$in": lambda a, b: a in b,
    "$nin": lambda a, b: a not in b,
}


def matches_where(metadata: Mapping[str, Any], where: Mapping[str, Any] | None) -> bool:
    """Evaluate a Chroma ``where`` filter against one record's metadata.

    Supports the operators Chroma documents for metadata: ``$and``, ``$or``, ``$eq``,
    ``$ne``, ``$gt``, ``$gte``, ``$lt``, ``$lte``, ``$in``, ``$nin``. Unknown operators raise
    instead of silently matching, since a filter that matches too much is a data leak.
    """
    if not where:
        return True
    for key, cond in where.items():
        if key == "$and":
            if not all(matches_where(metadata, c) for c in cond):
                return False
        elif key == "$or":
            if not any(matches_where(metadata, c) for c in cond):
                return False
        elif key.startswith("$"):
            raise UserError(f"unsupported filter operator {key!r}")
        elif isinstance(cond, Mapping):
            value = metadata.get(key)
            for op, operand in cond.items():
                compare = _COMPARE.get(op)
                if compare is None:
                    raise UserError(f"unsupported filter operator {op!r} on {key!r}")
                try:
                    if not compare(value, operand):
                        return False
                except TypeError:
                    return False
        elif metadata.get(key) != cond:
            return False
    return True


def l2_normalise(vector: Sequence[float]) -> list[float]:
    """Unit length so that cosine similarity is a dot product (zero vectors stay zero)."""
    norm = math.sqrt(sum(v * v for v in vector))
    if norm == 0.0:
        return [float(v) for v in vector]
    return [float(v) / norm for v in vector]
