"""The fake Ollama server itself: shapes the real client parses, and its fault injection."""

from __future__ import annotations

import json
import math

import httpx
import ollama
import pytest

from gemma_agents.testing.fake_ollama import FakeModel, FakeOllama, FakeReply


def test_root_version_and_unknown_route(fake_ollama: FakeOllama) -> None:
    assert httpx.get(fake_ollama.url).text == "Ollama is running"
    assert httpx.head(fake_ollama.url).status_code == 200
    assert httpx.get(f"{fake_ollama.url}/api/version").json() == {"version": "0.13.5"}
    missing = httpx.get(f"{fake_ollama.url}/api/nothing")
    assert (missing.status_code, missing.text) == (404, "404 page not found")


def test_invalid_json_body_is_a_400(fake_ollama: FakeOllama) -> None:
    response = httpx.post(f"{fake_ollama.url}/api/chat", content=b"{not json")
    assert response.status_code == 400 and "invalid request body" in response.json()["error"]
    assert fake_ollama.requests[-1][0] == "/api/chat"


def test_client_parses_tags_show_and_ps(fake_ollama: FakeOllama) -> None:
    client = ollama.Client(host=fake_ollama.url)
    names = [m.model for m in client.list().models]
    assert names == sorted(names) and "shieldgemma:2b" in names
    shown = client.show("gemma3:4b")
    assert shown.capabilities == ["completion", "vision"]
    assert shown.details is not None and shown.details.family == "gemma3"
    assert shown.modelinfo is not None and shown.modelinfo["gemma3.context_length"] == 131072
    assert shown.modelfile is not None and "FROM gemma3:4b" in shown.modelfile
    assert client.ps().models == []
    client.chat("gemma3:4b", [{"role": "user", "content": "hi"}], keep_alive=-1)
    running = client.ps().models
    assert [m.model for m in running] == ["gemma3:4b"]


def test_empty_chat_loads_the_model(fake_ollama: FakeOllama) -> None:
    done = ollama.Client(host=fake_ollama.url).chat("gemma3:4b", [])
    assert (done.done, done.done_reason) == (True, "load")


def test_bad_keep_alive_is_rejected_like_go(fake_ollama: FakeOllama) -> None:
    client = ollama.Client(host=fake_ollama.url)
    with pytest.raises(ollama.ResponseError) as info:
        client.chat("gemma3:4b", [{"role": "user", "content": "x"}], keep_alive="soon")
    assert info.value.status_code == 400 and "invalid duration" in info.value.error


def test_stop_and_format_are_honoured(fake_ollama: FakeOllama) -> None:
    client = ollama.Client(host=fake_ollama.url)
    cut = client.chat(
        "gemma3:4b", [{"role": "user", "content": "first. second"}], options={"stop": ["."]}
    )
    assert cut.message.content == "first"
    schema = {
        "type": "object",
        "properties": {"kind": {"enum": ["a", "b"]}, "items": {"type": "array", "minItems": 1}},
        "required": ["kind", "items"],
    }
    shaped = client.chat("gemma3:4b", [{"role": "user", "content": "x"}], format=schema)
    assert json.loads(shaped.message.content or "") == {"kind": "a", "items": [{}]}


def test_embed_dimensions_and_legacy_endpoint(fake_ollama: FakeOllama) -> None:
    client = ollama.Client(host=fake_ollama.url)
    short = client.embed("embeddinggemma", "hello world", dimensions=256)
    assert len(short.embeddings) == 1 and len(short.embeddings[0]) == 256
    assert math.isclose(sum(x * x for x in short.embeddings[0]), 1.0, rel_tol=1e-9)
    assert short.prompt_eval_count == 2
    legacy = httpx.post(
        f"{fake_ollama.url}/api/embeddings", json={"model": "embeddinggemma", "prompt": "hi"}
    ).json()
    assert len(legacy["embedding"]) == 768
    fake_ollama.embed_handler = lambda model, texts: [[float(len(t)), 0.0] for t in texts]
    assert client.embed("embeddinggemma", ["abc"]).embeddings == [[3.0, 0.0]]


def test_generate_with_context_unless_raw(fake_ollama: FakeOllama) -> None:
    client = ollama.Client(host=fake_ollama.url)
    templated = client.generate("gemma3:4b", "tell me")
    assert templated.response == "tell me" and templated.context
    raw = client.generate("gemma3:4b", "tell me", raw=True)
    assert raw.context is None
    pieces = list(client.generate("gemma3:4b", "a b c", stream=True))
    assert [p.response for p in pieces[:-1]] == ["a", " b", " c"] and pieces[-1].done


def test_handler_reply_string_and_request_log(fake_ollama: FakeOllama) -> None:
    fake_ollama.chat_handler = lambda body: f"you said {len(body['messages'])} things"
    reply = ollama.Client(host=fake_ollama.url).chat(
        "gemma3:4b", [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]
    )
    assert reply.message.content == "you said 2 things"
    path, body = fake_ollama.requests[-1]
    assert path == "/api/chat" and body["model"] == "gemma3:4b" and body["stream"] is False


def test_reply_counts_override_and_models_added(fake_ollama: FakeOllama) -> None:
    fake_ollama.add_model("gemma3:12b", FakeModel(parameter_size="12.2B"))
    fake_ollama.chat_handler = lambda body: FakeReply(
        content="x", eval_count=50, prompt_eval_count=7, done_reason="length"
    )
    reply = ollama.Client(host=fake_ollama.url).chat(
        "gemma3:12b", [{"role": "user", "content": "q"}]
    )
    assert (reply.eval_count, reply.prompt_eval_count, reply.done_reason) == (50, 7, "length")
    assert reply.eval_duration == 50 * 10_000_000


def test_fail_next_counts_down(fake_ollama: FakeOllama) -> None:
    fake_ollama.fail_next("/api/tags", 503, "busy", times=2)
    codes = [httpx.get(f"{fake_ollama.url}/api/tags").status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    assert httpx.get(f"{fake_ollama.url}/api/version").status_code == 200  # other paths clean


def test_models_without_capabilities_are_refused(fake_ollama: FakeOllama) -> None:
    client = ollama.Client(host=fake_ollama.url)
    with pytest.raises(ollama.ResponseError, match="does not support chat"):
        client.chat("embeddinggemma", [{"role": "user", "content": "x"}])
    with pytest.raises(ollama.ResponseError, match="does not support thinking"):
        client.chat("shieldgemma:2b", [{"role": "user", "content": "x"}], think=True)
    with pytest.raises(ollama.ResponseError) as info:
        client.chat(
            "user/custom:1b",
            [{"role": "user", "content": "x"}],
            tools=[{"type": "function", "function": {"name": "f"}}],
        )
    assert info.value.status_code == 404
    fake_ollama.add_model("user/custom:1b", FakeModel())
    with pytest.raises(ollama.ResponseError) as info:
        client.chat(
            "user/custom:1b",
            [{"role": "user", "content": "x"}],
            tools=[{"type": "function", "function": {"name": "f"}}],
        )
    assert info.value.error == "registry.ollama.ai/user/custom:1b does not support tools"


def test_pull_non_streaming_and_delete(fake_ollama: FakeOllama) -> None:
    client = ollama.Client(host=fake_ollama.url)
    client.delete("gemma3:4b")
    assert "gemma3:4b" not in [m.model for m in client.list().models]
    assert client.pull("gemma3:4b").status == "success"
    assert "gemma3:4b" in [m.model for m in client.list().models]
    with pytest.raises(ollama.ResponseError, match="file does not exist"):
        client.pull("made-up:7b")


def test_a_raising_handler_answers_500(fake_ollama: FakeOllama) -> None:
    def broken(body: dict[str, object]) -> str:
        raise KeyError("oops")

    fake_ollama.chat_handler = broken
    with pytest.raises(ollama.ResponseError) as info:
        ollama.Client(host=fake_ollama.url).chat("gemma3:4b", [{"role": "user", "content": "x"}])
    assert info.value.status_code == 500 and "KeyError('oops')" in info.value.error


def test_recursive_schema_does_not_recurse_forever(fake_ollama: FakeOllama) -> None:
    tree = {
        "$defs": {"node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}}}},
        "$ref": "#/$defs/node",
    }
    reply = ollama.Client(host=fake_ollama.url).chat(
        "gemma3:4b", [{"role": "user", "content": "x"}], format=tree
    )
    depth, node = 0, json.loads(reply.message.content or "")
    while isinstance(node, dict):
        node, depth = node.get("child"), depth + 1
    assert 3 <= depth <= 9
