"""Test support shipped with the library: scripted models and local fake servers."""

from __future__ import annotations

from .scripted import ScriptedRuntime

__all__ = ["ScriptedRuntime"]
