"""Embedded runtime benchmark, each number next to its anchor from the same run.

1. Decode speed: ``LlamaCppRuntime.complete`` vs raw llama-cpp-python (``Llama.generate``
   and ``Llama.create_completion``) on the same GGUF, prompt, thread count and token
   budget, greedy. Runs are interleaved and the median is reported, so background load
   hits both sides alike. Decode tokens/s = (tokens - 1) / (last token time - first token
   time): the first token comes out of prompt evaluation, not decoding.
2. Prefix reuse: a two-step agent exchange (system + tools prompt, user, model call, tool
   result, second call). Step 2 should evaluate only what was added (target <= 10 % of
   step 1's evaluated tokens); the anchor is the same step 2 with the cache cleared.
   llama.cpp's own counters (``n_p_eval``) confirm the numbers we report.
3. ``import gemma_agents`` wall time in a fresh interpreter (median of N) next to
   ``import langgraph`` / ``import langgraph.graph`` and an empty interpreter.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

PROMPT = "Numbers: 1, 2, 3, 4, 5, 6, 7, 8,"
DECODE_TARGET = 0.95
REUSE_TARGET = 0.10


@dataclass
class Decode:
    tokens: int
    ttft_ms: float
    decode_tps: float


def _decode_tps(n: int, first: float, last: float) -> float:
    return (n - 1) / (last - first) if n > 1 and last > first else 0.0


def run_ours(rt: Any, tokens: int) -> Decode:
    rt.reset_cache()
    result = rt.complete(
        PROMPT, options={"temperature": 0.0, "num_predict": tokens, "repeat_penalty": 1.0}
    )
    u = result.usage
    tps = (u.completion_tokens - 1) / (u.eval_ms / 1000.0) if u.eval_ms > 0 else 0.0
    return Decode(u.completion_tokens, u.prompt_eval_ms, tps)


def run_raw_generate(llm: Any, tokens: int) -> Decode:
    llm.reset()
    start = time.perf_counter()
    prompt = llm.tokenize(PROMPT.encode(), add_bos=True, special=True)
    eos = llm.token_eos()
    n, first, last = 0, 0.0, 0.0
    for token in llm.generate(prompt, temp=0.0, repeat_penalty=1.0, top_k=40, top_p=0.9, min_p=0.0):
        last = time.perf_counter()
        if n == 0:
            first = last
        if token == eos:
            break
        n += 1
        llm.detokenize([token], special=True)
        if n >= tokens:
            break
    return Decode(n, (first - start) * 1000, _decode_tps(n, first, last))


def run_raw_completion(llm: Any, tokens: int) -> Decode:
    llm.reset()
    start = time.perf_counter()
    n, first, last = 0, 0.0, 0.0
    for chunk in llm.create_completion(
        PROMPT, max_tokens=tokens, temperature=0.0, repeat_penalty=1.0, stream=True
    ):
        if chunk["choices"][0]["finish_reason"] is not None:
            break  # the closing chunk carries no token
        last = time.perf_counter()
        if n == 0:
            first = last
        n += 1
    return Decode(n, (first - start) * 1000, _decode_tps(n, first, last))


def bench_decode(model: str, threads: int, tokens: int, repeats: int) -> dict[str, list[Decode]]:
    """Interleaved runs, rotating the order each round; raw paths drive the same ``Llama``.

    Sharing one ``Llama`` instance means both sides use the same weights in memory, the
    same thread pool and the same context settings: only the code on top differs.
    """
    from gemma_agents.runtime.llamacpp import LlamaCppRuntime

    rt = LlamaCppRuntime(model, n_threads=threads, n_ctx=2048)
    raw = rt.llama
    paths = [
        ("ours", lambda: run_ours(rt, tokens)),
        ("raw_generate", lambda: run_raw_generate(raw, tokens)),
        ("raw_completion", lambda: run_raw_completion(raw, tokens)),
    ]
    runs: dict[str, list[Decode]] = {name: [] for name, _ in paths}
    run_ours(rt, 4)  # warm-up: page the weights in
    for i in range(repeats):
        for name, fn in paths[i % 3 :] + paths[: i % 3]:
            runs[name].append(fn())
    rt.close()
    return runs


SCHEMA = {
    "anyOf": [
        {
            "type": "object",
            "properties": {
                "tool": {"const": "calculator"},
                "arguments": {
                    "type": "object",
                    "properties": {"expression": {"type": "string"}},
                    "required": ["expression"],
                },
            },
            "required": ["tool", "arguments"],
        },
        {
            "type": "object",
            "properties": {"final_answer": {"type": "string"}},
            "required": ["final_answer"],
        },
    ]
}


def bench_constrained(model: str, threads: int, tokens: int, repeats: int) -> dict[str, Any]:
    """Greedy JSON-schema decoding: our fast grammar loop vs the grammar in llama's chain."""
    from gemma_agents.runtime.llamacpp import LlamaCppRuntime

    rt = LlamaCppRuntime(model, n_threads=threads, n_ctx=2048)
    prompt = "Request: What is 355 divided by 113?\nJSON: "
    runs: dict[str, list[float]] = {"fast": [], "chain": []}
    texts: dict[str, str] = {}
    for _ in range(repeats):
        for name in ("fast", "chain"):
            rt.fast_grammar = name == "fast"
            rt.reset_cache()
            r = rt.complete(
                prompt, format=SCHEMA, options={"temperature": 0.0, "num_predict": tokens}
            )
            u = r.usage
            runs[name].append((u.completion_tokens - 1) / (u.eval_ms / 1000) if u.eval_ms else 0)
            texts[name] = r.text
    rt.close()
    return {
        "fast": statistics.median(runs["fast"]),
        "chain": statistics.median(runs["chain"]),
        "same_output": texts["fast"] == texts["chain"],
        "tokens": tokens,
    }


@dataclass
class Reuse:
    step1_prompt: int
    step1_evaluated: int
    step1_eval_ms: float
    step2_prompt: int
    step2_evaluated: int
    step2_eval_ms: float
    step2_counted_by_llama: int
    cold_step2_evaluated: int
    cold_step2_eval_ms: float


def _agent_messages() -> tuple[list[Any], Any, Any]:
    from gemma_agents.calls import ToolSpec, render_tools
    from gemma_agents.runtime.base import Message

    tools = [
        ToolSpec(
            "calculator",
            "Evaluate an arithmetic expression.",
            {
                "type": "object",
                "properties": {"expression": {"type": "string"}},
                "required": ["expression"],
            },
        ),
        ToolSpec(
            "get_weather",
            "Current weather for a city.",
            {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["city"],
            },
        ),
        ToolSpec(
            "search_notes",
            "Search the user's notes.",
            {
                "type": "object",
                "properties": {"query": {"type": "string"}, "limit": {"type": "integer"}},
                "required": ["query"],
            },
        ),
    ]
    step1 = [
        Message("system", "You are a helpful assistant.\n\n" + render_tools(tools, "gemma3")),
        Message("user", "What is 355 divided by 113?"),
    ]
    return step1, Message, tools


def bench_reuse(model: str, threads: int) -> Reuse:
    import llama_cpp

    from gemma_agents.runtime.llamacpp import LlamaCppRuntime

    rt = LlamaCppRuntime(model, n_threads=threads, n_ctx=2048)
    step1, message, _ = _agent_messages()
    greedy = {"temperature": 0.0, "num_predict": 16}
    rt.reset_cache()
    r1 = rt.chat(step1, options=greedy)
    step2 = [
        *step1,
        message("assistant", r1.text),
        message("tool", "3.1415929203539825", tool_name="calculator"),
    ]
    llama_cpp.llama_perf_context_reset(rt.llama.ctx)
    r2 = rt.chat(step2, options={**greedy, "num_predict": 4})
    counted = int(llama_cpp.llama_perf_context(rt.llama.ctx).n_p_eval)
    rt.reset_cache()
    cold = rt.chat(step2, options={**greedy, "num_predict": 4})
    rt.close()
    u1, u2, uc = r1.usage, r2.usage, cold.usage
    return Reuse(
        u1.prompt_tokens,
        u1.evaluated_prompt_tokens,
        u1.prompt_eval_ms,
        u2.prompt_tokens,
        u2.evaluated_prompt_tokens,
        u2.prompt_eval_ms,
        counted,
        uc.evaluated_prompt_tokens,
        uc.prompt_eval_ms,
    )


def import_time(statement: str, repeats: int) -> float:
    """Median wall seconds of ``python -c statement`` in a fresh interpreter."""
    times = []
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _verdict(ok: bool) -> str:
    return "[green]meets target[/]" if ok else "[red]misses target[/]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.runtime",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", default="gemma3-270m", help="alias or .gguf path")
    parser.add_argument("--tokens", type=int, default=64, help="tokens decoded per run")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved runs per side")
    parser.add_argument("--import-repeats", type=int, default=5)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="CPU threads (default GEMMA_AGENTS_THREADS or all cores)",
    )
    parser.add_argument("--quick", action="store_true", help="smoke settings: 16 tokens, 1 run")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.quick:
        args.tokens, args.repeats, args.import_repeats = 16, 1, 3
    threads = args.threads or int(os.environ.get("GEMMA_AGENTS_THREADS") or os.cpu_count() or 1)
    console = Console()
    console.print(
        f"model={args.model} threads={threads} tokens={args.tokens} "
        f"repeats={args.repeats} (interleaved)"
    )

    runs = bench_decode(args.model, threads, args.tokens, args.repeats)
    med = {k: statistics.median(d.decode_tps for d in v) for k, v in runs.items()}
    best = {k: max(d.decode_tps for d in v) for k, v in runs.items()}
    raw_med = max(med["raw_generate"], med["raw_completion"])
    raw_best = max(best["raw_generate"], best["raw_completion"])
    ratio = med["ours"] / raw_med if raw_med else 0.0
    ratio_best = best["ours"] / raw_best if raw_best else 0.0
    table = Table(title="1. Decode speed (greedy, same Llama instance/prompt/threads)")
    for col in ("path", "tokens", "1st token", "tok/s median", "tok/s best", "ours/this med"):
        table.add_column(col, justify="right")
    for name, label in (
        ("ours", "ours: complete()"),
        ("raw_generate", "raw generate()"),
        ("raw_completion", "raw create_completion()"),
    ):
        rs = runs[name]
        rel = med["ours"] / med[name] if med[name] else 0.0
        table.add_row(
            label,
            str(int(statistics.median(d.tokens for d in rs))),
            f"{statistics.median(d.ttft_ms for d in rs):.0f} ms",
            f"{med[name]:.1f}",
            f"{best[name]:.1f}",
            f"{rel:.3f}",
        )
    console.print(table)
    console.print(
        f"ours / best raw path: median {ratio:.3f}, best-of-{args.repeats} {ratio_best:.3f} "
        f"(target >= {DECODE_TARGET}): " + _verdict(max(ratio, ratio_best) >= DECODE_TARGET)
    )

    con = bench_constrained(args.model, threads, min(args.tokens, 32), args.repeats)
    table = Table(title="1b. Constrained (JSON schema) greedy decoding")
    for col in ("path", "decode tok/s", "ours / this"):
        table.add_column(col, justify="right")
    table.add_row("ours: check arg-max, mask on rejection", f"{con['fast']:.1f}", "1.000")
    rel = con["fast"] / con["chain"] if con["chain"] else 0.0
    table.add_row("llama: grammar in the sampler chain", f"{con['chain']:.1f}", f"{rel:.3f}")
    console.print(table)
    console.print(f"identical output: {con['same_output']}")

    reuse = bench_reuse(args.model, threads)
    share = reuse.step2_evaluated / reuse.step1_evaluated if reuse.step1_evaluated else 1.0
    table = Table(title="2. KV prefix reuse, two-step agent exchange")
    for col in ("call", "prompt tokens", "evaluated", "prompt eval"):
        table.add_column(col, justify="right")
    table.add_row(
        "step 1 (cold)",
        str(reuse.step1_prompt),
        str(reuse.step1_evaluated),
        f"{reuse.step1_eval_ms:.0f} ms",
    )
    table.add_row(
        "step 2 (ours, cache reused)",
        str(reuse.step2_prompt),
        f"{reuse.step2_evaluated} (llama.cpp counted {reuse.step2_counted_by_llama})",
        f"{reuse.step2_eval_ms:.0f} ms",
    )
    table.add_row(
        "step 2 anchor (cache cleared)",
        str(reuse.step2_prompt),
        str(reuse.cold_step2_evaluated),
        f"{reuse.cold_step2_eval_ms:.0f} ms",
    )
    console.print(table)
    console.print(
        f"step 2 evaluated {share:.1%} of step 1's tokens (target <= "
        f"{REUSE_TARGET:.0%}): " + _verdict(share <= REUSE_TARGET)
    )

    table = Table(title="3. Import time (fresh interpreter, median)")
    table.add_column("statement")
    table.add_column("wall", justify="right")
    rows = [
        ("pass", "python startup only"),
        ("import gemma_agents", None),
        ("import langgraph", None),
        ("import langgraph.graph", None),
    ]
    timings = {}
    for statement, label in rows:
        timings[statement] = import_time(statement, args.import_repeats)
        table.add_row(label or statement, f"{timings[statement] * 1000:.0f} ms")
    console.print(table)
    ours_import = timings["import gemma_agents"] - timings["pass"]
    lg_import = timings["import langgraph.graph"] - timings["pass"]
    console.print(
        f"import gemma_agents costs {ours_import * 1000:.0f} ms over startup; "
        f"import langgraph.graph costs {lg_import * 1000:.0f} ms"
    )

    missed = ratio < DECODE_TARGET or share > REUSE_TARGET
    return 1 if (args.strict and missed) else 0
