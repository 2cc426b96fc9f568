"""``gemma-agents run PROMPT``: one agent turn with the built-in tools, shown as it happens.

The conversation is checkpointed in SQLite under the data dir, so ``--thread`` continues an
earlier conversation and a run paused for approval can be answered in the terminal.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from ..graph import Agent
    from ..graph.result import AgentResult

__all__ = ["register"]

#: Packs offered by default: small models pick tools far better from a short list.
DEFAULT_PACKS = ("calculator", "clock")


def register(app: typer.Typer) -> None:
    app.command("run")(run)


def run(
    prompt: str = typer.Argument(..., help="What to ask the agent."),
    model: str = typer.Option(
        None, "--model", "-m", help="Model string (default: GEMMA_AGENTS_MODEL or auto)."
    ),
    stream: bool = typer.Option(False, "--stream", help="Print the answer as it is generated."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    thread: str = typer.Option(None, "--thread", "-t", help="Continue this conversation."),
    user: str = typer.Option("default", "--user", help="User id (memory, rate limits)."),
    tools: str = typer.Option(
        ",".join(DEFAULT_PACKS),
        "--tools",
        help="Comma-separated tool packs, or 'all' (packs that need settings stay off).",
    ),
    max_steps: int = typer.Option(6, "--max-steps", help="Model calls before a forced answer."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Approve every tool call that asks."),
    no_guardrails: bool = typer.Option(False, "--no-guardrails", help="Run without guards."),
    memory: bool = typer.Option(False, "--memory", help="Recall and store long-term memory."),
) -> None:
    """Ask an agent with the built-in tools; shows each tool call and the answer."""
    from ..config import default_model
    from ..exceptions import GemmaAgentsError

    console = Console(stderr=as_json)
    try:
        agent = _build_agent(model or default_model(), tools, max_steps, no_guardrails, memory)
    except GemmaAgentsError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    try:
        with agent:
            result = _drive(agent, prompt, thread, user, stream, yes, console, quiet=as_json)
    except GemmaAgentsError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(_result_json(result), indent=2, default=str))
    elif not stream:
        console.print(
            f"[bold]{result.answer}[/bold]" if result.answer else "[dim](no answer)[/dim]"
        )
    if result.status == "blocked":
        raise typer.Exit(3)


def _build_agent(
    model: str, tools: str, max_steps: int, no_guardrails: bool, memory: bool
) -> Agent:
    from ..graph import Agent
    from ..tools import BUILTIN_PACKS, default_registry

    packs = list(BUILTIN_PACKS) if tools.strip() == "all" else [p.strip() for p in tools.split(",")]
    store = None
    if memory:
        from ..memory import ChromaMemory

        store = ChromaMemory()
    registry = default_registry({"packs": [p for p in packs if p]}, memory=store)
    return Agent(
        model=model,
        tools=registry,
        memory=store,
        guardrails=False if no_guardrails else None,
        checkpointer="sqlite",
        max_steps=max_steps,
    )


def _drive(
    agent: Agent,
    prompt: str,
    thread: str | None,
    user: str,
    stream: bool,
    yes: bool,
    console: Console,
    *,
    quiet: bool,
) -> AgentResult:
    from ..graph import events as ev

    resume: Any = None
    message: str | None = prompt
    while True:
        final: AgentResult | None = None
        for event in agent.stream(message, thread_id=thread, user_id=user, resume=resume):
            if isinstance(event, ev.FinalEvent):
                final = event.result
            elif quiet:
                continue
            elif isinstance(event, ev.TokenEvent) and stream:
                console.print(event.text, end="", soft_wrap=True, highlight=False, markup=False)
            elif isinstance(event, ev.ToolStartEvent):
                args = json.dumps(event.arguments, ensure_ascii=False)
                console.print(
                    f"[cyan]→ {escape(event.name)}[/cyan]({escape(args)})", highlight=False
                )
            elif isinstance(event, ev.ToolEndEvent):
                colour = "green" if event.status == "ok" else "red"
                console.print(
                    f"[{colour}]← {escape(event.name)} ({event.status}, "
                    f"{event.duration_s * 1000:.0f} ms):[/{colour}] {escape(_short(event.result))}",
                    highlight=False,
                )
            elif isinstance(event, ev.GuardEvent) and event.action != "allow":
                console.print(
                    f"[yellow]guard {escape(event.guard)} ({event.stage}): {event.action}[/yellow] "
                    + escape("; ".join(event.reasons)),
                    highlight=False,
                )
        assert final is not None
        if stream and not quiet:
            console.print()
        thread = final.thread_id
        if final.interrupt is None:
            return final
        resume = _ask_approval(final, yes, console)
        message = None


def _ask_approval(result: AgentResult, yes: bool, console: Console) -> dict[str, Any]:
    pending = result.interrupt
    assert pending is not None
    args = json.dumps(pending.arguments, ensure_ascii=False)
    console.print(
        f"[magenta]approval needed:[/magenta] {escape(pending.name)}({escape(args)})",
        highlight=False,
    )
    for reason in pending.reasons:
        console.print(f"  - {escape(reason)}", highlight=False)
    if yes:
        return {"action": "approve"}
    if not sys.stdin.isatty():
        console.print("[yellow]not a terminal: rejected (use --yes to approve)[/yellow]")
        return {"action": "reject", "reason": "no interactive approval available"}
    if typer.confirm("Run it?", default=False):
        return {"action": "approve"}
    return {"action": "reject", "reason": "rejected by the user at the terminal"}


def _short(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _result_json(result: AgentResult) -> dict[str, Any]:
    return {
        "answer": result.answer,
        "status": result.status,
        "thread_id": result.thread_id,
        "steps": result.steps,
        "usage": result.usage,
        "tool_calls": [asdict(c) for c in result.tool_calls],
        "decisions": result.decisions,
        "interrupt": asdict(result.interrupt) if result.interrupt else None,
    }
