"""First-party pack: ``memory.remember`` / ``memory.recall`` / ``memory.forget``.

Lets the model manage long-term memory explicitly, on top of any
:class:`~gemma_agents.memory.MemoryStore`. The user id never comes from the model (it could
claim to be someone else): it is fixed when the tools are built
(``memory_tools(store, user="u1")``) or read from the agent's tool context at call time.
Recalled text is marked untrusted, since memories can hold text that came from tool
results; forgetting needs approval by default because it destroys data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from gemma_agents.tools import (
    Tool,
    ToolInputError,
    ToolResult,
    current_tool_context,
    function_to_tool,
)

if TYPE_CHECKING:
    from gemma_agents.memory import MemoryStore

__all__ = ["memory_tools", "pack_tools"]


def memory_tools(
    store: MemoryStore,
    *,
    user: str | None = None,
    max_k: int = 20,
    forget_requires_approval: bool = True,
) -> list[Tool]:
    """Build the memory tools over ``store``.

    Args:
        store: Any MemoryStore (Chroma, in-memory, ...).
        user: Fixed user id; ``None`` reads ``current_tool_context().user_id`` per call.
        max_k: Most memories one recall returns.
        forget_requires_approval: Pause for a human before deleting memories.
    """

    def who() -> str:
        return user if user is not None else current_tool_context().user_id

    def remember(text: str, kind: Literal["fact", "episode", "document"] = "fact") -> str:
        """Store a fact about the user or the conversation in long-term memory.

        Args:
            text: The fact to remember, as one self-contained sentence.
            kind: "fact" for stable facts, "episode" for what happened, "document" for notes.
        """
        if not text.strip():
            raise ToolInputError("memory.remember", "the text to remember is empty")
        memory_id = store.add(text.strip(), user=who(), kind=kind, source="tool:memory.remember")
        return f"remembered (id {memory_id})"

    def recall(query: str, k: int = 5) -> ToolResult:
        """Search long-term memory for what is known about a topic.

        Args:
            query: What to look for.
            k: How many memories to return at most.
        """
        hits = store.search(query, user=who(), k=max(1, min(k, max_k)))
        if not hits:
            return ToolResult("no matching memories", untrusted=True, source="memory")
        lines = [f"- [{hit.id}] {hit.text} (score {hit.score:.2f})" for hit in hits]
        return ToolResult("\n".join(lines), untrusted=True, source="memory")

    def forget(ids: list[str]) -> str:
        """Delete memories by id (ids are shown in brackets by memory.recall).

        Args:
            ids: The ids of the memories to delete.
        """
        if not ids:
            raise ToolInputError(
                "memory.forget", "no ids given", hint="call memory.recall to find ids"
            )
        count = store.forget(ids=ids, user=who())
        return f"forgot {count} memor{'y' if count == 1 else 'ies'}"

    common: dict[str, Any] = {"tags": ("memory", "builtin")}
    return [
        function_to_tool(remember, name="memory.remember", side_effects="write", idempotent=False, **common),
        function_to_tool(recall, name="memory.recall", side_effects="read", untrusted_output=True, **common),
        function_to_tool(
            forget, name="memory.forget", side_effects="write",
            requires_approval=forget_requires_approval, **common,
        ),
    ]  # fmt: skip


def pack_tools(config: Any = None) -> list[Tool]:
    """Tools for a :class:`~gemma_agents.tools.ToolsConfig`: none unless a store is given."""
    store = getattr(config, "memory", None)
    if store is None:
        return []
    return memory_tools(store, user=getattr(config, "memory_user", None))
