"""Embed an agent in an asyncio program: several conversations at once.

    python examples/embed_async.py [--scripted]

Each conversation is its own thread (thread_id), so their histories never mix; the
agent object, its compiled graph and its tools are shared.
"""

from __future__ import annotations

import asyncio
import os
import sys

from gemma_agents import Agent
from gemma_agents.tools import load_pack

QUESTIONS = {"alice": "What is 2 ** 10?", "bob": "What is 7 * 6?"}


def make_model() -> object:
    if "--scripted" in sys.argv:
        from gemma_agents.testing import ScriptedGemma

        def reply(messages: list) -> str:  # one scripted "model" serving both threads
            last = messages[-1].content
            if "tool_output" in last:
                return "The result is " + last.split("\n")[1] + "."
            expression = "2 ** 10" if "2 ** 10" in last else "7 * 6"
            return f'[calculator(expression="{expression}")]'

        return ScriptedGemma(reply)
    return os.environ.get("GEMMA_AGENTS_MODEL", "llamacpp:gemma3-270m")


async def ask(agent: Agent, user: str, question: str) -> str:
    result = await agent.ainvoke(question, thread_id=f"chat-{user}", user_id=user)
    return f"{user}: {question} -> {result.answer}"


async def main() -> None:
    agent = Agent(make_model(), tools=[load_pack("calculator").calculator])
    lines = await asyncio.gather(*(ask(agent, u, q) for u, q in QUESTIONS.items()))
    print("\n".join(lines))


if __name__ == "__main__":
    asyncio.run(main())
