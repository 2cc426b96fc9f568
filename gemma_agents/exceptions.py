"""The exceptions raised by gemma-agents.

Every error the library raises on purpose derives from :class:`GemmaAgentsError`, so
``except GemmaAgentsError`` catches exactly what we raise. The tree separates *developer
mistakes* (a bad model string, a broken tool definition, an invalid YAML spec: fix the code
or the config) from *run-time failures* (a server that is down, a model that is not pulled:
fix the environment). Model mistakes (malformed calls, invalid arguments) are not exceptions
at all: they go back to the model as a correction, and only surface as
:class:`ModelBehaviorError` once the retries are spent.

    GemmaAgentsError
    ├── UserError                    developer mistakes
    │   ├── ConfigError              settings, model strings, data dir
    │   ├── SpecError                YAML workflow / guard / tool specs
    │   ├── ToolDefinitionError      a tool that cannot be built or registered
    │   └── ApprovalPending          a new message on a thread paused for approval
    └── AgentRuntimeError            run-time failures
        ├── RuntimeUnavailable       no inference server / embedded runtime
        ├── ModelNotFound            the model is not present on the runtime
        ├── UnsupportedFeature       the model/runtime cannot do what was asked
        ├── InferenceError           the runtime answered with an error
        ├── ModelBehaviorError       the model kept producing unusable output
        ├── ToolExecutionError       a tool raised while running
        │   └── ToolTimeout
        ├── GuardrailBlocked         a guardrail blocked the text or call
        └── MemoryStoreError         the memory store failed or is inconsistent
            └── EmbedderMismatch     a collection written by another embedder
"""

from __future__ import annotations

__all__ = [
    "AgentRuntimeError",
    "ApprovalPending",
    "ConfigError",
    "EmbedderMismatch",
    "GemmaAgentsError",
    "GuardrailBlocked",
    "InferenceError",
    "MemoryStoreError",
    "ModelBehaviorError",
    "ModelNotFound",
    "RuntimeUnavailable",
    "SpecError",
    "ToolDefinitionError",
    "ToolExecutionError",
    "ToolTimeout",
    "UnsupportedFeature",
    "UserError",
]


class GemmaAgentsError(Exception):
    """Root of every error gemma-agents raises on purpose."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message}\n  -> {hint}" if hint else message)


class UserError(GemmaAgentsError):
    """The calling code or configuration is wrong; retrying will not help."""


class ConfigError(UserError):
    """A setting, model string or path is invalid."""


class SpecError(UserError):
    """A declarative spec (workflow YAML, guardrail config) is invalid.

    Attributes:
        source: File or logical name the spec came from, when known.
        path: Location inside the spec (e.g. ``nodes[2].tool``), when known.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        path: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.source = source
        self.path = path
        where = ":".join(p for p in (source, path) if p)
        super().__init__(f"{where}: {message}" if where else message, hint=hint)


class ToolDefinitionError(UserError):
    """A tool cannot be built or registered (missing hints, duplicate names, ...)."""

    def __init__(self, tool: str, problem: str, *, hint: str | None = None) -> None:
        self.tool = tool
        self.problem = problem
        super().__init__(f"tool {tool!r}: {problem}", hint=hint)


class ApprovalPending(UserError):
    """A new message was sent to a thread that is waiting for an approval decision."""


class AgentRuntimeError(GemmaAgentsError):
    """Something failed while running; the environment, not the code, needs fixing."""


class RuntimeUnavailable(AgentRuntimeError):
    """No inference runtime could be reached or loaded."""


class ModelNotFound(AgentRuntimeError):
    """The runtime is up but does not have the requested model."""

    def __init__(self, model: str, *, hint: str | None = None) -> None:
        self.model = model
        super().__init__(
            f"model {model!r} is not available",
            hint=hint or f"run `gemma-agents models pull {model}`",
        )


class UnsupportedFeature(AgentRuntimeError):
    """The model or runtime cannot do what was asked (tools, vision, JSON schema...)."""


class InferenceError(AgentRuntimeError):
    """The runtime answered with an error.

    Attributes:
        status_code: HTTP status when the error came over HTTP, else ``None``.
    """

    def __init__(self, message: str, *, status_code: int | None = None, hint: str | None = None):
        self.status_code = status_code
        super().__init__(message, hint=hint)


class ModelBehaviorError(AgentRuntimeError):
    """The model kept producing unusable output after every correction and retry."""


class ToolExecutionError(AgentRuntimeError):
    """A tool raised while running."""

    def __init__(self, tool: str, message: str, *, hint: str | None = None) -> None:
        self.tool = tool
        super().__init__(f"tool {tool!r} failed: {message}", hint=hint)


class ToolTimeout(ToolExecutionError):
    """A tool ran past its timeout."""


class GuardrailBlocked(AgentRuntimeError):
    """A guardrail blocked an input, tool call, tool result or answer."""

    def __init__(self, message: str, *, reasons: list[str] | None = None) -> None:
        self.reasons = list(reasons or [])
        super().__init__(message)


class MemoryStoreError(AgentRuntimeError):
    """The memory store failed or holds data it cannot use."""


class EmbedderMismatch(MemoryStoreError):
    """A collection was written by another embedder than the one opening it."""
