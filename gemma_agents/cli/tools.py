"""``gemma-agents tools``: what tools an agent would get, where they came from, how risky.

``tools list`` shows every tool of the default registry (first-party packs, installed
entry points, plugin folders) with its risk metadata and the plugin load errors;
``--json`` prints the same, with full schemas, for scripts. ``tools show NAME`` prints one
tool's schema.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Attach the ``tools`` command group to the main app."""
    group = typer.Typer(help="Inspect the tools agents can call.", no_args_is_help=True)

    @group.command("list")
    def list_tools(
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output with schemas."),
        tool_dir: list[Path] = typer.Option(
            [], "--tool-dir", help="Extra plugin folder (repeatable)."
        ),
        files_root: Path | None = typer.Option(
            None, "--files-root", help="Enable the files pack confined to this folder."
        ),
        shell_allow: list[str] = typer.Option(
            [], "--shell-allow", help="Enable shell.run for this executable (repeatable)."
        ),
        entry_points: bool = typer.Option(
            True, "--entry-points/--no-entry-points", help="Load installed plugins."
        ),
    ) -> None:
        """List every tool with its source, schema summary and risk metadata."""
        registry = _registry(tool_dir, files_root, shell_allow, entry_points)
        report = registry.report
        if as_json:
            payload = {
                "tools": [_tool_record(t) for t in registry],
                "errors": [
                    {"origin": e.origin, "error": e.error, "kind": e.kind}
                    for e in (report.errors if report else [])
                ],
            }
            typer.echo(json.dumps(payload, indent=2, default=str))
            raise typer.Exit(0)
        _print_table(registry)

    @group.command("show")
    def show_tool(
        name: str = typer.Argument(..., help="Tool name, e.g. calculator or files.read."),
        tool_dir: list[Path] = typer.Option([], "--tool-dir", help="Extra plugin folder."),
        files_root: Path | None = typer.Option(None, "--files-root", help="Enable the files pack."),
    ) -> None:
        """Print one tool's description, risk metadata and JSON schema."""
        registry = _registry(tool_dir, files_root, [], True)
        try:
            item = registry[name]
        except KeyError as exc:
            typer.echo(str(exc.args[0]), err=True)
            raise typer.Exit(1) from None
        typer.echo(json.dumps(_tool_record(item), indent=2, default=str))

    app.add_typer(group, name="tools")


def _registry(
    tool_dir: list[Path], files_root: Path | None, shell_allow: list[str], entry_points: bool
) -> Any:
    from ..exceptions import GemmaAgentsError
    from ..tools import ToolsConfig, default_registry

    config = ToolsConfig(
        tool_dirs=list(tool_dir),
        files_root=files_root,
        shell_allow=list(shell_allow),
        entry_points=entry_points,
    )
    try:
        return default_registry(config)
    except GemmaAgentsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _tool_record(item: Any) -> dict[str, Any]:
    return {
        "name": item.name,
        "description": item.description,
        "source": item.source,
        "side_effects": item.side_effects,
        "requires_approval": item.requires_approval,
        "timeout": item.timeout,
        "idempotent": item.idempotent,
        "untrusted_output": item.untrusted_output,
        "tags": sorted(item.tags),
        "schema": item.json_schema(),
    }


def _params(schema: dict[str, Any]) -> str:
    required = set(schema.get("required") or ())
    parts = []
    for name, prop in (schema.get("properties") or {}).items():
        kind = (
            prop.get("type") or ("enum" if "enum" in prop else "any")
            if isinstance(prop, dict)
            else "any"
        )
        if isinstance(kind, list):
            kind = "|".join(str(k) for k in kind)
        parts.append(f"{name}{'' if name in required else '?'}: {kind}")
    return ", ".join(parts)


def _print_table(registry: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"{len(registry)} tools", show_lines=False)
    for column in (
        "name",
        "parameters",
        "source",
        "effects",
        "approval",
        "timeout",
        "idem.",
        "tags",
    ):
        table.add_column(column, overflow="fold")
    risky = {"write": "yellow", "external": "red"}
    for item in registry:
        effects = item.side_effects + (" (untrusted out)" if item.untrusted_output else "")
        table.add_row(
            item.name,
            _params(item.json_schema()),
            item.source,
            f"[{risky.get(item.side_effects, 'green')}]{effects}[/]",
            "yes" if item.requires_approval else "no",
            "-" if item.timeout is None else f"{item.timeout:g}s",
            "yes" if item.idempotent else "no",
            ", ".join(sorted(item.tags)),
        )
    console.print(table)
    report = registry.report
    if report and report.errors:
        console.print(f"[bold red]{len(report.errors)} plugin(s) failed to load:[/]")
        for err in report.errors:
            console.print(f"  [red]{err.origin}[/]: {err.error}", markup=True, highlight=False)
    if not any(t.name.startswith("files.") for t in registry):
        console.print(
            "[dim]files pack off: pass --files-root DIR (or set files_root) to enable it[/]"
        )
