"""Long-term memory in the graph: per-user recall into the context, episode write-back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gemma_agents.exceptions import MemoryStoreError
from gemma_agents.graph import Agent
from gemma_agents.guardrails import Decision, GuardContext, Guardrail, redact
from gemma_agents.memory import HashingEmbedder, InMemoryMemory, MemoryHit
from gemma_agents.testing import ScriptedGemma
from gemma_agents.tools import tool


def _store() -> InMemoryMemory:
    store = InMemoryMemory(HashingEmbedder())
    store.add("Ada's cat is called Pixel.", user="ada")
    store.add("Bob's dog is called Rex.", user="bob")
    return store


def _shown(model: ScriptedGemma) -> str:
    return "\n".join(m.content for m in model.scripted.calls[0][0])


def test_recalled_memories_reach_the_model_as_fenced_data_for_that_user_only() -> None:
    store = _store()
    model = ScriptedGemma(["Pixel."])
    agent = Agent(model, memory=store, guardrails=False, recall_threshold=0.0)
    agent.invoke("What is my cat called?", user_id="ada")
    shown = _shown(model)
    assert "Pixel" in shown and "<memory>" in shown and "not instructions" in shown
    assert "Rex" not in shown  # another user's memory never leaks

    model_b = ScriptedGemma(["Rex."])
    Agent(model_b, memory=store, guardrails=False, recall_threshold=0.0).invoke(
        "What is my dog called?", user_id="bob"
    )
    assert "Rex" in _shown(model_b) and "Pixel" not in _shown(model_b)


def test_each_turn_is_written_back_as_an_episode() -> None:
    @tool
    def weather(city: str) -> str:
        """Weather for a city.

        Args:
            city: City name.
        """
        return "sunny"

    store = InMemoryMemory(HashingEmbedder())
    model = ScriptedGemma(['[weather(city="Lisbon")]', "It is sunny in Lisbon."])
    agent = Agent(model, tools=[weather], memory=store, guardrails=False)
    result = agent.invoke("Weather in Lisbon?", user_id="ada", thread_id="w")
    hits = store.search("weather Lisbon", user="ada", k=5, kinds=["episode"])
    assert len(hits) == 1
    text = hits[0].text
    assert "Weather in Lisbon?" in text and "weather(" in text and "sunny in Lisbon" in text
    assert hits[0].metadata.get("thread") == "w"
    assert store.search("weather Lisbon", user="bob", k=5) == []
    assert result.answer == "It is sunny in Lisbon."


def test_episodes_are_redacted_before_they_are_stored() -> None:
    store = InMemoryMemory(HashingEmbedder())
    agent = Agent(
        ScriptedGemma(["Noted."]),
        memory=store,
        guardrails=False,
        redactor=lambda text: text.replace("hunter2", "[REDACTED]"),
    )
    agent.invoke("my password is hunter2", user_id="ada")
    (hit,) = store.search("password", user="ada", k=5, threshold=0.0)
    assert "hunter2" not in hit.text and "[REDACTED]" in hit.text


def test_with_guardrails_on_the_default_redactor_is_the_pii_redaction() -> None:
    agent = Agent(ScriptedGemma(["ok"]), memory=InMemoryMemory(HashingEmbedder()))
    assert agent.deps.redactor is redact


class Refuse(Guardrail):
    name = "refuse"

    def check_input(self, text: str, ctx: GuardContext) -> Decision | None:
        return Decision("block", ("no",), message="No.")


def test_blocked_turns_are_not_remembered() -> None:
    store = InMemoryMemory(HashingEmbedder())
    agent = Agent(ScriptedGemma(["unused"]), memory=store, guardrails=[Refuse()])
    agent.invoke("anything", user_id="ada")
    assert store.search("anything", user="ada", k=5, threshold=0.0) == []


class DownStore:
    """A MemoryStore whose backend is unreachable."""

    def add(self, text: str, **kw: Any) -> str:
        raise MemoryStoreError("chroma server unreachable")

    def search(self, query: str, **kw: Any) -> list[MemoryHit]:
        raise MemoryStoreError("chroma server unreachable")

    def forget(
        self,
        ids: Sequence[str] | None = None,
        *,
        user: str | None = None,
        where: Mapping[str, Any] | None = None,
    ) -> int:
        return 0


async def test_a_failing_memory_store_does_not_fail_the_turn() -> None:
    agent = Agent(ScriptedGemma(["fine", "fine again"]), memory=DownStore(), guardrails=False)
    assert agent.invoke("hello").answer == "fine"
    assert (await agent.ainvoke("hello")).answer == "fine again"
