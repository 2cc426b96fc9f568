"""Where gemma-agents keeps its files, and the settings read from the environment.

Environment variables win over defaults so that deployments configure without code:
``GEMMA_AGENTS_HOME`` (data dir), ``GEMMA_AGENTS_MODEL`` (default model string),
``OLLAMA_HOST`` (read by the Ollama runtime).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir", "data_dir", "default_model"]


def data_dir() -> Path:
    """Persistent state: checkpoints (SQLite), memory (Chroma), rate-limit windows."""
    base = os.environ.get("GEMMA_AGENTS_HOME")
    if base:
        return Path(base).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "gemma-agents"


def cache_dir() -> Path:
    """Re-creatable files: the assembled GGUF, downloaded benchmark data."""
    base = os.environ.get("GEMMA_AGENTS_CACHE")
    if base:
        return Path(base).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "gemma-agents"


def default_model() -> str:
    """The model string used when none is given: ``auto`` unless configured."""
    return os.environ.get("GEMMA_AGENTS_MODEL", "auto")
