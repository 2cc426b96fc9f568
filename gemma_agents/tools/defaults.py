"""The default tool set: first-party packs, installed plugins and the user's plugin folders.

Risky packs are off until configured, so an agent built with defaults can compute and tell
the time and read public web pages, but cannot touch the disk or run commands:

========== ====================================================================
calculator always
clock      always
http_fetch on by default (``http=False`` turns it off); SSRF-guarded
files      only when ``files_root`` is set; writes need approval
shell      only when ``shell_allow`` lists commands; every run needs approval
memory     only when a ``MemoryStore`` is given
========== ====================================================================
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import ConfigError
from .plugins import (
    PluginError,
    PluginReport,
    builtin_packs_dir,
    describe_error,
    load_module_from_path,
    load_plugins,
    tool_dirs_from_env,
)
from .registry import ToolRegistry

if TYPE_CHECKING:
    from ..memory._types import MemoryStore

__all__ = ["BUILTIN_PACKS", "ToolsConfig", "default_registry", "load_pack"]

BUILTIN_PACKS = ("calculator", "clock", "http_fetch", "files", "shell", "memory")


@dataclass
class ToolsConfig:
    """Settings for :func:`default_registry` (also readable from a YAML mapping).

    Attributes:
        packs: Which first-party packs to consider (default: all); a pack that needs
            settings still stays off until it has them.
        files_root: Directory the ``files.*`` tools are confined to.
        files_writable: Offer ``files.write`` (always approval-gated).
        shell_allow: Executables ``shell.run`` may start (names on PATH or absolute paths).
        shell_cwd: Working directory for shell commands (default: ``files_root`` or cwd).
        shell_timeout: Seconds before a command is killed.
        http: Offer ``http.get`` / ``http.post``.
        http_allow_hosts: Host globs exempt from the SSRF address checks.
        http_allow_cidrs: Networks the HTTP tools may reach despite being private.
        http_allow_post: Offer ``http.post`` (always approval-gated).
        memory: Store for ``memory.remember`` / ``recall`` / ``forget``.
        memory_user: Fixed user id for the memory tools (default: the tool context's).
        tool_dirs: Extra plugin folders.
        entry_points: Load installed ``gemma_agents.tools`` entry points.
        env: Also read ``GEMMA_AGENTS_TOOL_DIRS``.
    """

    packs: Sequence[str] | None = None
    files_root: str | Path | None = None
    files_writable: bool = True
    shell_allow: Sequence[str] = ()
    shell_cwd: str | Path | None = None
    shell_timeout: float = 10.0
    http: bool = True
    http_allow_hosts: Sequence[str] = ()
    http_allow_cidrs: Sequence[str] = ()
    http_allow_post: bool = True
    memory: MemoryStore | None = None
    memory_user: str | None = None
    tool_dirs: Sequence[str | Path] = ()
    entry_points: bool = True
    env: bool = True

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ToolsConfig:
        """Build from a plain mapping (a YAML ``tools:`` section).

        Raises:
            ConfigError: unknown keys (a typo must not silently disable a safety setting).
        """
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ConfigError(
                f"unknown tools settings: {', '.join(unknown)}",
                hint=f"valid settings: {', '.join(sorted(names))}",
            )
        return cls(**dict(data))

    def wants(self, pack: str) -> bool:
        return self.packs is None or pack in self.packs


def default_registry(
    config: ToolsConfig | Mapping[str, Any] | None = None,
    *,
    memory: MemoryStore | None = None,
) -> ToolRegistry:
    """A registry with the built-in packs, installed plugins and plugin folders.

    Args:
        config: Settings; a mapping is validated through :meth:`ToolsConfig.from_mapping`.
        memory: Shortcut for ``config.memory``.

    Returns:
        The registry; ``registry.report`` lists what loaded from where and what failed
        (a broken plugin never prevents the others from loading).
    """
    cfg = _config(config)
    if memory is not None:
        cfg = dataclasses.replace(cfg, memory=memory)
    if cfg.packs is not None:
        unknown = sorted(set(cfg.packs) - set(BUILTIN_PACKS))
        if unknown:
            raise ConfigError(
                f"unknown tool packs: {', '.join(unknown)}",
                hint=f"available packs: {', '.join(BUILTIN_PACKS)}",
            )
    registry = ToolRegistry()
    report = PluginReport()
    for pack in BUILTIN_PACKS:
        if cfg.wants(pack):
            _add_pack(registry, pack, cfg, report)
    folders = [Path(p).expanduser() for p in cfg.tool_dirs]
    if cfg.env:
        folders += tool_dirs_from_env()
    report.merge(load_plugins(registry, folders, entry_points=cfg.entry_points))
    registry.report = report
    return registry


def load_pack(name: str) -> Any:
    """Import a first-party pack module by name (``calculator``, ``files``, ...).

    Raises:
        ConfigError: the packs folder is missing or has no such pack.
    """
    folder = builtin_packs_dir()
    if folder is None or not (folder / f"{name}.py").is_file():
        raise ConfigError(
            f"tool pack {name!r} not found",
            hint="reinstall gemma-agents (packs ship as gemma_agents/_packs)",
        )
    return load_module_from_path(folder / f"{name}.py")


def _add_pack(registry: ToolRegistry, pack: str, cfg: ToolsConfig, report: PluginReport) -> None:
    label = f"pack:{pack}"
    try:
        module = load_pack(pack)
        tools = [dataclasses.replace(t, source=label) for t in module.pack_tools(cfg)]
        registry.register_all(tools)
    except Exception as exc:
        path = (builtin_packs_dir() or Path(".")) / f"{pack}.py"
        report.errors.append(PluginError(label, describe_error(exc, path), "pack"))
        return
    if tools:
        report.loaded[label] = [t.name for t in tools]


def _config(config: ToolsConfig | Mapping[str, Any] | None) -> ToolsConfig:
    if config is None:
        return ToolsConfig()
    if isinstance(config, ToolsConfig):
        return config
    if isinstance(config, Mapping):
        return ToolsConfig.from_mapping(config)
    raise ConfigError(
        f"tools config must be a ToolsConfig or a mapping, not {type(config).__name__}"
    )
