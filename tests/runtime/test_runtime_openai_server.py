"""OpenAICompatRuntime against a real server: llama-cpp-python's own, serving the 270M.

One server (``--embedding true`` so chat and embeddings share it) for the module; every
request asks for a handful of tokens so the run stays short on a small CPU.
"""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gemma_agents.runtime.base import ChatResult, Message
from gemma_agents.runtime.openai import OpenAICompatRuntime

pytestmark = [pytest.mark.embedded, pytest.mark.slow]

ANSWER = {
    "type": "object",
    "properties": {"answer": {"type": "string", "enum": ["yes", "no"]}},
    "required": ["answer"],
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("llama_cpp")
    pytest.importorskip("llama_cpp.server", reason="needs llama-cpp-python[server]")
    from gemma_agents.runtime.gguf import default_model_path

    gguf = default_model_path()
    port = _free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(gguf),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "1024",
                "--n_threads",
                str(min(2, os.cpu_count() or 1)),
                "--embedding",
                "true",
                "--seed",
                "0",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {Path(log).read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not start within 90 s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def runtime(server: str) -> Iterator[OpenAICompatRuntime]:
    # the server names its model after the GGUF path; any name is accepted
    rt = OpenAICompatRuntime(server, "gemma-3-270m", timeout=60, retry_wait=0.0)
    yield rt
    rt.close()


def test_health_and_models(runtime: OpenAICompatRuntime) -> None:
    health = runtime.health()
    assert health.ok, health
    assert len(health.models) == 1 and health.models[0].endswith(".gguf")
    assert runtime.capabilities().family == "gemma3"


def test_chat_reports_usage(runtime: OpenAICompatRuntime) -> None:
    result = runtime.chat(
        [Message(role="user", content="Say hello.")], options={"num_predict": 4, "temperature": 0}
    )
    assert isinstance(result, ChatResult)
    assert isinstance(result.text, str) and result.done_reason in ("stop", "length")
    assert result.usage.prompt_tokens > 3 and result.usage.completion_tokens <= 4


def test_json_schema_output_is_valid(runtime: OpenAICompatRuntime) -> None:
    result = runtime.chat(
        [Message(role="user", content="Is the sky blue? Answer in JSON.")],
        format=ANSWER,
        options={"num_predict": 16, "temperature": 0},
    )
    assert isinstance(result, ChatResult)
    assert json.loads(result.text)["answer"] in ("yes", "no")
    assert result.usage.completion_tokens > 0


def test_streaming_with_schema(runtime: OpenAICompatRuntime) -> None:
    chunks = list(
        runtime.chat(  # type: ignore[arg-type]
            [Message(role="user", content="Is water wet? Answer in JSON.")],
            format=ANSWER,
            options={"num_predict": 16, "temperature": 0},
            stream=True,
        )
    )
    assert len([c for c in chunks if c.text]) >= 2  # really streamed
    assert json.loads("".join(c.text for c in chunks))["answer"] in ("yes", "no")
    assert chunks[-1].done and chunks[-1].done_reason in ("stop", "length")


def test_raw_completion(runtime: OpenAICompatRuntime) -> None:
    result = runtime.complete("The capital of France is", options={"num_predict": 3})
    assert isinstance(result, ChatResult)
    assert result.text.strip() and result.usage.completion_tokens == 3


def test_embeddings_are_pooled_unit_vectors(runtime: OpenAICompatRuntime) -> None:
    vectors = runtime.embed(["a cat on a mat", "quarterly revenue grew", "a cat on a mat"])
    assert len(vectors) == 3 and len({len(v) for v in vectors}) == 1 and len(vectors[0]) > 100
    assert all(math.isclose(sum(x * x for x in v), 1.0, rel_tol=1e-6) for v in vectors)
    assert vectors[0] == pytest.approx(vectors[2], abs=1e-5)  # batching bug worked around
    assert vectors[0] != pytest.approx(vectors[1], abs=1e-3)
