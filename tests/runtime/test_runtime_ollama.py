"""OllamaRuntime at the wire level: the real ``ollama`` client against FakeOllama."""

from __future__ import annotations

import base64
import json
import math

import pytest

from gemma_agents.calls._types import ToolCall, ToolSpec
from gemma_agents.exceptions import (
    InferenceError,
    ModelNotFound,
    RuntimeUnavailable,
    UnsupportedFeature,
)
from gemma_agents.runtime.base import ChatResult, Message, StreamChunk
from gemma_agents.runtime.ollama import OllamaRuntime
from gemma_agents.testing.fake_ollama import FakeModel, FakeOllama, FakeReply

WEATHER = ToolSpec(
    name="get_weather",
    description="Current weather for a city.",
    parameters={
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City name"},
            "days": {"type": "integer", "minimum": 1, "default": 1},
            "unit": {"anyOf": [{"type": "string", "enum": ["C", "F"]}, {"type": "null"}]},
            "where": {"type": "object", "properties": {"lat": {"type": "number"}}},
        },
        "required": ["city"],
    },
)


def make(fake: FakeOllama, model: str = "gemma3:4b", **kwargs: object) -> OllamaRuntime:
    kwargs.setdefault("retry_wait", 0.0)
    kwargs.setdefault("timeout", 10.0)
    return OllamaRuntime(model, host=fake.url, **kwargs)  # type: ignore[arg-type]


def native(name: str, arguments: dict[str, object]) -> ToolCall:
    return ToolCall(name, dict(arguments), dialect="native")


def user(text: str) -> list[Message]:
    return [Message(role="user", content=text)]


def test_chat_returns_text_usage_and_speed(fake_ollama: FakeOllama) -> None:
    result = make(fake_ollama).chat(user("hello there, world"))
    assert isinstance(result, ChatResult)
    assert result.text == "hello there, world"
    assert result.model == "gemma3:4b"
    assert result.done_reason == "stop"
    # the fake reports 1 ms per prompt token and 10 ms per output token, in nanoseconds
    assert result.usage.prompt_tokens == 4
    assert result.usage.completion_tokens == 4
    assert result.usage.prompt_eval_ms == pytest.approx(4.0)
    assert result.usage.eval_ms == pytest.approx(40.0)
    assert result.usage.tokens_per_s == pytest.approx(100.0)
    assert fake_ollama.bodies("/api/chat")[0]["stream"] is False


def test_stream_yields_pieces_tool_calls_and_final_metrics(fake_ollama: FakeOllama) -> None:
    fake_ollama.chat_handler = lambda body: FakeReply(
        content="Checking the weather now",
        tool_calls=[{"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}],
    )
    chunks = list(make(fake_ollama, "gemma4:e4b").chat(user("weather?"), stream=True))
    assert all(isinstance(c, StreamChunk) for c in chunks)
    assert "".join(c.text for c in chunks) == "Checking the weather now"
    assert len([c for c in chunks if c.text]) == 4  # streamed word by word
    with_calls = [c for c in chunks if c.tool_calls]
    assert len(with_calls) == 1 and not with_calls[0].done
    assert with_calls[0].tool_calls == [native("get_weather", {"city": "Paris"})]
    assert with_calls[0].tool_calls[0].dialect == "native"
    final = chunks[-1]
    assert final.done and final.done_reason == "stop"
    assert final.usage is not None and final.usage.completion_tokens > 0
    assert final.usage.total_ms > final.usage.eval_ms > 0
    assert not any(c.done for c in chunks[:-1])
    assert fake_ollama.bodies("/api/chat")[0]["stream"] is True


def test_native_tools_keep_the_full_json_schema(fake_ollama: FakeOllama) -> None:
    fake_ollama.chat_handler = lambda body: FakeReply(
        tool_calls=[{"function": {"name": "get_weather", "arguments": {"city": "Oslo", "days": 2}}}]
    )
    result = make(fake_ollama, "gemma4:e4b").chat(user("weather in Oslo"), tools=[WEATHER])
    assert isinstance(result, ChatResult)
    assert result.tool_calls == [native("get_weather", {"city": "Oslo", "days": 2})]
    sent = fake_ollama.bodies("/api/chat")[0]["tools"]
    assert sent == [WEATHER.to_openai()]  # anyOf, minimum, default, nested object intact
    assert sent[0]["function"]["parameters"]["properties"]["unit"]["anyOf"][0]["enum"] == [
        "C",
        "F",
    ]


def test_thinking_is_separated_and_think_is_sent(fake_ollama: FakeOllama) -> None:
    fake_ollama.chat_handler = lambda body: FakeReply(content="42", thinking="6 times 7")
    rt = make(fake_ollama, "gemma4:e4b", think=True)
    result = rt.chat(user("6*7?"))
    assert isinstance(result, ChatResult)
    assert (result.text, result.thinking) == ("42", "6 times 7")
    chunks = list(rt.chat(user("6*7?"), stream=True))
    assert "".join(c.thinking for c in chunks) == "6 times 7"
    assert "".join(c.text for c in chunks) == "42"
    assert all(b["think"] is True for b in fake_ollama.bodies("/api/chat"))
    # per-call override via options, lifted out of the sampling options
    rt.chat(user("x"), options={"think": False, "temperature": 0})
    last = fake_ollama.bodies("/api/chat")[-1]
    assert last["think"] is False and last["options"] == {"temperature": 0}


def test_capabilities_come_from_show(fake_ollama: FakeOllama) -> None:
    caps = make(fake_ollama, "gemma4:e4b").capabilities()
    assert (caps.tools, caps.thinking, caps.vision, caps.embedding) == (True, True, True, False)
    assert caps.context_length == 131072 and caps.family == "gemma4"
    plain = make(fake_ollama, "gemma3:4b").capabilities()
    assert (plain.tools, plain.vision, plain.family) == (False, True, "gemma3")
    emb = make(fake_ollama, "embeddinggemma").capabilities()
    assert emb.embedding and emb.context_length == 2048
    rt = make(fake_ollama, "functiongemma")
    rt.capabilities()
    rt.capabilities()
    assert fake_ollama.count("/api/show") == 4  # cached per runtime


def test_tools_refused_raise_unsupported_and_narrow_capabilities(
    fake_ollama: FakeOllama,
) -> None:
    fake_ollama.add_model("custom", FakeModel(capabilities=("completion", "tools")))
    rt = make(fake_ollama, "custom")
    assert rt.capabilities().tools is True
    fake_ollama.fail_next(
        "/api/chat", 400, "registry.ollama.ai/library/custom:latest does not support tools"
    )
    with pytest.raises(UnsupportedFeature, match="does not support native tools") as info:
        rt.chat(user("hi"), tools=[WEATHER])
    assert "prompted" in (info.value.hint or "")
    assert rt.capabilities().tools is False
    # known now: the next request with tools fails fast, without a round trip
    with pytest.raises(UnsupportedFeature):
        rt.chat(user("hi"), tools=[WEATHER])
    assert fake_ollama.count("/api/chat") == 1
    assert isinstance(rt.chat(user("plain")), ChatResult)  # without tools it still works


def test_server_says_gemma3_does_not_support_tools(fake_ollama: FakeOllama) -> None:
    rt = make(fake_ollama, "gemma3:4b")
    with pytest.raises(UnsupportedFeature):
        rt.chat(user("hi"), tools=[WEATHER], stream=True).__next__()  # type: ignore[union-attr]
    assert fake_ollama.count("/api/chat") == 1  # a 4xx is never retried


def test_thinking_refused_maps_to_unsupported(fake_ollama: FakeOllama) -> None:
    rt = make(fake_ollama, "gemma3:4b", think=True)
    with pytest.raises(UnsupportedFeature, match="thinking"):
        rt.chat(user("hi"))
    assert rt.capabilities().thinking is False


def test_missing_model_suggests_pull(fake_ollama: FakeOllama) -> None:
    rt = make(fake_ollama, "gemma3:27b")
    with pytest.raises(ModelNotFound) as info:
        rt.chat(user("hi"))
    assert info.value.model == "gemma3:27b"
    assert "gemma-agents models pull gemma3:27b" in str(info.value)
    with pytest.raises(ModelNotFound):
        rt.capabilities()
    with pytest.raises(ModelNotFound):
        list(rt.chat(user("hi"), stream=True))  # type: ignore[arg-type]


def test_error_mid_stream_is_an_inference_error(fake_ollama: FakeOllama) -> None:
    fake_ollama.error_mid_stream("/api/chat", "llama runner process has terminated")
    stream = make(fake_ollama).chat(user("one two three"), stream=True)
    assert isinstance(stream, __import__("collections").abc.Iterator)
    first = next(stream)
    assert first.text == "one"
    with pytest.raises(InferenceError, match="runner process has terminated") as info:
        list(stream)
    assert info.value.status_code is None


def test_refused_connection_names_ollama_host_and_doctor(
    refused_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", refused_url)
    rt = OllamaRuntime("gemma3:4b", retries=1, retry_wait=0.0)
    assert rt.host == refused_url
    for call in (
        lambda: rt.chat(user("hi")),
        lambda: list(rt.chat(user("hi"), stream=True)),  # type: ignore[arg-type]
        lambda: rt.embed(["x"]),
    ):
        with pytest.raises(RuntimeUnavailable) as info:
            call()
        text = str(info.value)
        assert f"OLLAMA_HOST={refused_url}" in text
        assert "gemma-agents doctor" in text
        assert "ollama serve" in text


def test_hung_server_times_out_without_retry(fake_ollama: FakeOllama) -> None:
    fake_ollama.hang_next("/api/chat", 1.5)
    rt = make(fake_ollama, timeout=0.3, retries=3)
    with pytest.raises(InferenceError, match=r"0\.3s timeout"):
        rt.chat(user("hi"))
    assert fake_ollama.count("/api/chat") == 1


def test_retries_503_then_succeeds(fake_ollama: FakeOllama) -> None:
    fake_ollama.fail_next("/api/chat", 503, "server busy, please try again", times=2)
    result = make(fake_ollama, retries=3).chat(user("finally"))
    assert isinstance(result, ChatResult) and result.text == "finally"
    assert fake_ollama.count("/api/chat") == 3


def test_retries_are_bounded(fake_ollama: FakeOllama) -> None:
    fake_ollama.fail_next("/api/chat", 500, "boom", times=10)
    with pytest.raises(InferenceError) as info:
        make(fake_ollama, retries=2).chat(user("x"))
    assert info.value.status_code == 500
    assert fake_ollama.count("/api/chat") == 3


def test_stream_open_is_retried_on_503(fake_ollama: FakeOllama) -> None:
    fake_ollama.fail_next("/api/chat", 503, "loading", times=1)
    chunks = list(make(fake_ollama).chat(user("a b"), stream=True))  # type: ignore[arg-type]
    assert "".join(c.text for c in chunks) == "a b"
    assert fake_ollama.count("/api/chat") == 2


def test_no_retry_on_400(fake_ollama: FakeOllama) -> None:
    fake_ollama.fail_next("/api/chat", 400, "invalid options", times=3)
    with pytest.raises(InferenceError) as info:
        make(fake_ollama, retries=3).chat(user("x"))
    assert info.value.status_code == 400 and "invalid options" in str(info.value)
    assert fake_ollama.count("/api/chat") == 1


def test_images_travel_as_base64(fake_ollama: FakeOllama) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00fake"
    already = base64.b64encode(b"second image").decode()
    msg = Message(role="user", content="what is this?", images=[png, already])
    make(fake_ollama).chat([msg])
    sent = fake_ollama.bodies("/api/chat")[0]["messages"][0]
    assert sent["images"] == [base64.b64encode(png).decode(), already]


def test_keep_alive_and_options_are_forwarded(fake_ollama: FakeOllama) -> None:
    rt = make(fake_ollama, keep_alive="10m", options={"temperature": 0.1, "num_ctx": 2048})
    rt.chat(user("x"), options={"seed": 7, "temperature": 0.5, "stop": ["\n"]})
    body = fake_ollama.bodies("/api/chat")[0]
    assert body["keep_alive"] == "10m"
    assert body["options"] == {"temperature": 0.5, "num_ctx": 2048, "seed": 7, "stop": ["\n"]}
    assert "gemma3:4b" in fake_ollama.loaded
    rt.chat(user("x"), options={"keep_alive": 0})  # unload now
    assert fake_ollama.bodies("/api/chat")[1]["keep_alive"] == 0
    assert "gemma3:4b" not in fake_ollama.loaded


def test_num_predict_cuts_with_length_reason(fake_ollama: FakeOllama) -> None:
    result = make(fake_ollama).chat(user("one two three four"), options={"num_predict": 2})
    assert isinstance(result, ChatResult)
    assert (result.text, result.done_reason) == ("one two", "length")


def test_format_schema_is_sent_and_output_validates(fake_ollama: FakeOllama) -> None:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "n": {"type": "integer"}},
        "required": ["city", "n"],
    }
    result = make(fake_ollama).chat(user("Paris"), format=schema)
    assert isinstance(result, ChatResult)
    assert json.loads(result.text) == {"city": "Paris", "n": 0}
    assert fake_ollama.bodies("/api/chat")[0]["format"] == schema
    make(fake_ollama).chat(user("x"), format="json")
    assert fake_ollama.bodies("/api/chat")[1]["format"] == "json"


def test_conversation_with_tool_turns_maps_to_ollama_shape(fake_ollama: FakeOllama) -> None:
    messages = [
        Message(role="developer", content="You can call functions."),
        Message(role="user", content="weather in Paris?"),
        Message(role="assistant", tool_calls=[ToolCall("get_weather", {"city": "Paris"})]),
        Message(role="tool", content='{"temp": 21}', tool_name="get_weather"),
    ]
    make(fake_ollama, "gemma4:e4b").chat(messages, tools=[WEATHER])
    sent = fake_ollama.bodies("/api/chat")[0]["messages"]
    assert sent[0] == {"role": "system", "content": "You can call functions."}
    assert sent[2]["tool_calls"] == [
        {"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}
    ]
    assert sent[3] == {"role": "tool", "content": '{"temp": 21}', "tool_name": "get_weather"}


def test_list_models_and_show(fake_ollama: FakeOllama) -> None:
    rt = make(fake_ollama)
    assert "gemma3:4b" in rt.list_models() and "embeddinggemma:latest" in rt.list_models()
    info = rt.show("gemma4:e4b")
    assert info["capabilities"] == ["completion", "tools", "thinking", "vision"]
    assert info["model_info"]["gemma4.context_length"] == 131072
    assert info["details"]["quantization_level"] == "Q4_K_M"


def test_embed_returns_unit_vectors(fake_ollama: FakeOllama) -> None:
    rt = make(fake_ollama, "embeddinggemma")
    vectors = rt.embed(["the cat sat", "the cat sat", "stock prices fell"])
    assert len(vectors) == 3 and all(len(v) == 768 for v in vectors)
    assert vectors[0] == vectors[1] != vectors[2]
    assert math.isclose(sum(x * x for x in vectors[2]), 1.0, rel_tol=1e-9)
    assert fake_ollama.bodies("/api/embed")[0]["input"] == [
        "the cat sat",
        "the cat sat",
        "stock prices fell",
    ]
    assert rt.embed([]) == [] and fake_ollama.count("/api/embed") == 1


def test_embed_with_a_chat_model_is_unsupported(fake_ollama: FakeOllama) -> None:
    with pytest.raises(UnsupportedFeature, match="does not support embeddings"):
        make(fake_ollama).embed(["x"])


def test_pull_streams_progress(fake_ollama: FakeOllama) -> None:
    fake_ollama.remove_model("gemma3:4b")
    rt = make(fake_ollama)
    assert "gemma3:4b" not in rt.list_models()
    steps = list(rt.pull())
    assert steps[0].status == "pulling manifest"
    downloading = [s for s in steps if s.total]
    assert downloading and downloading[-1].fraction == 1.0
    assert all(s.digest and s.digest.startswith("sha256:") for s in downloading)
    assert [s.status for s in steps[-3:]] == [
        "verifying sha256 digest",
        "writing manifest",
        "success",
    ]
    assert "gemma3:4b" in rt.list_models()
    assert fake_ollama.bodies("/api/pull")[0] == {"model": "gemma3:4b", "stream": True}


def test_pull_unknown_model_is_model_not_found(fake_ollama: FakeOllama) -> None:
    with pytest.raises(ModelNotFound, match="no-such-model") as info:
        list(make(fake_ollama).pull("no-such-model:1b"))
    assert "ollama.com/library" in (info.value.hint or "")


def test_complete_uses_raw_generate(fake_ollama: FakeOllama) -> None:
    fake_ollama.generate_handler = lambda body: " jumps over the lazy dog"
    rt = make(fake_ollama, options={"temperature": 0})
    result = rt.complete("The quick brown fox")
    assert isinstance(result, ChatResult) and result.text == " jumps over the lazy dog"
    body = fake_ollama.bodies("/api/generate")[0]
    assert body["raw"] is True and body["prompt"] == "The quick brown fox"
    assert body["options"] == {"temperature": 0}
    chunks = list(rt.complete("The quick brown fox", stream=True))  # type: ignore[arg-type]
    assert "".join(c.text for c in chunks) == " jumps over the lazy dog"
    assert chunks[-1].done and chunks[-1].usage is not None


def test_health_reports_models_and_missing_model(fake_ollama: FakeOllama) -> None:
    ok = make(fake_ollama).health()
    assert ok.ok and ok.runtime == "ollama" and "0.13.5" in ok.detail
    assert "gemma3:4b" in ok.models
    missing = make(fake_ollama, "gemma3:27b").health()
    assert not missing.ok and missing.fix == "gemma-agents models pull gemma3:27b"
    assert make(fake_ollama, "functiongemma").health().ok  # ':latest' is implied


def test_health_on_refused_port_never_raises(refused_url: str) -> None:
    health = OllamaRuntime("gemma3:4b", host=refused_url).health()
    assert not health.ok
    assert refused_url in health.detail
    assert health.fix is not None and "gemma-agents doctor" in health.fix


async def test_achat_and_astream(fake_ollama: FakeOllama) -> None:
    fake_ollama.chat_handler = lambda body: FakeReply(
        content="async works",
        tool_calls=[{"function": {"name": "f", "arguments": {"x": 1}}}],
    )
    rt = make(fake_ollama, "gemma4:e4b")
    result = await rt.achat(user("hi"), tools=[WEATHER])
    assert result.text == "async works" and result.tool_calls == [native("f", {"x": 1})]
    chunks = [c async for c in rt.astream(user("hi"))]
    assert "".join(c.text for c in chunks) == "async works"
    assert chunks[-1].done and chunks[-1].usage is not None
    assert any(c.tool_calls for c in chunks)


async def test_async_errors_are_mapped(fake_ollama: FakeOllama) -> None:
    rt = make(fake_ollama, "gemma3:4b")
    fake_ollama.fail_next("/api/chat", 503, "busy", times=1)
    assert (await rt.achat(user("ok"))).text == "ok"  # retried
    with pytest.raises(ModelNotFound):
        await make(fake_ollama, "nope").achat(user("x"))
    fake_ollama.error_mid_stream("/api/chat", "out of memory")
    with pytest.raises(InferenceError, match="out of memory"):
        _ = [c async for c in rt.astream(user("a b c"))]


def test_runtime_is_a_context_manager(fake_ollama: FakeOllama) -> None:
    with make(fake_ollama) as rt:
        assert rt.chat(user("inside")).text == "inside"  # type: ignore[union-attr]
    with pytest.raises(RuntimeError):  # the pooled client is closed afterwards
        rt._client._client.get("/")
