"""The :class:`Tool` value: a callable plus everything the agent needs to call it safely.

Owned by the tools package; the agent graph, ``ChatGemma`` and the guardrails read it.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from ..calls._types import ToolSpec

__all__ = ["SideEffects", "Tool"]

SideEffects = Literal["none", "read", "write", "external"]


@dataclass
class Tool:
    """A registered tool.

    Attributes:
        name: Unique name (namespaced names use dots: ``files.read``).
        description: What the tool does, for the model.
        args_model: Pydantic model that validates the arguments. Its aliases carry the
            original property names, so ``model_dump(by_alias=True)`` gives them back.
        fn: The implementation, sync or async; called with the validated arguments as
            keyword arguments (original names).
        side_effects: ``none`` (pure), ``read`` (reads local/remote state), ``write``
            (changes local state), ``external`` (acts on the outside world).
        requires_approval: Pause the graph for a human before running it.
        timeout: Seconds before the run is abandoned (``None``: no limit).
        idempotent: Safe to run twice with the same arguments (crash recovery re-runs
            only idempotent tools).
        tags: Free-form labels for filtering.
        untrusted_output: The result comes from outside (web, files) and must be fenced
            as data for the model.
        source: Where the tool came from (``python``, ``plugin:<file>``,
            ``entry-point:<dist>``, ``mcp:<server>``, ``langchain``).
        parameters_schema: JSON schema shown to the model; defaults to the args model's.
    """

    name: str
    description: str
    args_model: type[BaseModel]
    fn: Callable[..., Any]
    side_effects: SideEffects = "none"
    requires_approval: bool = False
    timeout: float | None = 30.0
    idempotent: bool = True
    tags: frozenset[str] = field(default_factory=frozenset)
    untrusted_output: bool = False
    source: str = "python"
    parameters_schema: dict[str, Any] | None = None

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the underlying function directly (no validation, no timeout).

        Keeps ``@tool``-decorated functions usable as plain Python functions.
        """
        return self.fn(*args, **kwargs)

    @property
    def __wrapped__(self) -> Callable[..., Any]:
        """The implementation, so ``inspect.signature(tool)`` shows its parameters."""
        return self.fn

    def json_schema(self) -> dict[str, Any]:
        """The argument schema shown to the model."""
        if self.parameters_schema is not None:
            return self.parameters_schema
        schema = self.args_model.model_json_schema(by_alias=True)
        schema.pop("title", None)
        return schema

    def spec(self) -> ToolSpec:
        return ToolSpec(self.name, self.description, self.json_schema())

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Validate arguments; return them under their original names.

        Raises:
            pydantic.ValidationError: the arguments do not match the schema.
        """
        model = self.args_model.model_validate(arguments)
        return model.model_dump(by_alias=True, exclude_unset=False)

    async def arun(self, arguments: dict[str, Any]) -> Any:
        """Validate and run, honouring ``timeout``; sync functions run in a thread."""
        kwargs = self.validate(arguments)
        coro = self.fn(**kwargs) if self.is_async else asyncio.to_thread(self.fn, **kwargs)
        if self.timeout is None:
            return await coro
        return await asyncio.wait_for(coro, self.timeout)

    def run(self, arguments: dict[str, Any]) -> Any:
        """Validate and run synchronously (async tools get their own event loop)."""
        if self.is_async:
            return asyncio.run(self.arun(arguments))
        return self.fn(**self.validate(arguments))
