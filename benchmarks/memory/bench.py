"""Long-term memory benchmark: store scale and retrieval quality, anchors side by side.

1. Store scale. Insert N synthetic memories (1,000 per user, batched through
   ``ChromaMemory.add_many`` with the default near-duplicate merging on), then run
   per-user searches (k=5). Embedded Chroma (``PersistentClient``) and server mode
   (``chroma run`` on 127.0.0.1, ``HttpClient``) run the same workload one after the
   other and are printed next to each other. Bulk inserts use :class:`HashingEmbedder`
   (256-d, no model) so the numbers measure the store, not the model; the table says so
   and reports the embedder's own share. ``self@1`` checks the approximate index: the
   query is the exact text of one of that user's memories, which should come back first.
2. Retrieval quality on ``qa_pairs.jsonl`` (120 facts about fictional people, projects
   and places; each question is phrased differently from its fact): recall@1, recall@5
   and MRR with all facts stored for one user. The embedded Gemma 3 270M
   (``LlamaCppEmbedder``, the offline default) against the lexical anchor
   (``HashingEmbedder``) in the same run, plus the 270M without calibration (ablation).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from gemma_agents.memory import ChromaMemory, HashingEmbedder

HERE = Path(__file__).resolve().parent
#: Memories per user in the scale runs (so 10k memories = 10 users, 100k = 100 users).
PER_USER = 1000

_NAMES = [
    "Ada",
    "Bo",
    "Chen",
    "Dara",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ivo",
    "Jun",
    "Kira",
    "Lars",
    "Mona",
    "Nils",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sami",
    "Tova",
]
_VERBS = [
    "bought",
    "booked",
    "fixed",
    "lost",
    "found",
    "painted",
    "sold",
    "borrowed",
    "returned",
    "ordered",
    "cleaned",
    "moved",
]
_THINGS = [
    "bicycle",
    "laptop",
    "kettle",
    "guitar",
    "sofa",
    "ticket",
    "passport",
    "camera",
    "umbrella",
    "lamp",
    "printer",
    "tent",
    "jacket",
    "drill",
    "ladder",
    "mirror",
    "clock",
    "piano",
    "scooter",
    "telescope",
]
_PLACES = [
    "Lisbon",
    "Oslo",
    "Kyoto",
    "Lagos",
    "Quito",
    "Perth",
    "Tartu",
    "Leeds",
    "Cusco",
    "Split",
    "Graz",
    "Sines",
]
_WHEN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def synthetic(n: int, seed: int = 7) -> list[tuple[str, str]]:
    """``(user, text)`` pairs: varied, deterministic, numbered so none are duplicates."""
    rng = random.Random(seed)
    users = max(1, n // PER_USER)
    out = []
    for i in range(n):
        text = (
            f"{rng.choice(_NAMES)} {rng.choice(_VERBS)} the {rng.choice(_THINGS)} in "
            f"{rng.choice(_PLACES)} on {rng.choice(_WHEN)}, reference {i:06d}."
        )
        out.append((f"user{i % users:03d}", text))
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class ScaleRow:
    size: int
    mode: str
    insert_per_s: float
    embed_share: float
    p50_ms: float
    p95_ms: float
    self_at_1: float


def run_scale(
    store: ChromaMemory, size: int, mode: str, queries: int, batch: int, dedupe: bool = True
) -> ScaleRow:
    data = synthetic(size)
    by_user: dict[str, list[str]] = {}
    for user, text in data:
        by_user.setdefault(user, []).append(text)
    embed_started = time.perf_counter()
    store.embedder.embed_documents([t for _, t in data[: min(size, 5000)]])
    embed_s = (time.perf_counter() - embed_started) * size / min(size, 5000)
    started = time.perf_counter()
    for user, texts in by_user.items():
        store.add_many(texts, user=user, batch_size=batch, dedupe=dedupe)
    insert_s = time.perf_counter() - started
    rng = random.Random(11)
    latencies: list[float] = []
    exact = 0
    for _ in range(queries):
        user, text = data[rng.randrange(size)]
        t0 = time.perf_counter()
        hits = store.search(text, user=user, k=5)
        latencies.append((time.perf_counter() - t0) * 1000)
        exact += bool(hits) and hits[0].text == text
    return ScaleRow(
        size=size,
        mode=mode,
        insert_per_s=size / insert_s,
        embed_share=min(1.0, embed_s / insert_s),
        p50_ms=statistics.median(latencies),
        p95_ms=_pct(latencies, 0.95),
        self_at_1=exact / queries,
    )


class ChromaServer:
    """``chroma run`` on a free 127.0.0.1 port with its data in a temporary directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ChromaServer:
        import httpx

        chroma = Path(sys.executable).with_name("chroma")
        self.proc = subprocess.Popen(
            [
                str(chroma),
                "run",
                "--path",
                str(self.path),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(
                    f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1
                ).is_success:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("chroma run did not start within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@dataclass
class QualityRow:
    embedder: str
    dimension: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    ms_per_query: float


class _MemoRuntime:
    """Wraps the embedded runtime and caches ``embed`` per text, so the ablation row scores
    the very same raw vectors as the default row without computing them twice."""

    def __init__(self, runtime: Any) -> None:
        self._runtime = runtime
        self._cache: dict[str, list[float]] = {}
        self.model = runtime.model
        self.path = runtime.path

    def embed(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            self._cache.update(zip(missing, self._runtime.embed(missing), strict=True))
        return [self._cache[t] for t in texts]


def load_pairs() -> list[dict[str, Any]]:
    with (HERE / "qa_pairs.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def run_quality(label: str, embedder: Any, pairs: list[dict[str, Any]], root: Path) -> QualityRow:
    store = ChromaMemory(root / label.replace(" ", "_"), embedder=embedder, dedupe_threshold=None)
    ids = store.add_many([p["fact"] for p in pairs], user="bench")
    ranks: list[int | None] = []
    started = time.perf_counter()
    for pair, gold in zip(pairs, ids, strict=True):
        hits = store.search(pair["question"], user="bench", k=5)
        found = [h.id for h in hits]
        ranks.append(found.index(gold) + 1 if gold in found else None)
    elapsed = time.perf_counter() - started
    n = len(pairs)
    return QualityRow(
        embedder=label,
        dimension=embedder.dimension,
        recall_at_1=sum(r == 1 for r in ranks) / n,
        recall_at_5=sum(r is not None for r in ranks) / n,
        mrr=sum(1 / r for r in ranks if r) / n,
        ms_per_query=elapsed * 1000 / n,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.memory", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", default="10000,100000", help="Comma-separated store sizes.")
    parser.add_argument("--queries", type=int, default=200, help="Searches per size and mode.")
    parser.add_argument("--batch", type=int, default=512, help="add_many batch size.")
    parser.add_argument("--no-server", action="store_true", help="Skip server mode.")
    parser.add_argument(
        "--no-dedupe", action="store_true", help="Insert without the near-duplicate lookups."
    )
    parser.add_argument(
        "--no-quality", action="store_true", help="Skip the retrieval-quality part."
    )
    parser.add_argument(
        "--no-gemma", action="store_true", help="Quality with the hashing anchor only."
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="llama.cpp threads (default: the runtime's)."
    )
    parser.add_argument("--json", type=Path, default=None, help="Also write the results here.")
    args = parser.parse_args(argv)
    console = Console(width=120)
    results: dict[str, Any] = {"scale": [], "quality": []}
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    with tempfile.TemporaryDirectory(prefix="gemma-mem-bench-") as tmp:
        root = Path(tmp)
        server = None if args.no_server else ChromaServer(root / "server").__enter__()
        try:
            for size in sizes:
                embedded = ChromaMemory(root / f"embedded-{size}", embedder=HashingEmbedder())
                results["scale"].append(
                    run_scale(
                        embedded, size, "embedded", args.queries, args.batch, not args.no_dedupe
                    )
                )
                if server is not None:
                    remote = ChromaMemory(
                        host="127.0.0.1",
                        port=server.port,
                        embedder=HashingEmbedder(),
                        collection=f"bench-{size}",
                    )
                    results["scale"].append(
                        run_scale(
                            remote, size, "server", args.queries, args.batch, not args.no_dedupe
                        )
                    )
        finally:
            if server is not None:
                server.__exit__()
        table = Table(
            title="Store scale (bulk inserts use HashingEmbedder 256-d: this measures the store, not the model)"
        )
        for col in (
            "memories",
            "mode",
            "insert/s",
            "embed share",
            "search p50 ms",
            "search p95 ms",
            "self@1",
        ):
            table.add_column(col, justify="right")
        for row in results["scale"]:
            table.add_row(
                f"{row.size:,}",
                row.mode,
                f"{row.insert_per_s:,.0f}",
                f"{row.embed_share:.0%}",
                f"{row.p50_ms:.1f}",
                f"{row.p95_ms:.1f}",
                f"{row.self_at_1:.2f}",
            )
        console.print(table)
        console.print(
            f"[dim]{PER_USER} memories per user (size/{PER_USER} users); every search filters on "
            "one user; insert/s includes embedding and the dedupe lookups; search latency "
            "includes embedding the query.[/]"
        )

        if not args.no_quality:
            pairs = load_pairs()
            embedders: list[tuple[str, Any]] = []
            if not args.no_gemma:
                try:
                    from gemma_agents.memory import LlamaCppEmbedder

                    runtime = _MemoRuntime(LlamaCppEmbedder(n_threads=args.threads).runtime)
                    gemma = LlamaCppEmbedder(runtime)
                    gemma.dimension  # noqa: B018 - load now, not inside the timed loop
                    embedders.append(("gemma3-270m (llamacpp, default)", gemma))
                    embedders.append(
                        (
                            "gemma3-270m raw pooling (ablation)*",
                            LlamaCppEmbedder(runtime, postprocess=False),
                        )
                    )
                except Exception as exc:
                    console.print(f"[yellow]embedded Gemma unavailable, anchor only: {exc}[/]")
            embedders.append(("hashing (lexical anchor)", HashingEmbedder()))
            for label, embedder in embedders:
                results["quality"].append(run_quality(label, embedder, pairs, root / "quality"))
            table = Table(
                title=f"Retrieval quality: {len(pairs)} paraphrased question/fact pairs, one user, k=5"
            )
            for col in ("embedder", "dim", "recall@1", "recall@5", "MRR", "ms/query"):
                table.add_column(col, justify="right")
            for row in results["quality"]:
                table.add_row(
                    row.embedder,
                    str(row.dimension),
                    f"{row.recall_at_1:.3f}",
                    f"{row.recall_at_5:.3f}",
                    f"{row.mrr:.3f}",
                    f"{row.ms_per_query:.1f}",
                )
            console.print(table)
            if not args.no_gemma:
                console.print(
                    "[dim]* reuses the default row's raw 270M vectors (same runtime calls, "
                    "cached), so its ms/query shows search cost without model time.[/]"
                )

    if args.json is not None:
        args.json.write_text(
            json.dumps({k: [asdict(r) for r in v] for k, v in results.items()}, indent=2),
            encoding="utf-8",
        )
    return 0
