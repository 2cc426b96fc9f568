"""BFCL questions through ChatGemma on the embedded Gemma 3 270M, scored with BFCL's AST rules.

    python -m benchmarks.bfcl_live --limit 20

Two arms run on the same questions, in the same process, on the same runtime:

* ``naive``: the anchor: prompted Gemma 3 python-list calls as in Google's function-calling
  guide (tools rendered into the prompt, output parsed), no constraints, no examples, no
  repair;
* ``ours``: ChatGemma's automatic strategy for the model: for the base 270M that is
  JSON-schema constrained decoding of the union of tool calls and a final answer, with
  few-shot examples picked per request and constrained argument repair.

Categories: ``simple_python``, ``multiple``, ``parallel`` (ground truth matched in any
order) and ``irrelevance`` (correct when no function is called). Data: the ``bfcl-eval``
wheel, downloaded once with ``pip download --no-deps`` into ``cache_dir()/bench`` (loader
shared with ``benchmarks.bfcl_roundtrip``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from benchmarks.bfcl_live.checker import Verdict, check_calls, check_irrelevance
from benchmarks.bfcl_roundtrip.data import Entry, bfcl_data_dir, load_category

CATEGORIES = ("simple_python", "multiple", "parallel", "irrelevance")
ARMS = ("naive", "ours")


@dataclass
class Result:
    arm: str
    category: str
    id: str
    ok: bool
    reason: str
    calls: list[Any]
    seconds: float
    output_tokens: int
    error: str | None = None


def _messages(entry: Entry) -> list[BaseMessage]:
    turn = entry.question[0] if entry.question else []
    out: list[BaseMessage] = []
    for msg in turn:
        role, content = msg.get("role"), str(msg.get("content", ""))
        out.append(SystemMessage(content) if role == "system" else HumanMessage(content))
    return out


def _model(arm: str, runtime: Any, max_tokens: int) -> Any:
    from gemma_agents.models import ChatGemma

    if arm == "naive":
        return ChatGemma(
            runtime,
            mode="prompted",
            dialect="gemma3",
            few_shot=False,
            repair_attempts=0,
            max_tokens=max_tokens,
        )
    return ChatGemma(runtime, max_tokens=max_tokens)


def _judge(entry: Entry, calls: list[tuple[str, dict[str, Any]]]) -> Verdict:
    if entry.category == "irrelevance":
        return check_irrelevance(calls)
    expected = [(gt.name, gt.acceptable) for gt in entry.ground_truth]
    return check_calls(calls, expected, entry.functions)


def run_one(arm: str, llm: Any, entry: Entry) -> Result:
    started = time.perf_counter()
    error = None
    calls: list[tuple[str, dict[str, Any]]] = []
    tokens = 0
    try:
        msg = llm.bind_tools(entry.functions).invoke(_messages(entry))
        calls = [(c["name"], dict(c["args"])) for c in msg.tool_calls]
        tokens = (msg.usage_metadata or {}).get("output_tokens", 0)
    except Exception as exc:  # a benchmark reports failures, it does not stop on them
        error = f"{type(exc).__name__}: {exc}"[:300]
    verdict = _judge(entry, calls) if error is None else Verdict(False, "error")
    return Result(
        arm,
        entry.category,
        entry.id,
        verdict.ok,
        verdict.reason,
        [list(c) for c in calls],
        time.perf_counter() - started,
        tokens,
        error,
    )


def _table(results: Sequence[Result], categories: Sequence[str], arms: Sequence[str]) -> str:
    head = f"{'category':<16}{'n':>4}" + "".join(
        f"{arm + ' acc':>12}{arm + ' s/q':>11}" for arm in arms
    )
    lines = [head, "-" * len(head)]
    for category in [*categories, "overall"]:
        rows = [r for r in results if category in ("overall", r.category)]
        n = len({r.id for r in rows})
        cells = ""
        for arm in arms:
            mine = [r for r in rows if r.arm == arm]
            acc = 100.0 * sum(r.ok for r in mine) / len(mine) if mine else 0.0
            sec = sum(r.seconds for r in mine) / len(mine) if mine else 0.0
            cells += f"{acc:>11.1f}%{sec:>11.1f}"
        lines.append(f"{category:<16}{n:>4}{cells}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bfcl_live", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--limit", type=int, default=20, help="questions per category")
    parser.add_argument("--categories", default=",".join(CATEGORIES))
    parser.add_argument("--arms", default=",".join(ARMS))
    parser.add_argument("--model", default="llamacpp:gemma3-270m")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--json", dest="json_path", help="write per-question results here")
    parser.add_argument("--verbose", action="store_true", help="print every question's verdict")
    args = parser.parse_args(argv)

    from gemma_agents.runtime import get_runtime

    categories = [c for c in args.categories.split(",") if c]
    arms = [a for a in args.arms.split(",") if a]
    data = bfcl_data_dir()
    runtime = get_runtime(args.model)
    models = {arm: _model(arm, runtime, args.max_tokens) for arm in arms}
    results: list[Result] = []
    started = time.perf_counter()
    for category in categories:
        entries = load_category(category, data)[: args.limit]
        for entry in entries:
            for arm in arms:
                result = run_one(arm, models[arm], entry)
                results.append(result)
                if args.verbose:
                    mark = "ok " if result.ok else "BAD"
                    print(
                        f"{arm:<6}{entry.id:<22}{mark} {result.reason} {result.calls} {result.error or ''}"[
                            :240
                        ],
                        flush=True,
                    )
    total = time.perf_counter() - started
    print(
        f"BFCL live on {args.model} ({args.limit}/category, greedy; naive = prompted gemma3 "
        "python-list calls, ours = ChatGemma auto strategy)"
    )
    print(_table(results, categories, arms))
    print(f"total {total:.0f}s")
    if args.json_path:
        with open(args.json_path, "w", encoding="utf-8") as fh:
            json.dump([asdict(r) for r in results], fh, indent=1)
    runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
