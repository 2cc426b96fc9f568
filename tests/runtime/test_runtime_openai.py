"""OpenAICompatRuntime over real HTTP against FakeOllama's ``/v1`` endpoints.

Covers the OpenAI wire details (SSE, JSON-string tool arguments, usage chunks, error
bodies, retries, keys); the real llama.cpp server test is test_runtime_openai_server.py.
"""

from __future__ import annotations

import base64
import json

import pytest

from gemma_agents.calls._types import ToolCall, ToolSpec
from gemma_agents.exceptions import (
    InferenceError,
    ModelNotFound,
    RuntimeUnavailable,
    UnsupportedFeature,
)
from gemma_agents.runtime.base import ChatResult, Message
from gemma_agents.runtime.openai import OpenAICompatRuntime
from gemma_agents.testing.fake_ollama import FakeOllama, FakeReply

CHAT = "/v1/chat/completions"
LOOKUP = ToolSpec(
    name="lookup",
    description="Find a record.",
    parameters={
        "type": "object",
        "properties": {"id": {"type": "integer"}, "tags": {"type": "array", "items": {}}},
        "required": ["id"],
    },
)


def make(fake: FakeOllama, model: str = "gemma3:4b", **kwargs: object) -> OpenAICompatRuntime:
    kwargs.setdefault("retry_wait", 0.0)
    kwargs.setdefault("timeout", 10.0)
    return OpenAICompatRuntime(f"{fake.url}/v1", model, **kwargs)  # type: ignore[arg-type]


def user(text: str) -> list[Message]:
    return [Message(role="user", content=text)]


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


def test_chat_maps_options_and_reads_usage(fake_ollama: FakeOllama) -> None:
    rt = make(fake_ollama, options={"temperature": 0.2, "num_ctx": 4096})
    result = rt.chat(user("hello there"), options={"num_predict": 50, "seed": 3})
    assert isinstance(result, ChatResult)
    assert (result.text, result.done_reason, result.model) == ("hello there", "stop", "gemma3:4b")
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (2, 2)
    assert result.usage.total_ms > 0
    body = fake_ollama.bodies(CHAT)[0]
    assert body["max_tokens"] == 50 and body["seed"] == 3 and body["temperature"] == 0.2
    assert "num_ctx" not in body and "options" not in body  # no OpenAI equivalent
    assert body["stream"] is False


def test_tool_call_arguments_are_decoded(fake_ollama: FakeOllama) -> None:
    fake_ollama.chat_handler = lambda body: FakeReply(
        tool_calls=[{"function": {"name": "lookup", "arguments": {"id": 7, "tags": ["a"]}}}]
    )
    result = make(fake_ollama, "gemma4:e4b").chat(user("find 7"), tools=[LOOKUP])
    assert isinstance(result, ChatResult)
    assert result.tool_calls == [ToolCall("lookup", {"id": 7, "tags": ["a"]}, dialect="native")]
    assert result.tool_calls[0].raw == '{"id": 7, "tags": ["a"]}'
    assert result.done_reason == "tool_calls"
    assert fake_ollama.bodies(CHAT)[0]["tools"] == [LOOKUP.to_openai()]


def test_stream_assembles_text_tool_calls_and_usage(fake_ollama: FakeOllama) -> None:
    fake_ollama.chat_handler = lambda body: FakeReply(
        content="Let me look that up",
        tool_calls=[{"function": {"name": "lookup", "arguments": {"id": 1}}}],
    )
    chunks = list(make(fake_ollama, "gemma4:e4b").chat(user("x"), tools=[LOOKUP], stream=True))
    assert "".join(c.text for c in chunks) == "Let me look that up"
    assert len([c for c in chunks if c.text]) == 5
    calls = [c for c in chunks if c.tool_calls]
    assert len(calls) == 1
    assert calls[0].tool_calls == [ToolCall("lookup", {"id": 1}, dialect="native")]
    final = chunks[-1]
    assert final.done and final.done_reason == "tool_calls"
    assert final.usage is not None and final.usage.completion_tokens > 0
    assert fake_ollama.bodies(CHAT)[0]["stream_options"] == {"include_usage": True}


def test_format_becomes_strict_json_schema(fake_ollama: FakeOllama) -> None:
    schema = {
        "title": "City answer",
        "type": "object",
        "properties": {"city": {"type": "string"}, "ok": {"type": "boolean"}},
        "required": ["city", "ok"],
    }
    result = make(fake_ollama).chat(user("Lyon"), format=schema)
    assert isinstance(result, ChatResult)
    assert json.loads(result.text) == {"city": "Lyon", "ok": False}
    sent = fake_ollama.bodies(CHAT)[0]["response_format"]
    assert sent == {
        "type": "json_schema",
        "json_schema": {"name": "City_answer", "schema": schema, "strict": True},
    }
    make(fake_ollama).chat(user("x"), format="json")
    assert fake_ollama.bodies(CHAT)[1]["response_format"] == {"type": "json_object"}


def test_rejected_json_schema_falls_back_to_json_object(fake_ollama: FakeOllama) -> None:
    # llama-cpp-python's server answers 500 with a validation error for json_schema
    fake_ollama.fail_next(
        CHAT,
        500,
        "1 validation error: ('body', 'response_format', 'type') Input should be 'text' or "
        "'json_object', input: 'json_schema'",
    )
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    rt = make(fake_ollama, retries=3)
    result = rt.chat(user("x"), format=schema)
    assert isinstance(result, ChatResult) and json.loads(result.text) == {"n": 0}
    bodies = fake_ollama.bodies(CHAT)
    assert len(bodies) == 2  # not retried as a 5xx: switched format at once
    assert bodies[1]["response_format"] == {"type": "json_object", "schema": schema}
    rt.chat(user("y"), format=schema)  # remembered
    assert fake_ollama.bodies(CHAT)[2]["response_format"]["type"] == "json_object"


def test_api_key_is_sent_and_never_shown(
    fake_ollama: FakeOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_ollama.api_key = "sk-secret-123"
    assert make(fake_ollama, api_key="sk-secret-123").chat(user("ok")).text == "ok"  # type: ignore[union-attr]
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-123")
    assert make(fake_ollama).list_models()  # picked up from the environment
    bad = make(fake_ollama, api_key="sk-wrong-456", retries=3)
    with pytest.raises(InferenceError) as info:
        bad.chat(user("x"))
    assert info.value.status_code == 401 and "OPENAI_API_KEY" in (info.value.hint or "")
    assert "sk-wrong-456" not in str(info.value) and "sk-wrong-456" not in repr(bad)
    assert fake_ollama.count(CHAT) == 2  # the 401 was not retried
    health = bad.health()
    assert not health.ok and "sk-wrong" not in health.detail


def test_unknown_model_and_wrong_path(fake_ollama: FakeOllama) -> None:
    with pytest.raises(ModelNotFound, match="gemma3:27b"):
        make(fake_ollama, "gemma3:27b").chat(user("x"))
    no_v1 = OpenAICompatRuntime(fake_ollama.url, "gemma3:4b", retry_wait=0.0)
    with pytest.raises(InferenceError) as info:
        no_v1.chat(user("x"))
    assert info.value.status_code == 404 and "/v1" in (info.value.hint or "")


def test_retry_on_5xx_not_on_4xx(fake_ollama: FakeOllama) -> None:
    fake_ollama.fail_next(CHAT, 503, "overloaded", times=2)
    assert make(fake_ollama, retries=3).chat(user("fine")).text == "fine"  # type: ignore[union-attr]
    assert fake_ollama.count(CHAT) == 3
    fake_ollama.fail_next(CHAT, 400, "bad temperature", times=3)
    with pytest.raises(InferenceError, match="bad temperature") as info:
        make(fake_ollama, retries=3).chat(user("x"))
    assert info.value.status_code == 400
    assert fake_ollama.count(CHAT) == 4


def test_stream_open_retries_then_errors_mid_stream(fake_ollama: FakeOllama) -> None:
    fake_ollama.fail_next(CHAT, 502, "bad gateway")
    chunks = list(make(fake_ollama).chat(user("a b c"), stream=True))  # type: ignore[arg-type]
    assert "".join(c.text for c in chunks) == "a b c"
    fake_ollama.error_mid_stream(CHAT, "CUDA out of memory")
    stream = make(fake_ollama).chat(user("a b c"), stream=True)
    assert next(stream).text == "a"  # type: ignore[arg-type]
    with pytest.raises(InferenceError, match="CUDA out of memory"):
        list(stream)  # type: ignore[arg-type]


def test_refused_connection(refused_url: str) -> None:
    rt = OpenAICompatRuntime(f"{refused_url}/v1", "m", retries=1, retry_wait=0.0)
    with pytest.raises(RuntimeUnavailable) as info:
        rt.chat(user("x"))
    assert f"{refused_url}/v1" in str(info.value) and "gemma-agents doctor" in str(info.value)
    health = rt.health()
    assert not health.ok and health.fix and "gemma-agents doctor" in health.fix


def test_hung_server_times_out(fake_ollama: FakeOllama) -> None:
    fake_ollama.hang_next(CHAT, 1.5)
    with pytest.raises(InferenceError, match=r"0\.3s timeout"):
        make(fake_ollama, timeout=0.3).chat(user("x"))


def test_native_tools_refused(fake_ollama: FakeOllama) -> None:
    rt = make(fake_ollama, "gemma3:4b", tools=True)
    assert rt.capabilities().tools is True
    with pytest.raises(UnsupportedFeature, match="does not support tools"):
        rt.chat(user("x"), tools=[LOOKUP])
    assert rt.capabilities().tools is False


def test_messages_map_to_openai_shape(fake_ollama: FakeOllama) -> None:
    png = b"\x89PNG\r\n\x1a\nrest"
    jpeg_b64 = base64.b64encode(b"\xff\xd8\xff\xe0jpeg").decode()
    call = ToolCall("lookup", {"id": 2}, id="call_abc")
    messages = [
        Message(role="developer", content="Use tools."),
        Message(role="user", content="see", images=[png, jpeg_b64]),
        Message(role="assistant", tool_calls=[call]),
        Message(role="tool", content="found", tool_name="lookup", tool_call_id="call_abc"),
    ]
    make(fake_ollama, "gemma4:e4b").chat(messages)
    sent = fake_ollama.bodies(CHAT)[0]["messages"]
    assert sent[0] == {"role": "system", "content": "Use tools."}
    assert sent[1]["content"] == [
        {"type": "text", "text": "see"},
        {
            "type": "image_url",
            "image_url": {"url": "data:image/png;base64," + base64.b64encode(png).decode()},
        },
        {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64," + jpeg_b64}},
    ]
    assert sent[2]["tool_calls"] == [
        {
            "id": "call_abc",
            "type": "function",
            "function": {"name": "lookup", "arguments": '{"id": 2}'},
        }
    ]
    assert sent[3] == {
        "role": "tool",
        "content": "found",
        "tool_call_id": "call_abc",
        "name": "lookup",
    }


def test_embeddings_completions_models_and_health(fake_ollama: FakeOllama) -> None:
    emb = make(fake_ollama, "embeddinggemma")
    vectors = emb.embed(["alpha", "beta", "alpha"])
    assert len(vectors) == 3 and len(vectors[0]) == 768 and vectors[0] == vectors[2]
    assert emb.embed([]) == []
    fake_ollama.generate_handler = lambda body: " continued text"
    rt = make(fake_ollama)
    done = rt.complete("Once", options={"num_predict": 1})
    assert isinstance(done, ChatResult) and (done.text, done.done_reason) == (
        " continued",
        "length",
    )
    chunks = list(rt.complete("Once", stream=True))  # type: ignore[arg-type]
    assert "".join(c.text for c in chunks) == " continued text" and chunks[-1].done
    with pytest.raises(UnsupportedFeature):
        rt.complete("x", format={"type": "object"})
    assert "gemma4:e4b" in rt.list_models()
    assert rt.health().ok
    missing = make(fake_ollama, "nope").health()
    assert not missing.ok and missing.fix and "gemma3:4b" in missing.fix


def test_capabilities_guess_family(fake_ollama: FakeOllama) -> None:
    assert make(fake_ollama, "google/gemma-3-4b-it").capabilities().family == "gemma3"
    assert make(fake_ollama, "gemma4:e4b").capabilities().family == "gemma4"
    assert make(fake_ollama, "gemma4:e4b").capabilities().tools is False  # unless declared


async def test_async_chat_and_stream(fake_ollama: FakeOllama) -> None:
    rt = make(fake_ollama)
    result = await rt.achat(user("async hello"))
    assert result.text == "async hello"
    chunks = [c async for c in rt.astream(user("one two"))]
    assert "".join(c.text for c in chunks) == "one two" and chunks[-1].done
    fake_ollama.fail_next(CHAT, 503, "busy")
    assert (await rt.achat(user("again"))).text == "again"
    with pytest.raises(ModelNotFound):
        await make(fake_ollama, "missing").achat(user("x"))
