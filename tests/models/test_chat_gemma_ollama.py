"""ChatGemma against the fake Ollama server: native calls and the fallback on HTTP 400."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gemma_agents.models import ChatGemma
from gemma_agents.runtime.ollama import OllamaRuntime
from gemma_agents.testing.fake_ollama import FakeOllama, FakeReply

WEATHER = {
    "name": "get_weather",
    "description": "Get the current weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


@pytest.fixture
def server() -> Iterator[FakeOllama]:
    with FakeOllama() as srv:
        yield srv


def _runtime(server: FakeOllama, model: str) -> OllamaRuntime:
    return OllamaRuntime(model, host=server.url, timeout=10, retries=1, retry_wait=0.0)


def _with_tools(server: FakeOllama) -> list[dict[str, Any]]:
    return [b for b in server.bodies("/api/chat") if b.get("tools")]


def test_gemma4_uses_native_tool_calls(server: FakeOllama) -> None:
    server.chat_handler = lambda body: FakeReply(
        tool_calls=[{"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]
    )
    llm = ChatGemma(_runtime(server, "gemma4:e4b"))
    msg = llm.bind_tools([WEATHER]).invoke("Weather in Paris?")
    assert msg.response_metadata["mode"] == "native"
    assert [(c["name"], c["args"]) for c in msg.tool_calls] == [("get_weather", {"city": "Paris"})]
    (body,) = _with_tools(server)
    assert body["tools"][0]["function"]["name"] == "get_weather"
    assert body["options"]["temperature"] == 0.0


def _reply(body: dict[str, Any]) -> FakeReply:
    if body.get("tools"):
        return FakeReply(
            tool_calls=[{"function": {"name": "get_weather", "arguments": {"city": "Rome"}}}]
        )
    return FakeReply(content='<|tool_call>call:get_weather{city:<|"|>Rome<|"|>}<tool_call|>')


def test_native_refused_falls_back_to_prompted_once(server: FakeOllama) -> None:
    server.chat_handler = _reply
    server.fail_next(
        "/api/chat", 400, "registry.ollama.ai/library/gemma4:e4b does not support tools"
    )
    llm = ChatGemma(_runtime(server, "gemma4:e4b"))
    bound = llm.bind_tools([WEATHER])
    first = bound.invoke("Weather in Rome?")
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [("get_weather", {"city": "Rome"})]
    assert first.response_metadata["mode"] == "prompted"
    assert first.response_metadata["dialect"] == "gemma4"
    second = bound.invoke("Weather in Rome again?")
    assert second.tool_calls[0]["args"] == {"city": "Rome"}
    # Only the very first request offered native tools; the refusal is remembered.
    assert len(_with_tools(server)) == 1
    prompted = server.bodies("/api/chat")[-1]
    assert "get_weather" in prompted["messages"][0]["content"]
    assert prompted["messages"][0]["role"] == "system"


def test_model_without_tools_capability_gets_real_400_then_prompted(server: FakeOllama) -> None:
    server.chat_handler = lambda body: FakeReply(content='[get_weather(city="Oslo")]')
    llm = ChatGemma(_runtime(server, "gemma3:4b"), mode="native")
    msg = llm.bind_tools([WEATHER]).invoke("Weather in Oslo?")
    assert msg.tool_calls[0]["args"] == {"city": "Oslo"}
    assert llm.strategy.mode == "prompted" and llm.strategy.dialect == "gemma3"
    bodies = server.bodies("/api/chat")
    assert len(bodies) == 2 and bodies[0].get("tools") and not bodies[1].get("tools")
    # Gemma 3 has no system turn: the tool prompt leads the first user message.
    assert bodies[1]["messages"][0]["role"] == "user"
    assert bodies[1]["messages"][0]["content"].rstrip().endswith("Weather in Oslo?")


def test_streaming_falls_back_too(server: FakeOllama) -> None:
    server.chat_handler = lambda body: FakeReply(content='Checking. [get_weather(city="Oslo")]')
    llm = ChatGemma(_runtime(server, "gemma3:4b"), mode="native")
    chunks = list(llm.bind_tools([WEATHER]).stream("Weather in Oslo?"))
    assert all("get_weather" not in str(c.content) for c in chunks)
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    assert merged.tool_calls[0]["args"] == {"city": "Oslo"}
    assert merged.usage_metadata is not None and merged.usage_metadata["output_tokens"] > 0


def test_prompted_gemma3_on_ollama_repairs_with_format(server: FakeOllama) -> None:
    replies = iter(['[get_weather(town="Oslo")]', '{"city": "Oslo"}'])
    server.chat_handler = lambda body: FakeReply(content=next(replies))
    llm = ChatGemma(_runtime(server, "gemma3:4b"))
    msg = llm.bind_tools([WEATHER]).invoke("Weather in Oslo?")
    assert msg.tool_calls[0]["args"] == {"city": "Oslo"}
    repair_body = server.bodies("/api/chat")[1]
    assert repair_body["format"]["required"] == ["city"]
    assert msg.response_metadata["repairs"][0]["ok"] is True
