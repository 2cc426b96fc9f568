"""``Agent``: the Gemma tool-calling agent most users start from.

One object owns one compiled LangGraph graph (built once; the tools bound to the model
once), a checkpointer and a tool journal. Each ``invoke`` is one *turn* of a *thread*:
the user's message is appended to the thread, per-turn counters are reset, and the graph
runs until it answers, is blocked, or pauses for approval::

    agent = Agent("ollama:gemma3:4b", tools=[calculator])
    result = agent.invoke("What is 355 / 113?", thread_id="t1")
    result.answer, result.tool_calls

    # a tool with requires_approval=True pauses the run:
    result = agent.invoke("delete old.txt", thread_id="t2")
    result.interrupt            # PendingApproval(name="files.delete", ...)
    agent.resume("t2", approve())   # or edit({...}) / reject("why")

``Agent.graph`` is the compiled graph: embed it, inspect it, or draw it. A process that
died mid-run is continued with ``resume(thread_id)`` (or simply the next ``invoke`` on the
thread): the run restarts from the last checkpoint and the journal keeps non-idempotent
tools from running twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import RunnableConfig
from langgraph.errors import GraphRecursionError
from langgraph.types import Command, Durability, StreamMode

from ..exceptions import ApprovalPending, ConfigError
from .builder import build_state_graph
from .checkpoint import CheckpointSpec, Persistence, resolve_checkpointer
from .events import AgentEvent, FinalEvent
from .journal import ToolJournal
from .loop import recursion_limit as default_recursion_limit
from .nodes import DEFAULT_SYSTEM_PROMPT, GraphDeps
from .nodes.model import compose_answer
from .resolve import (
    bind_tools,
    colder_model,
    default_redactor,
    resolve_guards,
    resolve_model,
    resolve_tools,
    user_message,
)
from .result import AgentResult, normalize_decision
from .state import turn_reset
from .streaming import EventTranslator, result_from_snapshot, result_from_values

if TYPE_CHECKING:
    from langgraph.graph.state import CompiledStateGraph

    from ..guardrails._types import Guardrail
    from ..guardrails.pipeline import GuardrailPipeline
    from ..memory._types import MemoryStore
    from ..runtime.base import Runtime
    from ..tools.registry import ToolRegistry

__all__ = ["Agent", "ApprovalPending"]

log = logging.getLogger(__name__)

STREAM_MODES: list[StreamMode] = ["messages", "custom", "updates"]


class Agent:
    """A Gemma agent: model + tools + memory + guardrails on a LangGraph state machine.

    Args:
        model: ``"auto"``, a model string (``"ollama:gemma3:4b"``,
            ``"llamacpp:gemma3-270m"``, ``"openai:http://host/v1#model"``), a
            :class:`~gemma_agents.runtime.base.Runtime`, or any LangChain chat model.
        tools: Tools, ``@tool`` functions, plain typed functions, LangChain tools, or a
            :class:`~gemma_agents.tools.ToolRegistry`.
        memory: Long-term memory store; recall before the first model call and an episode
            summary after the answer (per ``user_id``).
        guardrails: ``None`` for the default guardrails, ``False`` for none, a pipeline
            or a list of guards.
        checkpointer: ``"memory"`` (default), ``"sqlite"`` (data dir), a SQLite path, a
            ``postgresql://`` DSN, or a LangGraph saver.
        system_prompt: Instructions placed first in every model call.
        max_steps: Model calls per turn before a final answer is forced.
        tool_timeout: Cap in seconds on every tool's own timeout.
        max_result_chars: Tool results longer than this are cut (with a note).
        recall_k: Memories recalled per turn.
        recall_threshold: Minimum similarity of a recalled memory.
        tool_retries: Extra attempts for transient tool failures.
        journal: Tool-execution journal; defaults to one stored with the checkpoints.
        redactor: Applied to memories before they are written; defaults to the
            guardrails' PII redaction when guardrails are on.
        name: Graph name (shown in traces and as a subgraph).
        recursion_limit: LangGraph super-step limit per run; derived from ``max_steps``
            with a wide margin when not given. Hitting it still ends in an answer.
    """

    def __init__(
        self,
        model: str | Runtime | BaseChatModel = "auto",
        tools: ToolRegistry | Iterable[Any] | None = None,
        *,
        memory: MemoryStore | None = None,
        guardrails: GuardrailPipeline | Sequence[Guardrail] | bool | None = None,
        checkpointer: CheckpointSpec = None,
        system_prompt: str | None = None,
        max_steps: int = 8,
        tool_timeout: float | None = None,
        max_result_chars: int = 4000,
        recall_k: int = 3,
        recall_threshold: float = 0.3,
        tool_retries: int = 2,
        journal: ToolJournal | None = None,
        redactor: Callable[[str], str] | None = None,
        name: str = "gemma_agent",
        recursion_limit: int | None = None,
    ) -> None:
        if max_steps < 1:
            raise ConfigError("max_steps must be at least 1", hint="e.g. max_steps=8")
        self.model = resolve_model(model)
        self.tools = resolve_tools(tools)
        guards = resolve_guards(guardrails)
        self.guardrails = guards
        self.memory = memory
        self.max_steps = max_steps
        self._persistence: Persistence = resolve_checkpointer(checkpointer, journal=journal)
        bound = bind_tools(self.model, self.tools)
        self.deps = GraphDeps(
            model=self.model,
            bound=bound,
            constrained=colder_model(self.model, self.tools, bound),
            tools=self.tools,
            guards=guards,
            memory=memory,
            journal=self._persistence.journal,
            system_prompt=DEFAULT_SYSTEM_PROMPT if system_prompt is None else system_prompt,
            max_steps=max_steps,
            tool_timeout=tool_timeout,
            max_result_chars=max_result_chars,
            tool_retries=tool_retries,
            recall_k=recall_k,
            recall_threshold=recall_threshold,
            redactor=redactor or (default_redactor(guards) if memory is not None else None),
            stages=frozenset(guards.stages()) if guards is not None else frozenset(),
        )
        self.name = name
        self.graph: CompiledStateGraph[Any, Any, Any, Any] = self.state_graph().compile(
            checkpointer=self._persistence.saver, name=name
        )
        # A durable saver must have the checkpoint before ``execute`` on disk before a tool
        # runs (crash recovery). An in-memory saver dies with the process anyway, so it
        # writes once when the run exits (or pauses, or fails), which is much cheaper.
        self._durability: Durability = "sync" if self._persistence.durable else "exit"
        self._limit = recursion_limit or default_recursion_limit(max_steps)

    # -- building ---------------------------------------------------------------------

    def state_graph(self) -> Any:
        """A fresh, uncompiled copy of the graph, to extend with nodes and compile."""
        return build_state_graph(self.deps)

    def as_subgraph(self) -> CompiledStateGraph[Any, Any, Any, Any]:
        """The graph compiled without a checkpointer, to be a node of a bigger graph.

        It then persists through the parent's checkpointer, and exchanges ``messages``
        with a parent whose state has that key (e.g. LangGraph's ``MessagesState``).
        """
        return self.state_graph().compile(name=self.name)

    @property
    def checkpointer(self) -> Any:
        return self._persistence.saver

    def close(self) -> None:
        """Release the checkpoint database connections."""
        self._persistence.close()

    def __enter__(self) -> Agent:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _config(self, thread_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": thread_id}, "recursion_limit": self._limit}

    def _input(
        self,
        message: str | BaseMessage,
        user_id: str,
        channel: str | None,
        *,
        fresh: bool = False,
    ) -> dict[str, Any]:
        """The turn's input: the message plus the per-turn fields reset.

        A thread we just created has no earlier turn to reset, so it gets only what
        differs from the defaults the nodes assume (fewer channel writes per run).
        """
        if fresh:
            inputs: dict[str, Any] = {"messages": [user_message(message)], "user_id": user_id}
            if channel is not None:
                inputs["channel"] = channel
            return inputs
        return {"messages": [user_message(message)], **turn_reset(user_id, channel)}

    # -- sync API ---------------------------------------------------------------------

    def invoke(
        self,
        message: str | BaseMessage,
        *,
        thread_id: str | None = None,
        user_id: str = "default",
        channel: str | None = None,
    ) -> AgentResult:
        """Run one turn and return its result (which may be paused for approval).

        Raises:
            ApprovalPending: the thread waits for an approval decision; resume it first.
        """
        config = self._config(thread_id or uuid.uuid4().hex)
        inputs = self._input(message, user_id, channel, fresh=thread_id is None)
        if thread_id is not None:  # a fresh thread has nothing to settle
            self._settle(config)
        return self._run(inputs, config)

    def resume(self, thread_id: str, decision: Any = None) -> AgentResult:
        """Continue a paused run with a decision, or a crashed run with no decision.

        Args:
            thread_id: The thread to continue.
            decision: ``approve()``, ``edit({...})``, ``reject("why")`` (or ``"approve"``
                / ``"reject"`` / the dict) for a run paused for approval; ``None`` to
                continue a run that stopped mid-way (crash, ``kill -9``).

        Raises:
            ConfigError: a decision is missing, malformed or not expected.
        """
        config = self._config(thread_id)
        return self._run(self._resume_input(config, decision), config)

    def stream(
        self,
        message: str | BaseMessage | None = None,
        *,
        thread_id: str | None = None,
        user_id: str = "default",
        channel: str | None = None,
        resume: Any = None,
        hold_tokens: bool = False,
    ) -> Iterator[AgentEvent]:
        """Run a turn (or resume one) and yield events as they happen.

        Yields :class:`TokenEvent` (user-visible model text), tool start/end, guard and
        approval events, then one :class:`FinalEvent` whose result is authoritative: the
        output guard may change an answer after its tokens were streamed. With
        ``hold_tokens=True`` no text is streamed live; the guarded answer comes as a
        single token event just before the final event.
        """
        fresh = thread_id is None
        thread_id = thread_id or uuid.uuid4().hex
        config = self._config(thread_id)
        if message is None and resume is None:
            raise ConfigError("stream() needs a message or a resume decision")
        if message is not None:
            if not fresh:
                self._settle(config)
            inputs: Any = self._input(message, user_id, channel, fresh=fresh)
        else:
            inputs = self._resume_input(config, resume)
        translator = EventTranslator(hold_tokens=hold_tokens)
        try:
            for mode, payload in self.graph.stream(
                inputs,
                config,
                stream_mode=STREAM_MODES,
                durability=self._durability,
            ):
                yield from translator.translate(mode, payload)
        except GraphRecursionError:
            result = self._recursion_fallback(config)
        else:
            result = self.result(thread_id)
        yield from translator.finish(result)
        yield FinalEvent(result)

    def result(self, thread_id: str) -> AgentResult:
        """The thread's latest turn as an :class:`AgentResult` (from its checkpoint)."""
        config = self._config(thread_id)
        return result_from_snapshot(self.graph.get_state(config), thread_id)

    # -- async API --------------------------------------------------------------------

    async def ainvoke(
        self,
        message: str | BaseMessage,
        *,
        thread_id: str | None = None,
        user_id: str = "default",
        channel: str | None = None,
    ) -> AgentResult:
        """Async :meth:`invoke`."""
        config = self._config(thread_id or uuid.uuid4().hex)
        inputs = self._input(message, user_id, channel, fresh=thread_id is None)
        if thread_id is not None:
            await self._asettle(config)
        return await self._arun(inputs, config)

    async def aresume(self, thread_id: str, decision: Any = None) -> AgentResult:
        """Async :meth:`resume`."""
        config = self._config(thread_id)
        snapshot = await self.graph.aget_state(config)
        return await self._arun(self._resume_from(snapshot, decision), config)

    async def astream(
        self,
        message: str | BaseMessage | None = None,
        *,
        thread_id: str | None = None,
        user_id: str = "default",
        channel: str | None = None,
        resume: Any = None,
        hold_tokens: bool = False,
    ) -> AsyncIterator[AgentEvent]:
        """Async :meth:`stream`."""
        fresh = thread_id is None
        thread_id = thread_id or uuid.uuid4().hex
        config = self._config(thread_id)
        if message is None and resume is None:
            raise ConfigError("astream() needs a message or a resume decision")
        if message is not None:
            if not fresh:
                await self._asettle(config)
            inputs: Any = self._input(message, user_id, channel, fresh=fresh)
        else:
            inputs = self._resume_from(await self.graph.aget_state(config), resume)
        translator = EventTranslator(hold_tokens=hold_tokens)
        try:
            async for mode, payload in self.graph.astream(
                inputs,
                config,
                stream_mode=STREAM_MODES,
                durability=self._durability,
            ):
                for event in translator.translate(mode, payload):
                    yield event
        except GraphRecursionError:
            result = self._recursion_fallback(config)
        else:
            result = result_from_snapshot(await self.graph.aget_state(config), thread_id)
        for event in translator.finish(result):
            yield event
        yield FinalEvent(result)

    # -- internals --------------------------------------------------------------------

    def _run(self, inputs: Any, config: RunnableConfig) -> AgentResult:
        try:
            values = self.graph.invoke(inputs, config, durability=self._durability)
        except GraphRecursionError:
            return self._recursion_fallback(config)
        return result_from_values(values, _thread(config))

    async def _arun(self, inputs: Any, config: RunnableConfig) -> AgentResult:
        try:
            values = await self.graph.ainvoke(inputs, config, durability=self._durability)
        except GraphRecursionError:
            return self._recursion_fallback(config)
        return result_from_values(values, _thread(config))

    def _resume_input(self, config: RunnableConfig, decision: Any) -> Any:
        return self._resume_from(self.graph.get_state(config), decision)

    @staticmethod
    def _resume_from(snapshot: Any, decision: Any) -> Any:
        if snapshot.interrupts:
            if decision is None:
                raise ConfigError(
                    "this thread is waiting for an approval decision",
                    hint="resume(thread_id, approve()) / edit({...}) / reject('why')",
                )
            return Command(resume=normalize_decision(decision))
        if not snapshot.next:
            raise ConfigError(
                "nothing to resume: the thread has no paused or unfinished run",
                hint="send a new message with invoke()",
            )
        if decision is not None:
            raise ConfigError(
                "the thread's run stopped mid-way (no approval is pending)",
                hint="continue it with resume(thread_id) and no decision",
            )
        return None

    def _settle(self, config: RunnableConfig) -> None:
        """Before a new message: finish a crashed run; refuse while approval is pending."""
        snapshot = self.graph.get_state(config)
        if not snapshot.next:
            return
        self._check_not_paused(snapshot, config)
        log.warning("thread %s has an unfinished run; finishing it first", _thread(config))
        self._run(None, config)

    async def _asettle(self, config: RunnableConfig) -> None:
        snapshot = await self.graph.aget_state(config)
        if not snapshot.next:
            return
        self._check_not_paused(snapshot, config)
        log.warning("thread %s has an unfinished run; finishing it first", _thread(config))
        await self._arun(None, config)

    @staticmethod
    def _check_not_paused(snapshot: Any, config: RunnableConfig) -> None:
        if snapshot.interrupts:
            raise ApprovalPending(
                f"thread {_thread(config)!r} is waiting for an approval decision",
                hint="call agent.resume(thread_id, approve() | edit({...}) | reject('why')) first",
            )

    def _recursion_fallback(self, config: RunnableConfig) -> AgentResult:
        """Never surface GraphRecursionError: answer from what the tools returned.

        The answer is written into the thread as if the last node had produced it, so the
        thread is closed cleanly and the next message starts a fresh turn.
        """
        snapshot = self.graph.get_state(config)
        text = compose_answer(snapshot.values, looped=False)
        last = "output" if "output" in self.graph.nodes else "finalize"
        self.graph.update_state(
            config,
            {"messages": [AIMessage(content=text)], "answer": text, "status": "budget"},
            as_node=last,
        )
        return result_from_snapshot(self.graph.get_state(config), _thread(config))


def _thread(config: RunnableConfig) -> str:
    return str((config.get("configurable") or {}).get("thread_id", ""))
