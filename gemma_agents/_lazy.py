"""Lazy package exports: public names that import their module on first use.

Shared by the package ``__init__`` modules so ``import gemma_agents`` (and each
subpackage) stays fast while ``from gemma_agents.x import Name`` keeps working; the real
imports are repeated under ``TYPE_CHECKING`` in each ``__init__`` for type checkers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str,
    table: Mapping[str, str],
    namespace: dict[str, Any],
    public: Iterable[str],
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Build a module's ``__getattr__`` and ``__dir__``.

    Args:
        package: The package's ``__name__`` (relative modules resolve against it).
        table: Public name -> module that defines it (``".registry"`` or ``"registry"``).
        namespace: The package's ``globals()``; a resolved name is cached there, so the
            module-level ``__getattr__`` runs once per name.
        public: The package's ``__all__``, for ``dir()``.
    """
    names = sorted(public)

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        target = module if module.startswith(".") else f".{module}"
        value = getattr(importlib.import_module(target, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return list(names)

    return __getattr__, __dir__
