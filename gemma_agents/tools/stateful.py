"""Class-based tools for tools that keep state (a connection, a counter, a cache).

A function tool has nowhere to keep a database handle; a subclass of :class:`StatefulTool`
does, and its ``run`` method becomes the tool::

    class Counter(StatefulTool):
        '''Count things.'''

        name = "counter"
        side_effects = "write"

        def __init__(self) -> None:
            self.total = 0

        def run(self, by: int = 1) -> int:
            '''Add to the counter and return the new total.

            Args:
                by: How much to add.
            '''
            self.total += by
            return self.total

    registry.register(Counter())      # or Counter().as_tool()
"""

from __future__ import annotations

import inspect
import re
from typing import Any, ClassVar

from ..exceptions import ToolDefinitionError
from ._docstring import parse_docstring
from ._tool import SideEffects, Tool
from .decorator import function_to_tool

__all__ = ["StatefulTool"]


class StatefulTool:
    """Base class for tools with state; override ``run`` (sync or ``async def``).

    Class attributes mirror the :func:`tool` options. The tool
    description is ``description``, else the class docstring, else ``run``'s docstring;
    parameter descriptions come from ``run``'s ``Args:`` section.
    """

    name: ClassVar[str | None] = None
    description: ClassVar[str | None] = None
    side_effects: ClassVar[SideEffects] = "none"
    requires_approval: ClassVar[bool] = False
    timeout: ClassVar[float | None] = 30.0
    idempotent: ClassVar[bool] = True
    tags: ClassVar[tuple[str, ...]] = ()
    untrusted_output: ClassVar[bool] = False

    def as_tool(self) -> Tool:
        """A :class:`Tool` bound to this instance (every call shares its state).

        Raises:
            ToolDefinitionError: ``run`` is missing or not a valid tool signature.
        """
        cls = type(self)
        tool_name = self.name or _snake(cls.__name__)
        run = getattr(self, "run", None)
        if run is None or getattr(cls, "run", None) is getattr(StatefulTool, "run", None):
            raise ToolDefinitionError(tool_name, f"{cls.__name__} must define a run() method")
        description = self.description
        if description is None:
            class_doc = inspect.getdoc(cls)
            if class_doc and class_doc != inspect.getdoc(StatefulTool):
                description = parse_docstring(class_doc).description
        return function_to_tool(
            run,
            name=tool_name,
            description=description,
            side_effects=self.side_effects,
            requires_approval=self.requires_approval,
            timeout=self.timeout,
            idempotent=self.idempotent,
            tags=self.tags,
            untrusted_output=self.untrusted_output,
        )

    def run(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - always overridden
        """Subclasses implement the tool here."""
        raise NotImplementedError


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
