"""The tool registry: one place that knows every tool an agent may call.

Tools arrive from many places (``@tool`` functions, stateful classes, LangChain, plugin
folders, entry points, MCP servers); the registry normalises them to :class:`Tool`, refuses
silent overwrites (two plugins defining ``search`` is a bug to fix, not to paper over),
namespaces them (``files.read``), and hands the same set to every consumer: specs for the
prompt, LangChain tools for LangGraph, filtered views for a restricted agent.
"""

from __future__ import annotations

import difflib
import fnmatch
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..calls._types import ToolSpec
from ..exceptions import ToolDefinitionError
from ._tool import Tool
from .decorator import check_tool_name, function_to_tool
from .stateful import StatefulTool

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool

    from .plugins import PluginReport

__all__ = ["ToolRegistry", "as_tool"]


def as_tool(obj: Any) -> Tool:
    """Normalise anything tool-like to a :class:`Tool`.

    Accepted: a :class:`Tool`; a :class:`StatefulTool` instance; a LangChain ``BaseTool``;
    a plain typed function (wrapped as by ``@tool`` with default risk metadata).

    Raises:
        ToolDefinitionError: ``obj`` is none of these, or not a valid tool.
    """
    if isinstance(obj, Tool):
        return obj
    if isinstance(obj, StatefulTool):
        return obj.as_tool()
    if _is_langchain_tool(obj):
        from .langchain_bridge import from_langchain

        return from_langchain(obj)
    if isinstance(obj, type) and issubclass(obj, StatefulTool):
        raise ToolDefinitionError(
            obj.__name__,
            "a StatefulTool class was given",
            hint=f"register an instance: {obj.__name__}()",
        )
    if callable(obj):
        return function_to_tool(obj)
    raise ToolDefinitionError(
        repr(obj)[:60],
        f"cannot make a tool from a {type(obj).__name__}",
        hint="use @tool on a function",
    )


class ToolRegistry:
    """An ordered, name-unique set of tools.

    Iteration yields tools in registration order. Registries are cheap: :meth:`filter`
    and :meth:`namespace` return new registries that share the same :class:`Tool` objects.

    Attributes:
        report: The plugin load report when the registry came from
            :func:`~gemma_agents.tools.default_registry` or :func:`load_plugins`.
    """

    def __init__(self, tools: Iterable[Any] = (), *, namespace: str | None = None) -> None:
        """Create a registry, registering ``tools`` (under ``namespace`` if given)."""
        self._tools: dict[str, Tool] = {}
        self._lock = threading.RLock()
        self.report: PluginReport | None = None
        for item in tools:
            self.register(item, namespace=namespace)

    # -- adding and removing -------------------------------------------------------------

    def register(
        self,
        obj: Any,
        *,
        namespace: str | None = None,
        name: str | None = None,
        replace: bool = False,
    ) -> Tool:
        """Add a tool; return the registered :class:`Tool`.

        Args:
            obj: A Tool, ``@tool`` function, plain typed function, StatefulTool instance
                or LangChain ``BaseTool``.
            namespace: Prefix the name (``"files"`` turns ``read`` into ``files.read``).
            name: Register under this name instead of the tool's own.
            replace: Overwrite an existing tool of the same name instead of failing.

        Raises:
            ToolDefinitionError: invalid tool or name, or the name is taken and
                ``replace`` is false.
        """
        item = as_tool(obj)
        final = name or item.name
        if namespace:
            final = f"{namespace.rstrip('.')}.{final}"
        check_tool_name(final)
        if final != item.name:
            item = _renamed(item, final)
        with self._lock:
            existing = self._tools.get(final)
            if existing is not None and not replace:
                raise ToolDefinitionError(
                    final,
                    f"already registered (from {existing.source}); new one from {item.source}",
                    hint="pass replace=True, use a namespace, or register it under another name",
                )
            self._tools[final] = item
        return item

    def register_all(
        self, objs: Iterable[Any], *, namespace: str | None = None, replace: bool = False
    ) -> list[Tool]:
        """Register several tools; all-or-nothing (nothing is added if one fails)."""
        staged = ToolRegistry()
        for obj in objs:
            staged.register(obj, namespace=namespace)
        with self._lock:
            if not replace:
                for item in staged:
                    if item.name in self._tools:
                        self.register(item)  # raises the standard duplicate error
            for item in staged:
                self._tools[item.name] = item
        return list(staged)

    def unregister(self, name: str) -> Tool:
        """Remove and return a tool.

        Raises:
            KeyError: no tool of that name (the message lists close names).
        """
        with self._lock:
            if name not in self._tools:
                raise KeyError(self._missing(name))
            return self._tools.pop(name)

    def tool(
        self,
        fn: Callable[..., Any] | None = None,
        /,
        *,
        name: str | None = None,
        namespace: str | None = None,
        replace: bool = False,
        **options: Any,
    ) -> Any:
        """Decorator that defines and registers: ``@registry.tool`` or ``@registry.tool(...)``.

        ``options`` are those of :func:`~gemma_agents.tools.tool`.
        """

        def decorate(func: Callable[..., Any]) -> Tool:
            made = function_to_tool(func, name=name, **options)
            return self.register(made, namespace=namespace, replace=replace)

        return decorate(fn) if fn is not None else decorate

    # -- lookup ----------------------------------------------------------------------------

    def get(self, name: str) -> Tool | None:
        """The tool called ``name``, or ``None``."""
        return self._tools.get(name)

    def __getitem__(self, name: str) -> Tool:
        try:
            return self._tools[name]
        except KeyError:
            raise KeyError(self._missing(name)) from None

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> Iterator[Tool]:
        return iter(list(self._tools.values()))

    def __len__(self) -> int:
        return len(self._tools)

    def __bool__(self) -> bool:
        return bool(self._tools)

    def __repr__(self) -> str:
        return f"ToolRegistry({self.names()!r})"

    def names(self) -> list[str]:
        """Tool names in registration order."""
        return list(self._tools)

    def namespaces(self) -> list[str]:
        """Distinct name prefixes (``files`` for ``files.read``), sorted."""
        return sorted({n.rsplit(".", 1)[0] for n in self._tools if "." in n})

    def namespace(self, prefix: str) -> ToolRegistry:
        """The tools under ``prefix.`` (nested prefixes included), as a new registry."""
        prefix = prefix.rstrip(".") + "."
        return self._subset(t for t in self if t.name.startswith(prefix))

    def filter(
        self,
        *,
        tags: Iterable[str] | None = None,
        allow: Sequence[str] | None = None,
        deny: Sequence[str] | None = None,
        side_effects: Iterable[str] | None = None,
        predicate: Callable[[Tool], bool] | None = None,
    ) -> ToolRegistry:
        """A new registry with the tools that pass every given criterion.

        Args:
            tags: Keep tools having at least one of these tags.
            allow: Keep names matching at least one glob (``files.*``).
            deny: Drop names matching any glob; deny wins over allow.
            side_effects: Keep tools whose side effects are among these.
            predicate: Any further test.
        """
        tag_set = set(tags) if tags is not None else None
        effects = set(side_effects) if side_effects is not None else None

        def keep(item: Tool) -> bool:
            if tag_set is not None and not (item.tags & tag_set):
                return False
            if allow is not None and not any(fnmatch.fnmatchcase(item.name, g) for g in allow):
                return False
            if deny and any(fnmatch.fnmatchcase(item.name, g) for g in deny):
                return False
            if effects is not None and item.side_effects not in effects:
                return False
            return predicate is None or predicate(item)

        return self._subset(t for t in self if keep(t))

    # -- handing tools to consumers ------------------------------------------------------

    def specs(self, names: Iterable[str] | None = None) -> list[ToolSpec]:
        """The :class:`ToolSpec` of each tool (all, or ``names`` in the given order)."""
        return [t.spec() for t in self._select(names)]

    def render(self, dialect: str = "gemma3", names: Iterable[str] | None = None) -> str:
        """The prompt text declaring these tools in a call dialect (see gemma_agents.calls)."""
        from ..calls import render_tools

        return render_tools(self._select(names), dialect)

    def to_langchain(self, names: Iterable[str] | None = None) -> list[BaseTool]:
        """LangChain ``StructuredTool`` objects, e.g. for LangGraph's ``ToolNode``."""
        from .langchain_bridge import to_langchain

        return [to_langchain(t) for t in self._select(names)]

    @staticmethod
    def from_langchain(lc_tool: BaseTool, **options: Any) -> Tool:
        """Wrap a LangChain tool (see :func:`gemma_agents.tools.from_langchain`)."""
        from .langchain_bridge import from_langchain

        return from_langchain(lc_tool, **options)

    def copy(self) -> ToolRegistry:
        """A shallow copy (same Tool objects, independent membership)."""
        return self._subset(iter(self))

    # -- helpers ---------------------------------------------------------------------------

    def _select(self, names: Iterable[str] | None) -> list[Tool]:
        if names is None:
            return list(self)
        return [self[n] for n in names]

    def _subset(self, tools: Iterable[Tool]) -> ToolRegistry:
        out = ToolRegistry()
        out._tools = {t.name: t for t in tools}
        out.report = self.report
        return out

    def _missing(self, name: str) -> str:
        close = difflib.get_close_matches(name, list(self._tools), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return f"no tool named {name!r}{hint}"


def _renamed(item: Tool, name: str) -> Tool:
    return replace(item, name=name)


def _is_langchain_tool(obj: Any) -> bool:
    # Look at the class hierarchy first so that plain functions never import LangChain.
    if not any(c.__module__.startswith("langchain_core") for c in type(obj).__mro__):
        return False
    from langchain_core.tools import BaseTool

    return isinstance(obj, BaseTool)
