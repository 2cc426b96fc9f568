"""Test support shipped with the library: scripted models and local fake servers."""

from __future__ import annotations

from .events import (
    EventLog,
    acollect_events,
    assert_guard_decision,
    assert_no_tool_called,
    assert_tool_called,
    collect_events,
)
from .scripted import ScriptedRuntime
from .scripted_gemma import ScriptedGemma

__all__ = [
    "EventLog",
    "ScriptedGemma",
    "ScriptedRuntime",
    "acollect_events",
    "assert_guard_decision",
    "assert_no_tool_called",
    "assert_tool_called",
    "collect_events",
]
