"""The ``gemma-agents`` command line.

Each command group lives in its own module exposing ``register(app)``; this module only
assembles them, so a group's heavy imports happen when its command runs, not at start-up.
"""

from __future__ import annotations

import importlib

import typer

__all__ = ["app", "main"]

app = typer.Typer(
    name="gemma-agents",
    help="Agents and tool calling for Google's Gemma models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _root() -> None:
    """Agents and tool calling for Google's Gemma models."""


#: Command modules, in help order. Each defines ``register(app: typer.Typer) -> None``.
_COMMAND_MODULES = ("run", "doctor", "models", "tools", "memory")

for _name in _COMMAND_MODULES:
    try:
        _module = importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as exc:  # a group not built yet in this checkout
        if exc.name != f"{__name__}.{_name}":
            raise
        continue
    _module.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
