"""A tiny in-process counter registry for guardrail decisions.

Operators want to know which guard fires how often, at which stage, with which outcome,
without wiring a metrics stack first. The pipeline bumps one counter per guard decision
(and one per combined decision under the guard name ``"pipeline"``); exporters (Prometheus,
logs, the CLI) read :func:`snapshot`. Counters are process-local and thread-safe.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["MetricsRegistry", "registry", "reset", "snapshot"]


@dataclass
class MetricsRegistry:
    """Counts ``(guard, stage, action)`` triples plus guard failures.

    Attributes:
        counts: Decisions per ``(guard, stage, action)``.
        errors: Guard failures (exceptions) per ``(guard, stage)``.
    """

    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, guard: str, stage: str, action: str) -> None:
        """Count one decision."""
        with self._lock:
            self.counts[(guard, stage, action)] += 1

    def record_error(self, guard: str, stage: str) -> None:
        """Count one guard failure (the guard raised instead of deciding)."""
        with self._lock:
            self.errors[(guard, stage)] += 1

    def snapshot(self) -> dict[str, dict[str, dict[str, int]]]:
        """Return ``{guard: {stage: {action: n, ..., "error": n}}}`` as plain dicts.

        A nested plain-dict copy so callers can serialise it (JSON, logs) and keep it
        while counting goes on.
        """
        out: dict[str, dict[str, dict[str, int]]] = {}
        with self._lock:
            for (guard, stage, action), n in self.counts.items():
                out.setdefault(guard, {}).setdefault(stage, {})[action] = n
            for (guard, stage), n in self.errors.items():
                out.setdefault(guard, {}).setdefault(stage, {})["error"] = n
        return out

    def total(
        self, *, guard: str | None = None, stage: str | None = None, action: str | None = None
    ) -> int:
        """Sum the counters matching the given filters (``None`` matches anything)."""
        with self._lock:
            return sum(
                n
                for (g, s, a), n in self.counts.items()
                if (guard is None or g == guard)
                and (stage is None or s == stage)
                and (action is None or a == action)
            )

    def reset(self) -> None:
        """Zero every counter (tests, or a periodic exporter that wants deltas)."""
        with self._lock:
            self.counts.clear()
            self.errors.clear()


#: The process-wide registry the pipeline updates by default.
registry = MetricsRegistry()


def snapshot() -> dict[str, dict[str, dict[str, int]]]:
    """Snapshot of the process-wide registry (see :meth:`MetricsRegistry.snapshot`)."""
    return registry.snapshot()


def reset() -> None:
    """Reset the process-wide registry."""
    registry.reset()
