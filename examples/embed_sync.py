"""Embed an agent in a Python program (synchronous).

    python examples/embed_sync.py               # the model from GEMMA_AGENTS_MODEL
    python examples/embed_sync.py --scripted    # no model needed: scripted output

GEMMA_AGENTS_MODEL defaults to the embedded Gemma 3 270M ("llamacpp:gemma3-270m");
any model string works, e.g. "ollama:gemma3:4b".
"""

from __future__ import annotations

import os
import sys

from gemma_agents import Agent
from gemma_agents.tools import load_pack


def make_model() -> object:
    """The model string from the environment, or a scripted stand-in with --scripted."""
    if "--scripted" in sys.argv:
        from gemma_agents.testing import ScriptedGemma

        # Raw Gemma 3 output, parsed exactly like a real model's.
        return ScriptedGemma(['[calculator(expression="355/113")]', "355/113 = 3.14159292"])
    return os.environ.get("GEMMA_AGENTS_MODEL", "llamacpp:gemma3-270m")


def main() -> None:
    calculator = load_pack("calculator").calculator  # the first-party calculator tool
    agent = Agent(make_model(), tools=[calculator])

    result = agent.invoke("What is 355 divided by 113?", thread_id="demo", user_id="ada")

    print("Answer:", result.answer)
    for call in result.tool_calls:
        print(f"Tool: {call.name}({call.args}) -> {call.result} [{call.status}]")
    print("Steps:", result.steps, "| tokens:", result.usage.get("total_tokens", 0))


if __name__ == "__main__":
    main()
