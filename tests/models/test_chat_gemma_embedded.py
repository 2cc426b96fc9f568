"""ChatGemma on the real embedded Gemma 3 270M (base model, constrained mode, greedy)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, ToolMessage

from gemma_agents.models import ChatGemma
from gemma_agents.tools.plugins import load_module_from_path, tools_from_object

pytestmark = pytest.mark.embedded

PACKS = Path(__file__).resolve().parents[2] / "tools"


@pytest.fixture(scope="module")
def runtime() -> Iterator[Any]:
    pytest.importorskip("llama_cpp")
    from gemma_agents.runtime import get_runtime

    rt = get_runtime("llamacpp:gemma3-270m")
    yield rt
    rt.close()


@pytest.fixture(scope="module")
def demo_tools() -> list[Any]:
    """The tools `gemma-agents run` binds by default: the calculator and clock packs."""
    tools: list[Any] = []
    for pack in ("calculator", "clock"):
        tools.extend(tools_from_object(load_module_from_path(PACKS / f"{pack}.py")))
    return tools


def test_strategy_for_the_270m(runtime: Any) -> None:
    strategy = ChatGemma(runtime).strategy
    assert (strategy.mode, strategy.few_shot) == ("constrained", True)


def test_calculator_demo_calls_then_answers(runtime: Any, demo_tools: list[Any]) -> None:
    llm = ChatGemma(runtime, options={"seed": 0}).bind_tools(demo_tools)
    question = "What is 355 divided by 113?"
    first = llm.invoke(question)
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [
        ("calculator", {"expression": "355/113"})
    ]
    calculator = next(t for t in demo_tools if t.name == "calculator")
    result = calculator.run(first.tool_calls[0]["args"])
    assert str(result).startswith("3.14159")
    tool_message = ToolMessage(str(result), tool_call_id=first.tool_calls[0]["id"])
    final = llm.invoke([HumanMessage(question), first, tool_message])
    assert final.tool_calls == []
    assert "3.14159" in final.content
    # The answer step extends the call step's prompt: the KV cache covers all of it.
    assert final.usage_metadata is not None and first.usage_metadata is not None
    cached = final.usage_metadata["input_token_details"]["cache_read"]
    assert cached >= first.usage_metadata["input_tokens"] - 2


def test_final_answer_without_tool(runtime: Any, demo_tools: list[Any]) -> None:
    llm = ChatGemma(runtime, options={"seed": 0}).bind_tools(demo_tools)
    msg = llm.invoke("Hello!")
    assert msg.tool_calls == [] and msg.invalid_tool_calls == []
    assert msg.content.strip()
    assert msg.response_metadata["mode"] == "constrained"
