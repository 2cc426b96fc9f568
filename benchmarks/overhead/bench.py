"""What the agent machinery costs per tool round trip, against ``create_react_agent``.

The conversation is the same on every side: the model calls one tool (``add``), gets the
result, answers. Two model variants, each used on BOTH sides so the model's own cost
cancels out of the comparison:

- ``scripted``: :class:`~gemma_agents.testing.ScriptedGemma` (real Gemma prompt rendering
  and call parsing on scripted text): what a real agent pays besides inference;
- ``zero-cost``: a chat model returning ready-made messages: pure framework overhead.

Sides: ``create_react_agent`` (anchor; InMemorySaver), our ``Agent`` with guardrails off,
and our ``Agent`` with the default guardrails plus in-memory recall (InMemoryMemory over
the hashing embedder). Every conversation uses a new thread on an in-memory checkpointer.
Also reported: ``import gemma_agents`` time (fresh interpreters) and steady-state memory
per idle thread (tracemalloc, after N checkpointed conversations).
"""

from __future__ import annotations

import gc
import statistics
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

__all__ = ["main", "run"]

CALL_TEXT = "[add(a=2, b=3)]"
ANSWER_TEXT = "2 + 3 = 5."


def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: First addend.
        b: Second addend.
    """
    return a + b


class ZeroCostModel(BaseChatModel):
    """Returns the tool call, then the answer, alternately; binding tools is a no-op."""

    turn: int = 0

    @property
    def _llm_type(self) -> str:
        return "zero-cost"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        return self

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        self.turn += 1
        if self.turn % 2:
            message = AIMessage(
                content="",
                tool_calls=[{"name": "add", "args": {"a": 2, "b": 3}, "id": uuid.uuid4().hex}],
            )
        else:
            message = AIMessage(content=ANSWER_TEXT)
        return ChatResult(generations=[ChatGeneration(message=message)])


def _model(kind: str) -> BaseChatModel:
    if kind == "zero-cost":
        return ZeroCostModel()
    from gemma_agents.testing import ScriptedGemma

    return ScriptedGemma([CALL_TEXT, ANSWER_TEXT], cycle=True)


def _react(kind: str, durability: str | None = None) -> Callable[[], Any]:
    from langchain_core.tools import StructuredTool
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.prebuilt import create_react_agent

    graph = create_react_agent(
        _model(kind), [StructuredTool.from_function(add)], checkpointer=InMemorySaver()
    )
    extra = {"durability": durability} if durability else {}

    def once() -> Any:
        config = {"configurable": {"thread_id": uuid.uuid4().hex}}
        out = graph.invoke({"messages": [("user", "What is 2 + 3?")]}, config, **extra)
        assert out["messages"][-1].content == ANSWER_TEXT, out["messages"][-1]
        return graph

    return once


def _ours(kind: str, *, guarded: bool) -> Callable[[], Any]:
    from gemma_agents.graph import Agent
    from gemma_agents.memory import HashingEmbedder, InMemoryMemory
    from gemma_agents.tools import tool

    memory = None
    if guarded:
        memory = InMemoryMemory(HashingEmbedder())
        for fact in ("The user likes short answers.", "The user's name is Ada."):
            memory.add(fact, user="default")
    agent = Agent(
        _model(kind),
        tools=[tool(add)],
        guardrails=None if guarded else False,
        memory=memory,
    )

    def once() -> Any:
        result = agent.invoke("What is 2 + 3?")
        assert result.answer == ANSWER_TEXT and result.tool_calls[0].result == "5", result
        return agent

    return once


@dataclass
class Timing:
    side: str
    model: str
    cpu_ms: float
    wall_p50_ms: float
    wall_p95_ms: float


def _time(once: Callable[[], Any], n: int) -> tuple[float, list[float]]:
    """CPU seconds for ``n`` runs (all threads of the process) and the wall time of each.

    CPU time is the headline figure: on a shared machine wall time mostly measures the
    neighbours, while CPU time is the work our process did.
    """
    walls = []
    cpu = time.process_time()
    for _ in range(n):
        start = time.perf_counter()
        once()
        walls.append((time.perf_counter() - start) * 1000)
    return time.process_time() - cpu, walls


SIDES: dict[str, Callable[[str], Callable[[], Any]]] = {
    "create_react_agent": _react,
    "create_react_agent (durability=exit)": lambda kind: _react(kind, "exit"),
    "Agent (guards off)": lambda kind: _ours(kind, guarded=False),
    "Agent (default guards + recall)": lambda kind: _ours(kind, guarded=True),
}


def timings(n: int, warmup: int, models: Sequence[str]) -> list[Timing]:
    out = []
    rounds = 5
    for kind in models:
        runners = {side: make(kind) for side, make in SIDES.items()}
        for once in runners.values():
            for _ in range(warmup):
                once()
        cpu: dict[str, float] = dict.fromkeys(runners, 0.0)
        walls: dict[str, list[float]] = {side: [] for side in runners}
        # Interleave sides in rounds so drift on a shared machine hits all of them.
        per_round = max(1, n // rounds)
        for _ in range(rounds):
            for side, once in runners.items():
                seconds, samples = _time(once, per_round)
                cpu[side] += seconds
                walls[side] += samples
        for side in runners:
            ordered = sorted(walls[side])
            out.append(
                Timing(
                    side,
                    kind,
                    cpu[side] * 1000 / len(ordered),
                    statistics.median(ordered),
                    ordered[int(0.95 * (len(ordered) - 1))],
                )
            )
    return out


def import_time(repeats: int = 5) -> float:
    """Median seconds for ``import gemma_agents`` in a fresh interpreter."""
    code = (
        "import time; t = time.perf_counter(); import gemma_agents; print(time.perf_counter() - t)"
    )
    values = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        values.append(float(out.stdout.strip()))
    return statistics.median(values)


def memory_per_thread(side: str, threads: int) -> float:
    """Bytes retained per finished conversation (checkpoints of an idle thread)."""
    once = SIDES[side]("zero-cost")
    once()  # build everything lazily created before measuring
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    keep = None
    for _ in range(threads):
        keep = once()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del keep
    return (after - before) / threads


def run(
    n: int = 200,
    warmup: int = 10,
    threads: int = 200,
    models: Sequence[str] = ("zero-cost", "scripted"),
) -> str:
    """Run everything and return the report table as text."""
    lines = []
    rows = timings(n, warmup, models)
    lines.append(f"Per conversation (1 tool round trip + answer), n={n}, in-memory checkpoints")
    header = (
        f"{'model':<10} {'side':<37} {'CPU ms':>7} {'vs react':>9} {'wall p50':>9} {'wall p95':>9}"
    )
    lines.append(header)
    for kind in models:
        anchor = next(r for r in rows if r.model == kind and r.side == "create_react_agent")
        for r in (r for r in rows if r.model == kind):
            lines.append(
                f"{r.model:<10} {r.side:<37} {r.cpu_ms:>7.2f} {r.cpu_ms / anchor.cpu_ms:>8.2f}x "
                f"{r.wall_p50_ms:>9.2f} {r.wall_p95_ms:>9.2f}"
            )
    lines.append("")
    lines.append(
        f"import gemma_agents (fresh interpreter, median of 5): {import_time() * 1000:.0f} ms"
    )
    lines.append(f"Memory per idle thread after {threads} conversations (tracemalloc):")
    for side in SIDES:
        lines.append(f"  {side:<37} {memory_per_thread(side, threads) / 1024:>8.1f} KiB")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.overhead", description=__doc__.split("\n")[0]
    )
    parser.add_argument("-n", type=int, default=200, help="conversations per side and model")
    parser.add_argument("--threads", type=int, default=200, help="threads for the memory figure")
    parser.add_argument("--models", default="zero-cost,scripted")
    args = parser.parse_args(argv)
    print(run(args.n, threads=args.threads, models=args.models.split(",")))
