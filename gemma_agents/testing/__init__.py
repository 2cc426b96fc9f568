"""Test support shipped with the library: scripted models and local fake servers.

Names resolve on first use, so ``from gemma_agents.testing import FakeOllama`` does not import
the agent graph and ``ScriptedRuntime`` does not import LangChain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .events import (
        EventLog,
        acollect_events,
        assert_guard_decision,
        assert_no_tool_called,
        assert_tool_called,
        collect_events,
    )
    from .fake_ollama import FakeModel, FakeOllama, FakeReply
    from .scripted import ScriptedRuntime
    from .scripted_gemma import ScriptedGemma

__all__ = [
    "EventLog",
    "FakeModel",
    "FakeOllama",
    "FakeReply",
    "ScriptedGemma",
    "ScriptedRuntime",
    "acollect_events",
    "assert_guard_decision",
    "assert_no_tool_called",
    "assert_tool_called",
    "collect_events",
]

_LAZY = {
    "EventLog": ".events",
    "FakeModel": ".fake_ollama",
    "FakeOllama": ".fake_ollama",
    "FakeReply": ".fake_ollama",
    "ScriptedGemma": ".scripted_gemma",
    "ScriptedRuntime": ".scripted",
    "acollect_events": ".events",
    "assert_guard_decision": ".events",
    "assert_no_tool_called": ".events",
    "assert_tool_called": ".events",
    "collect_events": ".events",
}

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals(), __all__)
