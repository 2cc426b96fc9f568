"""The embedded runtime against the real Gemma 3 270M GGUF (few tokens per test)."""

from __future__ import annotations

import asyncio
import json
import math
import threading
from typing import Any

import pytest

from gemma_agents.exceptions import ConfigError, InferenceError
from gemma_agents.runtime.base import ChatResult, Message, StreamChunk

llama_cpp = pytest.importorskip("llama_cpp")
jsonschema = pytest.importorskip("jsonschema")

from gemma_agents.runtime.llamacpp import LlamaCppRuntime  # noqa: E402

pytestmark = pytest.mark.embedded

GREEDY = {"temperature": 0.0, "seed": 0}


@pytest.fixture(scope="module")
def rt() -> Any:
    runtime = LlamaCppRuntime("gemma3-270m", n_ctx=1024)
    yield runtime
    runtime.close()


def _chat(rt: LlamaCppRuntime, messages: list[Message], **options: Any) -> ChatResult:
    result = rt.chat(messages, options={**GREEDY, **options})
    assert isinstance(result, ChatResult)
    return result


def _cold(rt: LlamaCppRuntime, messages: list[Message], **options: Any) -> ChatResult:
    """A call that evaluates the whole prompt (repeatable bit for bit)."""
    rt.reset_cache()
    result = rt.chat(messages, options={**GREEDY, **options})
    assert isinstance(result, ChatResult)
    return result


def test_short_generation_reports_usage(rt: LlamaCppRuntime) -> None:
    msgs = [Message("user", "Write one word: hello")]
    result = _cold(rt, msgs, num_predict=8)
    assert result.text.strip()
    assert result.model == "gemma3-270m"
    assert result.done_reason in ("stop", "length")
    usage = result.usage
    assert usage.prompt_tokens == rt.count_tokens(rt.render(msgs))
    assert 0 < usage.completion_tokens <= 8
    assert usage.prompt_eval_ms > 0 and usage.total_ms >= usage.prompt_eval_ms + usage.eval_ms
    assert _cold(rt, msgs, num_predict=8).text == result.text  # greedy is deterministic


def test_bos_is_added_exactly_once(rt: LlamaCppRuntime) -> None:
    bos = rt.llama.token_bos()
    plain = rt.tokenize("<start_of_turn>user\nhi")
    explicit = rt.tokenize("<bos><start_of_turn>user\nhi")
    assert plain == explicit
    assert plain[0] == bos and plain.count(bos) == 1
    assert plain[1] == rt.llama.tokenize(b"<start_of_turn>", add_bos=False, special=True)[0]


def test_stop_sequence_and_max_tokens(rt: LlamaCppRuntime) -> None:
    result = rt.complete("1, 2, 3, 4,", options={**GREEDY, "num_predict": 24, "stop": [" 7"]})
    assert isinstance(result, ChatResult)
    assert result.done_reason == "stop" and " 7" not in result.text
    assert "5" in result.text
    short = rt.complete("1, 2, 3, 4,", options={**GREEDY, "num_predict": 3})
    assert isinstance(short, ChatResult)
    assert short.usage.completion_tokens == 3 and short.done_reason == "length"


def test_streaming_yields_chunks_then_final_usage(rt: LlamaCppRuntime) -> None:
    msgs = [Message("user", "Count: one, two, three,")]
    rt.reset_cache()
    chunks = list(rt.chat(msgs, options={**GREEDY, "num_predict": 10}, stream=True))
    assert all(isinstance(c, StreamChunk) for c in chunks)
    assert len(chunks) >= 3
    final = chunks[-1]
    assert final.done and final.usage is not None and final.done_reason in ("stop", "length")
    assert not any(c.done for c in chunks[:-1])
    text = "".join(c.text for c in chunks)
    whole = _cold(rt, msgs, num_predict=10)
    assert text == whole.text
    assert final.usage.completion_tokens == whole.usage.completion_tokens
    assert final.usage.cached_tokens == 0


def test_second_call_reuses_the_kv_cache_prefix(rt: LlamaCppRuntime) -> None:
    system = Message("system", "You are a calculator assistant. Tools: add(a, b), mul(a, b).")
    step1 = [system, Message("user", "What is 2 plus 3?")]
    first = _chat(rt, step1, num_predict=6)
    step2 = [*step1, Message("assistant", first.text), Message("tool", "5", tool_name="add")]
    llama_cpp.llama_perf_context_reset(rt.llama.ctx)
    second = _chat(rt, step2, num_predict=4)
    perf = llama_cpp.llama_perf_context(rt.llama.ctx)
    usage = second.usage
    assert usage.cached_tokens >= first.usage.prompt_tokens  # step 1's prompt was reused whole
    assert usage.evaluated_prompt_tokens < usage.prompt_tokens / 2
    # llama.cpp's own counters agree: only the new suffix went through prompt evaluation
    assert perf.n_p_eval == usage.evaluated_prompt_tokens


def test_unrelated_prompt_reports_no_cache(rt: LlamaCppRuntime) -> None:
    _chat(rt, [Message("user", "alpha beta gamma")], num_predict=1)
    result = rt.complete("Zebra crossing", options={**GREEDY, "num_predict": 1})
    assert isinstance(result, ChatResult)
    assert result.usage.cached_tokens == 1  # only BOS is shared


# Short keys keep the output within 32 tokens. Note: llama-cpp-python's schema converter
# ignores numeric minimum/maximum, so the schema does not rely on them.
OBJECT_SCHEMA = {
    "type": "object",
    "properties": {
        "n": {"type": "integer"},
        "t": {"type": "array", "items": {"enum": ["art", "food"]}, "maxItems": 1},
        "w": {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]},
    },
    "required": ["n", "t", "w"],
}

UNION_SCHEMA = {
    "anyOf": [
        {
            "type": "object",
            "properties": {
                "tool": {"const": "calculator"},
                "arguments": {
                    "type": "object",
                    "properties": {"expression": {"type": "string", "maxLength": 20}},
                    "required": ["expression"],
                },
            },
            "required": ["tool", "arguments"],
        },
        {
            "type": "object",
            "properties": {"final_answer": {"type": "string", "maxLength": 20}},
            "required": ["final_answer"],
        },
    ]
}


@pytest.mark.parametrize("schema", [OBJECT_SCHEMA, UNION_SCHEMA], ids=["object", "union"])
def test_constrained_output_validates_against_schema(rt: LlamaCppRuntime, schema: dict) -> None:
    prompt = "Request: What is 355 divided by 113?\nJSON: "
    result = rt.complete(prompt, format=schema, options={**GREEDY, "num_predict": 32})
    assert isinstance(result, ChatResult)
    assert result.done_reason == "stop", result.text  # the grammar completed
    value = json.loads(result.text)
    jsonschema.validate(value, schema)


def test_union_chat_output_in_schema_key_order(rt: LlamaCppRuntime) -> None:
    msgs = [Message("user", "Use the calculator for 2*21. Answer in JSON.")]
    result = rt.chat(msgs, format=UNION_SCHEMA, options={**GREEDY, "num_predict": 32})
    assert isinstance(result, ChatResult)
    value = json.loads(result.text)
    jsonschema.validate(value, UNION_SCHEMA)
    if "tool" in value:
        assert list(value) == ["tool", "arguments"]


def test_json_mode(rt: LlamaCppRuntime) -> None:
    result = rt.complete(
        '{"name": "Ada", "age":', format="json", options={**GREEDY, "num_predict": 24}
    )
    assert isinstance(result, ChatResult)
    if result.done_reason == "stop":
        json.loads(result.text)
    else:  # cut by num_predict: still only JSON characters so far
        assert result.text.lstrip()[:1] in "{["


def test_grammar_is_compiled_once_per_schema(rt: LlamaCppRuntime) -> None:
    before = len(rt._grammars)
    g1 = rt._grammars.get(OBJECT_SCHEMA)
    assert rt._grammars.get(json.loads(json.dumps(OBJECT_SCHEMA))) is g1
    assert len(rt._grammars) <= before + 1
    with pytest.raises(ConfigError, match="format must be a JSON schema"):
        rt.complete("x", format="yaml", options={"num_predict": 1})  # type: ignore[arg-type]


def test_embeddings_dimension_norm_and_similarity(rt: LlamaCppRuntime) -> None:
    texts = [
        "The cat sat on the mat.",
        "A cat was sitting on the mat.",
        "Quarterly revenue grew by eight percent.",
    ]
    vecs = rt.embed(texts)
    assert len(vecs) == 3 and all(len(v) == 640 for v in vecs)
    for v in vecs:
        assert math.isclose(math.sqrt(sum(x * x for x in v)), 1.0, rel_tol=1e-6)

    def cos(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    assert cos(vecs[0], vecs[1]) > cos(vecs[0], vecs[2])
    assert rt.embed([]) == []
    assert rt.embed([texts[0]])[0] == pytest.approx(vecs[0], abs=1e-6)


def test_context_overflow_is_a_clear_error(rt: LlamaCppRuntime) -> None:
    with pytest.raises(InferenceError, match="does not fit the context window of 1024"):
        rt.complete("word " * 1500, options={"num_predict": 1})


def test_concurrent_calls_are_serialised(rt: LlamaCppRuntime) -> None:
    results: list[str] = []
    errors: list[BaseException] = []
    msgs = [Message("user", "Say yes")]

    def worker() -> None:
        try:
            results.append(_chat(rt, msgs, num_predict=4).text)  # must not crash or garble
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 3 and all(r.strip() for r in results)


def test_achat_and_astream(rt: LlamaCppRuntime) -> None:
    msgs = [Message("user", "Say yes")]

    async def go() -> tuple[ChatResult, list[StreamChunk]]:
        rt.reset_cache()
        result = await rt.achat(msgs, options={**GREEDY, "num_predict": 4})
        rt.reset_cache()
        chunks = [c async for c in rt.astream(msgs, options={**GREEDY, "num_predict": 4})]
        return result, chunks

    result, chunks = asyncio.run(go())
    assert result.text == "".join(c.text for c in chunks)
    assert chunks[-1].done


def test_streamed_multibyte_text_is_never_split(rt: LlamaCppRuntime) -> None:
    chunks = list(rt.complete("日本の首都は", options={**GREEDY, "num_predict": 8}, stream=True))
    texts = [c.text for c in chunks if not c.done]
    assert texts and all("\ufffd" not in t for t in texts)
    assert any(ord(ch) > 0x3000 for ch in "".join(texts))  # the model did answer in CJK


@pytest.mark.parametrize(
    "schema", [OBJECT_SCHEMA, UNION_SCHEMA, "json"], ids=["object", "union", "json"]
)
def test_fast_greedy_grammar_matches_llama_sampler_chain(
    rt: LlamaCppRuntime, schema: dict | str
) -> None:
    """The fast path (check the arg-max, mask only on rejection) changes speed, not output."""
    prompt = "Request: What is 355 divided by 113?\nJSON: "
    texts = []
    try:
        for fast in (True, False):
            rt.fast_grammar = fast
            rt.reset_cache()
            result = rt.complete(prompt, format=schema, options={**GREEDY, "num_predict": 24})
            assert isinstance(result, ChatResult)
            texts.append(result.text)
    finally:
        rt.fast_grammar = True
    assert texts[0] == texts[1]


def test_llama_cpp_chatter_stays_off_stderr(rt: LlamaCppRuntime) -> None:
    """Loading and generating print nothing: llama.cpp's logs go to Python logging."""
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "from gemma_agents.runtime.llamacpp import LlamaCppRuntime\n"
        f"rt = LlamaCppRuntime({str(rt.path)!r}, n_ctx=256)\n"
        "rt.complete('Hi', options={'num_predict': 2})\n"
        "rt.embed(['x'])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        cwd=Path(__file__).resolve().parents[2],  # the repository root, for the import
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
