"""Subprocess for the crash-recovery test: starts a turn whose tool never returns.

Usage: python crash_worker.py CHECKPOINT_DB SIDE_EFFECT_FILE THREAD_ID IDEMPOTENT(0|1)

The tool appends one line to SIDE_EFFECT_FILE (the side effect), flushes it to disk, then
sleeps: the test kills this process with SIGKILL as soon as the line appears, i.e. in the
middle of the tool call, after the side effect and before any result was recorded.
"""

from __future__ import annotations

import os
import sys
import time

from gemma_agents.graph import Agent
from gemma_agents.testing import ScriptedGemma
from gemma_agents.tools import tool


def main() -> None:
    db, side_file, thread_id, idempotent = sys.argv[1:5]

    @tool(side_effects="write", idempotent=idempotent == "1", timeout=None)
    def append_line(text: str) -> str:
        """Append a line to the ledger.

        Args:
            text: The line.
        """
        with open(side_file, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        time.sleep(120)  # killed here
        return "appended"

    model = ScriptedGemma(['[append_line(text="paid invoice 42")]'])
    agent = Agent(model, tools=[append_line], checkpointer=db, guardrails=False)
    agent.invoke("Record that invoice 42 is paid.", thread_id=thread_id)


if __name__ == "__main__":
    main()
