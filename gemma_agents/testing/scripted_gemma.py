"""ScriptedGemma: a ChatGemma whose model output is scripted text.

Tests of agents, graphs and tools need a chat model that behaves exactly like the real one
(the same prompt rendering, dialect parsing, validation and repair) while producing known
output. ``ScriptedGemma`` is :class:`~gemma_agents.models.ChatGemma` on a
:class:`~gemma_agents.testing.ScriptedRuntime`: the script is raw Gemma-format text (for
example ``'[get_weather(city="Paris")]'``), so a test fails if parsing would fail for real.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..models.chat_gemma import ChatGemma
from ..runtime.base import Capabilities, Message
from .scripted import Response, ScriptedRuntime

__all__ = ["ScriptedGemma"]

_MODEL_FOR_DIALECT = {
    "functiongemma": "functiongemma:scripted",
    "gemma4": "gemma4:scripted",
}


class ScriptedGemma(ChatGemma):
    """A :class:`ChatGemma` replaying scripted raw model output.

    Args:
        responses: Strings or callables ``(messages) -> str``, one per model call
            (repairs count as calls), or one callable used for every call.
        dialect: Call dialect the script is written in (``gemma3``, ``json``,
            ``functiongemma``, ``gemma4``, ``hermes``, ``line``). Ignored in
            ``mode="constrained"``, where the script is the JSON the grammar would allow.
        model: Model name the runtime reports (default derived from the dialect).
        capabilities: What the scripted model claims to support.
        cycle: Restart the script when it runs out instead of raising.
        chunk_size: Characters per streamed chunk.
        **kwargs: Other :class:`ChatGemma` fields (``repair_attempts``, ``mode``...).

    Attributes:
        scripted: The :class:`ScriptedRuntime`; ``scripted.calls`` records every request.
    """

    def __init__(
        self,
        responses: Sequence[Response] | Callable[[Sequence[Message]], str],
        dialect: str | None = "gemma3",
        *,
        model: str | None = None,
        capabilities: Capabilities | None = None,
        cycle: bool = False,
        chunk_size: int = 4,
        **kwargs: Any,
    ) -> None:
        runtime = ScriptedRuntime(
            responses,
            model=model or _MODEL_FOR_DIALECT.get(dialect or "", "gemma3:scripted"),
            capabilities=capabilities,
            cycle=cycle,
            chunk_size=chunk_size,
        )
        if kwargs.get("mode") in ("constrained", "native"):
            dialect = None
        super().__init__(runtime, dialect=dialect, **kwargs)

    @property
    def scripted(self) -> ScriptedRuntime:
        runtime = self.runtime
        assert isinstance(runtime, ScriptedRuntime)
        return runtime
