"""Plugin discovery: entry points, folders of plugin modules, and the first-party packs.

Two ways to ship tools without touching gemma-agents:

* **Entry points** in the ``gemma_agents.tools`` group (a distribution's ``pyproject.toml``:
  ``[project.entry-points."gemma_agents.tools"] mine = "my_pkg:TOOLS"``). The target may be
  a Tool, an ``@tool`` function, a list of tools, a module (its tools are collected), or a
  callable: ``register(registry)`` if it takes an argument, else called for a list of tools.
* **Folders** of ``*.py`` files (and packages), loaded *by path* under unique module names
  (``gemma_agents_plugins.p<folder-hash>.<stem>``) so a plugin called ``tools.py`` or
  ``memory.py`` can never shadow a real package, and nothing is added to ``sys.path``.

A plugin that fails to import or register is reported (file, line, error: one line) and
skipped; the others still load. Plugins are code: only load folders you trust.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import importlib.util
import inspect
import os
import re
import sys
import traceback
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ._tool import Tool
from .registry import ToolRegistry, as_tool
from .stateful import StatefulTool

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginError",
    "PluginReport",
    "builtin_packs_dir",
    "load_entry_points",
    "load_folder",
    "load_module_from_path",
    "load_plugins",
    "tool_dirs_from_env",
    "tools_from_object",
]

ENTRY_POINT_GROUP = "gemma_agents.tools"
TOOL_DIRS_ENV = "GEMMA_AGENTS_TOOL_DIRS"
_PLUGIN_ROOT = "gemma_agents_plugins"


@dataclass(frozen=True)
class PluginError:
    """One plugin that could not be loaded.

    Attributes:
        origin: The file, folder or ``entry-point:<dist>:<name>`` that failed.
        error: One line: where (when known) and what went wrong.
        kind: ``folder``, ``entry-point`` or ``pack``.
    """

    origin: str
    error: str
    kind: Literal["folder", "entry-point", "pack"] = "folder"

    def __str__(self) -> str:
        return f"{self.origin}: {self.error}"


@dataclass
class PluginReport:
    """What :func:`load_plugins` did: the tools each plugin added, and the failures."""

    loaded: dict[str, list[str]] = field(default_factory=dict)
    errors: list[PluginError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def merge(self, other: PluginReport) -> PluginReport:
        """Add ``other``'s entries to this report (returns self)."""
        for origin, names in other.loaded.items():
            self.loaded.setdefault(origin, []).extend(names)
        self.errors.extend(other.errors)
        return self

    def summary(self) -> str:
        """A short human-readable account, one line per plugin."""
        lines = [
            f"{origin}: {', '.join(names) or '(no tools)'}" for origin, names in self.loaded.items()
        ]
        lines += [f"FAILED {err}" for err in self.errors]
        return "\n".join(lines)


def load_plugins(
    registry: ToolRegistry,
    folders: Iterable[str | os.PathLike[str]] = (),
    *,
    entry_points: bool = True,
    group: str = ENTRY_POINT_GROUP,
    replace: bool = False,
) -> PluginReport:
    """Load tools from plugin folders and (optionally) installed entry points.

    Args:
        registry: Where the tools go.
        folders: Folders of plugin modules, loaded in the given order.
        entry_points: Also load the ``group`` entry points of installed distributions.
        group: The entry-point group.
        replace: Let later plugins overwrite tools of the same name (else a clash is
            reported as an error of the later plugin).

    Returns:
        The report; it is also stored as ``registry.report`` (merged with any earlier one).
    """
    report = PluginReport()
    for folder in folders:
        report.merge(load_folder(registry, folder, replace=replace))
    if entry_points:
        report.merge(load_entry_points(registry, group=group, replace=replace))
    registry.report = registry.report.merge(report) if registry.report else report
    return report


def load_folder(
    registry: ToolRegistry, folder: str | os.PathLike[str], *, replace: bool = False
) -> PluginReport:
    """Load every plugin module in ``folder`` (files and packages not starting with ``_``)."""
    report = PluginReport()
    path = Path(folder).expanduser()
    if not path.is_dir():
        report.errors.append(PluginError(str(path), "not a directory", "folder"))
        return report
    for entry in sorted(path.iterdir()):
        is_module = entry.suffix == ".py" and entry.is_file()
        is_package = entry.is_dir() and (entry / "__init__.py").is_file()
        if entry.name.startswith(("_", ".")) or not (is_module or is_package):
            continue
        origin = f"plugin:{entry}"
        try:
            module = load_module_from_path(entry)
            tools = tools_from_object(module)
        except Exception as exc:
            report.errors.append(PluginError(str(entry), describe_error(exc, entry), "folder"))
            continue
        _register(registry, tools, origin, report, str(entry), "folder", replace)
    return report


def load_entry_points(
    registry: ToolRegistry, *, group: str = ENTRY_POINT_GROUP, replace: bool = False
) -> PluginReport:
    """Load the tools of every installed entry point in ``group``."""
    report = PluginReport()
    for ep in sorted(importlib.metadata.entry_points(group=group), key=lambda e: e.name):
        dist = ep.dist.name if ep.dist is not None else "unknown"
        origin = f"entry-point:{dist}"
        label = f"entry-point:{dist}:{ep.name}"
        try:
            tools = tools_from_object(ep.load())
        except Exception as exc:
            report.errors.append(PluginError(label, describe_error(exc), "entry-point"))
            continue
        _register(registry, tools, origin, report, label, "entry-point", replace)
    return report


def tools_from_object(obj: Any) -> list[Tool]:
    """The tools a plugin object provides (see the module docstring for the shapes).

    Raises:
        ToolDefinitionError: a tool in it is invalid.
        TypeError: the object provides no tools in any known way.
    """
    if isinstance(obj, Tool | StatefulTool):
        return [as_tool(obj)]
    if isinstance(obj, types.ModuleType):
        return _module_tools(obj)
    if isinstance(obj, list | tuple | set | frozenset):
        return [t for item in obj for t in tools_from_object(item)]
    if isinstance(obj, ToolRegistry):
        return list(obj)
    if any(c.__module__.startswith("langchain_core") for c in type(obj).__mro__):
        return [as_tool(obj)]
    if callable(obj):
        return _call_provider(obj)
    raise TypeError(f"a {type(obj).__name__} provides no tools")


def load_module_from_path(path: str | os.PathLike[str]) -> types.ModuleType:
    """Import a ``.py`` file or package folder under a unique, collision-free module name.

    Re-loading an unchanged file returns the cached module, so building many registries
    does not re-execute plugins.
    """
    target = Path(path).resolve()
    init = target / "__init__.py" if target.is_dir() else target
    digest = hashlib.sha1(str(target.parent).encode()).hexdigest()[:12]
    stem = re.sub(r"\W", "_", target.stem if target.is_file() else target.name)
    name = f"{_PLUGIN_ROOT}.p{digest}.{stem}"
    mtime = init.stat().st_mtime_ns
    cached = sys.modules.get(name)
    if cached is not None and getattr(cached, "__gemma_agents_mtime__", None) == mtime:
        return cached
    _ensure_package(_PLUGIN_ROOT)
    _ensure_package(f"{_PLUGIN_ROOT}.p{digest}")
    locations = [str(target)] if target.is_dir() else None
    spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=locations)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {target}")
    module = importlib.util.module_from_spec(spec)
    module.__gemma_agents_mtime__ = mtime  # type: ignore[attr-defined]
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def builtin_packs_dir() -> Path | None:
    """Where the first-party packs live.

    In a wheel they are package data at ``gemma_agents/_packs``; in a source checkout they
    are the repository's top-level ``tools/`` folder next to the package.
    """
    try:
        packaged = importlib.resources.files("gemma_agents") / "_packs"
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, NotADirectoryError, TypeError):  # pragma: no cover
        pass
    repo = Path(__file__).resolve().parents[2] / "tools"
    return repo if (repo / "calculator.py").is_file() else None


def tool_dirs_from_env() -> list[Path]:
    """The folders listed in ``GEMMA_AGENTS_TOOL_DIRS`` (``os.pathsep``-separated)."""
    raw = os.environ.get(TOOL_DIRS_ENV, "")
    return [Path(p).expanduser() for p in raw.split(os.pathsep) if p.strip()]


def describe_error(exc: BaseException, path: Path | None = None) -> str:
    """One line: ``line N: ErrorType: message`` (the line inside the plugin when known)."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    where = ""
    if isinstance(exc, SyntaxError) and exc.lineno:
        where = f"line {exc.lineno}: "
    elif path is not None:
        files = {str(path.resolve()), str((path / "__init__.py").resolve())}
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in files]
        if frames:
            where = f"line {frames[-1].lineno}: "
    return f"{where}{type(exc).__name__}: {message}".rstrip(": ")


def _module_tools(module: types.ModuleType) -> list[Tool]:
    register = getattr(module, "register", None)
    if callable(register) and not isinstance(register, Tool):
        return _call_provider(register)
    declared = getattr(module, "TOOLS", None)
    if declared is not None:
        return tools_from_object(list(declared))
    found: list[Tool] = []
    seen: set[int] = set()
    for attr, value in vars(module).items():
        if attr.startswith("_") or id(value) in seen:
            continue
        if isinstance(value, Tool | StatefulTool):
            seen.add(id(value))
            found.append(as_tool(value))
    return found


def _call_provider(fn: Any) -> list[Tool]:
    """``register(registry)`` if it takes a parameter, else a factory returning tools."""
    try:
        params = [
            p
            for p in inspect.signature(fn).parameters.values()
            if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    if params:
        staging = ToolRegistry()
        returned = fn(staging)
        extra = tools_from_object(returned) if returned is not None else []
        return list(staging) + [t for t in extra if t.name not in staging]
    returned = fn()
    return tools_from_object(returned) if returned is not None else []


def _register(
    registry: ToolRegistry,
    tools: Sequence[Tool],
    origin: str,
    report: PluginReport,
    label: str,
    kind: Literal["folder", "entry-point", "pack"],
    replace_existing: bool,
) -> None:
    stamped = [t if t.source != "python" else replace(t, source=origin) for t in tools]
    try:
        registry.register_all(stamped, replace=replace_existing)
    except Exception as exc:
        report.errors.append(PluginError(label, describe_error(exc), kind))
        return
    report.loaded.setdefault(label, []).extend(t.name for t in stamped)


def _ensure_package(name: str) -> None:
    if name not in sys.modules:
        package = types.ModuleType(name)
        package.__path__ = []
        sys.modules[name] = package
