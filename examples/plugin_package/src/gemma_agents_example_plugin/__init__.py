"""Example gemma-agents plugin: two text tools and a unit converter.

Tools are ordinary ``@tool`` functions; the distribution's ``pyproject.toml`` points the
``gemma_agents.tools`` entry points at ``TOOLS`` and ``register``.
"""

from __future__ import annotations

from typing import Literal

from gemma_agents.tools import ToolRegistry, tool

__all__ = ["TOOLS", "register", "reverse", "word_count"]


@tool("text.word_count", tags=("text",))
def word_count(text: str) -> int:
    """Count the words in a text.

    Args:
        text: The text to count words in.
    """
    return len(text.split())


@tool("text.reverse", tags=("text",))
def reverse(text: str) -> str:
    """Reverse a text character by character.

    Args:
        text: The text to reverse.
    """
    return text[::-1]


TOOLS = [word_count, reverse]

_METRES = {
    "mm": 0.001,
    "cm": 0.01,
    "m": 1.0,
    "km": 1000.0,
    "in": 0.0254,
    "ft": 0.3048,
    "mi": 1609.344,
}
Unit = Literal["mm", "cm", "m", "km", "in", "ft", "mi"]


def register(registry: ToolRegistry) -> None:
    """Entry point in the ``register(registry)`` style."""

    @registry.tool(name="convert_length", namespace="units", tags=("units",))
    def convert_length(value: float, from_unit: Unit, to_unit: Unit) -> float:
        """Convert a length between metric and imperial units.

        Args:
            value: The length to convert.
            from_unit: Unit of the value.
            to_unit: Unit to convert to.
        """
        return value * _METRES[from_unit] / _METRES[to_unit]
