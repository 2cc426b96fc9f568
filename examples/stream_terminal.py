"""Stream an agent's work to the terminal: text as it is generated, tools as they run.

    python examples/stream_terminal.py [--scripted]

Token events never contain tool-call markup. The final event carries the authoritative
answer (an output guardrail may still change the text after it was streamed; pass
hold_tokens=True to stream only the guarded answer).
"""

from __future__ import annotations

import os
import sys

from gemma_agents import Agent
from gemma_agents.graph import (
    ApprovalEvent,
    FinalEvent,
    GuardEvent,
    TokenEvent,
    ToolEndEvent,
    ToolStartEvent,
)
from gemma_agents.tools import load_pack


def make_model() -> object:
    if "--scripted" in sys.argv:
        from gemma_agents.testing import ScriptedGemma

        return ScriptedGemma(
            [
                'Let me work that out. [calculator(expression="sqrt(2) * 10")]',
                "The square root of 2 times 10 is about 14.142.",
            ],
            chunk_size=5,
        )
    return os.environ.get("GEMMA_AGENTS_MODEL", "llamacpp:gemma3-270m")


def main() -> None:
    agent = Agent(make_model(), tools=[load_pack("calculator").calculator])
    for event in agent.stream("What is the square root of 2, times 10?"):
        match event:
            case TokenEvent(text=text):
                print(text, end="", flush=True)
            case ToolStartEvent(name=name, arguments=args):
                print(f"\n[tool] {name}({args}) ...", flush=True)
            case ToolEndEvent(result=result, status=status, duration_s=seconds):
                print(f"[tool] {status} in {seconds * 1000:.1f} ms: {result}")
            case GuardEvent(stage=stage, action=action, reasons=reasons):
                print(f"\n[guard] {stage}: {action} {list(reasons)}")
            case ApprovalEvent(name=name):
                print(f"\n[approval needed] {name}")
            case FinalEvent(result=result):
                print(f"\n[done] status={result.status} steps={result.steps}")


if __name__ == "__main__":
    main()
