"""Write your own tool: a typed, documented function is all it takes.

    python examples/custom_tool.py [--scripted]

The type hints become the argument schema the model sees (and the validator for what it
sends back); the docstring's summary and Args section become the descriptions. Risk
metadata (side effects, approval, idempotency, timeout) tells the agent how careful to be.
"""

from __future__ import annotations

import os
import sys
from typing import Literal

from gemma_agents import Agent, tool

STOCK = {"apples": 12, "pears": 0, "plums": 7}


@tool(side_effects="read", timeout=5)
def check_stock(item: str, unit: Literal["pieces", "dozens"] = "pieces") -> str:
    """Look up how many of an item are in stock.

    Args:
        item: Product name, e.g. "apples".
        unit: Count in pieces or in dozens.
    """
    count = STOCK.get(item.lower())
    if count is None:
        return f"unknown item {item!r}; known items: {', '.join(STOCK)}"
    return f"{count / 12:g} dozens" if unit == "dozens" else f"{count} pieces"


def make_model() -> object:
    if "--scripted" in sys.argv:
        from gemma_agents.testing import ScriptedGemma

        return ScriptedGemma(['[check_stock(item="apples")]', "We have 12 apples in stock."])
    return os.environ.get("GEMMA_AGENTS_MODEL", "llamacpp:gemma3-270m")


def main() -> None:
    print("Schema the model sees:", check_stock.json_schema())
    agent = Agent(make_model(), tools=[check_stock])
    result = agent.invoke("How many apples do we have?")
    print("Tool calls:", [(c.name, c.args, c.result) for c in result.tool_calls])
    print("Answer:", result.answer)


if __name__ == "__main__":
    main()
