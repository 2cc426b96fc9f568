"""What every node needs: the agent's parts, resolved once when the graph is built.

Nodes are closures over one :class:`GraphDeps`, so nothing is re-bound, re-rendered or
looked up per call: the tool-bound model, the tool map and the guard pipeline are built
once by :class:`~gemma_agents.graph.agent.Agent` and shared by every thread.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable, RunnableConfig

from ...guardrails._types import Decision, GuardContext
from ..journal import ToolJournal
from ..state import AgentState, message_text

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from ...guardrails.pipeline import GuardrailPipeline
    from ...memory._types import MemoryStore
    from ...tools._tool import Tool

__all__ = [
    "DEFAULT_SYSTEM_PROMPT",
    "GraphDeps",
    "calls_of",
    "decision_record",
    "guard_context",
    "make_node",
    "stream_writer",
    "thread_id_of",
]

DEFAULT_SYSTEM_PROMPT = (
    "You are a helpful assistant. Use the tools when they help; answer directly when "
    "they do not. Keep answers short and exact."
)


@dataclass
class GraphDeps:
    """The resolved parts of an agent, shared by all nodes (read-only after build).

    Attributes:
        model: The chat model without tools (used to force a final answer).
        bound: The model with the tools bound (the normal step).
        constrained: The tool-bound model at a lower temperature, for the loop
            detector's constrained retry (the bound model when that is impossible).
        tools: Tools by name.
        guards: The guardrail pipeline, or ``None`` when guardrails are off.
        memory: Long-term memory, or ``None``.
        journal: Tool execution journal.
        system_prompt: Instructions placed first in every model call.
        max_steps: Model calls per turn before a final answer is forced.
        tool_timeout: Cap on each tool's timeout (seconds).
        max_result_chars: Size cap on tool results shown to the model.
        tool_retries: Extra attempts for transient tool failures.
        recall_k / recall_threshold / recall_token_budget: Memory recall settings.
        redactor: Applied to episode summaries before they are stored.
    """

    model: BaseChatModel
    bound: Runnable[Any, Any]
    constrained: Runnable[Any, Any]
    tools: Mapping[str, Tool]
    guards: GuardrailPipeline | None = None
    memory: MemoryStore | None = None
    journal: ToolJournal | None = None
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    max_steps: int = 8
    tool_timeout: float | None = None
    max_result_chars: int = 4000
    tool_retries: int = 2
    recall_k: int = 3
    recall_threshold: float = 0.3
    recall_token_budget: int = 400
    redactor: Callable[[str], str] | None = None
    stages: frozenset[str] = field(default_factory=frozenset)

    def guarded(self, stage: str) -> bool:
        """Whether some guard runs at ``stage`` (so the graph needs that node at all)."""
        return self.guards is not None and stage in self.stages

    def needs_approval(self, name: str) -> bool:
        tool = self.tools.get(name)
        return bool(tool and tool.requires_approval)


def thread_id_of(config: RunnableConfig | None) -> str:
    """The thread id of the run (``""`` outside a checkpointed run)."""
    return str(((config or {}).get("configurable") or {}).get("thread_id") or "")


def guard_context(state: AgentState, config: RunnableConfig | None) -> GuardContext:
    """Who and where, plus what the limits and ShieldGemma guards cannot see in the text.

    ``extra`` carries the thread's message count, the attachments of the latest user
    message (base64 strings or URLs from image content parts) and that message's text, so
    the response check can include the question it answers.
    """
    messages = state.get("messages") or []
    last_user = next((m for m in reversed(messages) if m.type == "human"), None)
    return GuardContext(
        user_id=state.get("user_id") or "default",
        thread_id=thread_id_of(config) or None,
        channel=state.get("channel"),
        extra={
            "message_count": len(messages),
            "attachments": _attachments(last_user.content) if last_user is not None else [],
            "user_message": message_text(last_user) if last_user is not None else "",
        },
    )


def _attachments(content: Any) -> list[str]:
    """Image payloads of a message's content parts (data URLs reduced to their base64)."""
    if not isinstance(content, list):
        return []
    found: list[str] = []
    for part in content:
        if not isinstance(part, Mapping):
            continue
        url = part.get("image_url")
        if isinstance(url, Mapping):
            url = url.get("url")
        data = url if isinstance(url, str) else part.get("data") or part.get("base64")
        if isinstance(data, str):
            found.append(data.split(",", 1)[1] if data.startswith("data:") else data)
    return found


def decision_record(decision: Decision, *, call_id: str | None = None) -> dict[str, Any]:
    """A decision as stored in the state (plain data, checkpoint-friendly)."""
    record = decision.to_dict()
    record["reasons"] = list(decision.reasons)
    if call_id is not None:
        record["call_id"] = call_id
    return record


def calls_of(message: AIMessage | None) -> list[dict[str, Any]]:
    """The valid tool calls of an assistant message (LangChain ``ToolCall`` dicts)."""
    if message is None:
        return []
    return [dict(call) for call in message.tool_calls or []]


def _no_writer(_: Any) -> None:
    return None


def stream_writer() -> Callable[[Any], None]:
    """LangGraph's custom-stream writer, or a no-op outside a graph run."""
    try:
        from langgraph.config import get_stream_writer

        return get_stream_writer()
    except RuntimeError:
        return _no_writer


def make_node(
    name: str,
    func: Callable[..., Any],
    afunc: Callable[..., Awaitable[Any]],
) -> Runnable[Any, Any]:
    """A graph node with a sync and an async body and no tracing span of its own.

    LangGraph's own ``ToolNode`` is built the same way; the callable injects ``config``
    and ``writer`` by parameter name.
    """
    try:
        from langgraph._internal._runnable import RunnableCallable
    except ImportError:  # pragma: no cover - older/newer layouts: public fallback
        from langchain_core.runnables import RunnableLambda

        return RunnableLambda(func, afunc=afunc, name=name)
    return RunnableCallable(func, afunc, name=name, trace=False)
