"""Regenerate ``tests/data/bfcl/subset.jsonl`` (the small BFCL subset the unit tests use).

``python -m benchmarks.bfcl_roundtrip.vendor`` picks, per single-turn category, entries
whose schemas carry the real-world quirks (non-identifier or reserved property names,
Java/JS type names, ``optional`` flags...) plus an evenly spaced sample of the rest, and
writes them with their ground truth. Deterministic for a given ``bfcl-eval`` release.
"""

from __future__ import annotations

import json
import keyword
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .data import CATEGORIES, Entry, bfcl_data_dir, load_category

PER_CATEGORY = {
    "simple_python": 40,
    "simple_java": 30,
    "simple_javascript": 20,
    "multiple": 30,
    "parallel": 20,
    "parallel_multiple": 25,
    "live_simple": 40,
    "live_multiple": 45,
    "live_parallel": 16,
    "live_parallel_multiple": 24,
}
_QUIRK_TYPES = ('"tuple"', '"any"', '"long"', '"double"', '"char"', '"HashMap"', '"ArrayList"')
_QUIRK_MARKERS = (*_QUIRK_TYPES, '"optional"', '"Boolean"', '"type": ""')
OUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "bfcl" / "subset.jsonl"


def _quirky(entry: Entry) -> bool:
    for fn in entry.functions:
        for key in fn.get("parameters", {}).get("properties") or {}:
            if (
                not key.isidentifier()
                or keyword.iskeyword(key)
                or key.startswith("_")
                or key in dir(BaseModel)
            ):
                return True
    blob = json.dumps(entry.functions)
    return any(marker in blob for marker in _QUIRK_MARKERS)


def select(data: Path) -> list[dict[str, Any]]:
    """The subset rows (``id``, ``category``, ``function``, ``ground_truth``)."""
    rows = []
    for category in CATEGORIES:
        n = PER_CATEGORY[category]
        entries = load_category(category, data)
        quirky = [e for e in entries if _quirky(e)]
        rest = [e for e in entries if not _quirky(e)]
        step = max(1, len(rest) // max(1, n - min(len(quirky), n // 2)))
        for e in (quirky[: n // 2] + rest[::step])[:n]:
            rows.append(
                {
                    "id": e.id,
                    "category": category,
                    "function": e.functions,
                    "ground_truth": [{g.name: g.acceptable} for g in e.ground_truth],
                }
            )
    return rows


def main() -> None:
    rows = select(bfcl_data_dir())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} entries ({sum(len(r['function']) for r in rows)} functions) to {OUT}")


if __name__ == "__main__":
    main()
