"""Human approval from code: pause on a risky call, then approve, edit or reject it.

    python examples/approval_flow.py [--scripted] [--decision approve|edit|reject]

Tools marked requires_approval=True (or that a guardrail flags) pause the run. The pause
is checkpointed, so the decision can come much later, from another process (use a SQLite
or Postgres checkpointer for that), e.g. after a click in a chat app.
"""

from __future__ import annotations

import argparse
import os
import sys

from gemma_agents import Agent, tool
from gemma_agents.graph import approve, edit, reject

OUTBOX: list[str] = []


@tool(side_effects="external", requires_approval=True, idempotent=False)
def send_email(to: str, subject: str) -> str:
    """Send an email.

    Args:
        to: Recipient address.
        subject: Subject line.
    """
    OUTBOX.append(f"{to}: {subject}")
    return f"sent to {to}"


def make_model() -> object:
    if "--scripted" in sys.argv:
        from gemma_agents.testing import ScriptedGemma

        return ScriptedGemma(
            [
                '[send_email(to="boss@example.com", subject="Quarterly report")]',
                "Done: the email was handled as you decided.",
            ]
        )
    return os.environ.get("GEMMA_AGENTS_MODEL", "llamacpp:gemma3-270m")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scripted", action="store_true")
    parser.add_argument("--decision", choices=["approve", "edit", "reject"], default="approve")
    args = parser.parse_args()

    agent = Agent(make_model(), tools=[send_email], checkpointer="memory")
    result = agent.invoke("Email my boss the quarterly report.", thread_id="mail-1")
    pending = result.interrupt
    if pending is None:
        print("No approval was needed:", result.answer)
        return
    print(f"Paused: {pending.name}({pending.arguments}); reasons: {list(pending.reasons)}")

    decision = {
        "approve": approve(),
        "edit": edit({**pending.arguments, "to": "team@example.com"}),
        "reject": reject("not today"),
    }[args.decision]
    result = agent.resume("mail-1", decision)
    print("Decision:", args.decision)
    print("Outbox:", OUTBOX)
    print("Answer:", result.answer)


if __name__ == "__main__":
    main()
