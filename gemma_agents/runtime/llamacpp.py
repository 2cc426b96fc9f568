"""The embedded runtime: a Gemma GGUF running in-process through llama-cpp-python.

Why a hand-written loop over ``Llama.generate`` instead of ``create_completion``: it lets
us report honest numbers (prompt tokens served from the KV cache, time to first token,
decode time), stop on Gemma's end-of-turn token by id, and stream text without splitting
UTF-8 characters or leaking half a stop sequence.

One ``Llama`` instance is kept for the life of the runtime. llama-cpp-python reuses the
longest common token prefix of the new prompt and the tokens already in its context, and
:mod:`.gemma_format` renders conversations prefix-stably, so each agent step only
evaluates the tokens it added. ``Llama`` is not thread-safe: every use goes through a lock
(``achat`` runs ``chat`` in a worker thread; a stream holds the lock until it ends).

``format`` (a JSON schema or ``"json"``) becomes a llama.cpp grammar, compiled once per
schema. Greedy constrained calls take a faster, output-identical path
(:mod:`._llamacpp_greedy`). Options use Ollama's vocabulary (see
:func:`._llamacpp_options.parse_options`).
"""

from __future__ import annotations

import codecs
import importlib.util
import logging
import math
import threading
import time
from collections.abc import Generator, Iterator, Mapping, Sequence
from typing import Any

from ..calls._types import ToolSpec
from ..exceptions import ConfigError, InferenceError, RuntimeUnavailable, UnsupportedFeature
from . import gemma_format
from ._llamacpp_greedy import greedy_grammar_tokens
from ._llamacpp_options import (
    GrammarCache,
    JsonFormat,
    Request,
    family_from_metadata,
    find_stop,
    holdback,
    parse_options,
    resolve_threads,
    route_llama_logs,
)
from .base import Capabilities, ChatResult, Health, Message, Runtime, StreamChunk, Usage
from .gguf import EMBEDDED_EXTRA_HINT, is_default_alias, is_model_ready, read_gguf_metadata
from .gguf import resolve_model as _resolve_model

__all__ = ["LlamaCppRuntime", "family_from_metadata"]

log = logging.getLogger(__name__)


def _plain_greedy(s: dict[str, float]) -> bool:
    """Greedy with no penalties: the case the fast grammar loop reproduces exactly."""
    return (
        s["temperature"] == 0.0
        and s["repeat_penalty"] == 1.0
        and s["frequency_penalty"] == 0.0
        and s["presence_penalty"] == 0.0
        and s["mirostat"] == 0
    )


def _require_llama_cpp() -> None:
    try:
        spec = importlib.util.find_spec("llama_cpp")
    except ValueError:  # in sys.modules as None: the import is blocked
        spec = None
    if spec is None:
        raise RuntimeUnavailable(
            "the embedded runtime needs llama-cpp-python, which is not installed",
            hint=EMBEDDED_EXTRA_HINT,
        )


class LlamaCppRuntime(Runtime):
    """Run a Gemma GGUF in-process with llama.cpp.

    Args:
        model: ``gemma3-270m`` (the packaged model, assembled on first use) or a path to a
            ``.gguf`` file.
        n_threads: CPU threads; defaults to ``GEMMA_AGENTS_THREADS``, else all cores.
        n_ctx: Context window in tokens (prompt + answer).
        seed: Default sampling seed (``options["seed"]`` overrides it per call).
        family: Turn format (``gemma3``, ``gemma3n``, ``functiongemma``, ``gemma4``); read
            from the GGUF metadata when ``None``.
        verbose: Let llama.cpp print its load and timing logs.
        embedding_ctx: Context of the separate embedding instance (longer texts are
            truncated).

    Raises:
        ConfigError: Bad path, not a GGUF, unknown family or bad thread count.
        RuntimeUnavailable: llama-cpp-python or the packaged model is not installed.
    """

    name = "llamacpp"

    def __init__(
        self,
        model: str = "gemma3-270m",
        *,
        n_threads: int | None = None,
        n_ctx: int = 4096,
        seed: int = 0,
        family: str | None = None,
        verbose: bool = False,
        embedding_ctx: int = 2048,
    ) -> None:
        _require_llama_cpp()
        self.path = _resolve_model(model)
        self.model = model if is_default_alias(model) else str(self.path)
        self.n_threads = resolve_threads(n_threads)
        if n_ctx < 64:
            raise ConfigError(f"n_ctx must be at least 64 tokens, got {n_ctx}")
        self.n_ctx = n_ctx
        self.seed = seed
        self.verbose = verbose
        self.embedding_ctx = embedding_ctx
        self.metadata = read_gguf_metadata(self.path)
        if family is not None:
            gemma_format.turn_format(family)  # validates
        self.family = family or family_from_metadata(self.metadata, self.path) or "gemma3"
        self._format = gemma_format.turn_format(self.family)
        self._lock = threading.RLock()
        self._embed_lock = threading.Lock()
        self._llama: Any = None
        self._embedder: Any = None
        self._grammars = GrammarCache()
        #: Use the fast greedy-grammar loop (identical output); ``False`` forces llama's.
        self.fast_grammar = True

    # --- loading ------------------------------------------------------------------------

    def _load(self, **extra: Any) -> Any:
        import llama_cpp

        route_llama_logs(self.verbose)

        try:
            return llama_cpp.Llama(
                model_path=str(self.path),
                n_threads=self.n_threads,
                n_threads_batch=self.n_threads,
                seed=self.seed,
                verbose=self.verbose,
                **extra,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise InferenceError(
                f"llama.cpp could not load {self.path}: {exc}",
                hint="check that the file is a complete GGUF for a llama.cpp-supported model",
            ) from exc

    @property
    def llama(self) -> Any:
        """The loaded ``llama_cpp.Llama`` (loaded on first use; use under no other lock)."""
        with self._lock:
            if self._llama is None:
                self._llama = self._load(n_ctx=self.n_ctx, n_batch=min(512, self.n_ctx))
            return self._llama

    def reset_cache(self) -> None:
        """Forget the KV cache so the next call evaluates its whole prompt.

        Useful for cold-start measurements and for bit-identical repeats: llama.cpp's
        float results depend slightly on how tokens were batched, so a prompt served from
        the cache can pick a different token than the same prompt evaluated fresh when
        two candidates are nearly tied.
        """
        with self._lock:
            if self._llama is not None:
                self._llama.reset()

    # --- helpers ------------------------------------------------------------------------

    def render(self, messages: Sequence[Message]) -> str:
        """The exact prompt :meth:`chat` sends for ``messages`` (without ``<bos>``)."""
        return gemma_format.render_messages(messages, self.family)

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text`` as a prompt (one BOS, special tokens parsed)."""
        body, _ = gemma_format.split_bos(text)
        with self._lock:
            return list(self.llama.tokenize(body.encode("utf-8"), add_bos=True, special=True))

    def count_tokens(self, text: str) -> int:
        """Number of prompt tokens ``text`` takes, BOS included."""
        return len(self.tokenize(text))

    def _stop_ids(self, llama: Any, texts: Sequence[str]) -> frozenset[int]:
        ids = {int(llama.token_eos())}
        for text in (*texts, self._format.turn_end):
            toks = llama.tokenize(text.encode("utf-8"), add_bos=False, special=True)
            if len(toks) == 1:
                ids.add(int(toks[0]))
        return frozenset(ids)

    def _request(
        self, prompt: str, format: JsonFormat, options: Mapping[str, Any] | None, chat: bool
    ) -> Request:
        opts = parse_options(options, constrained=format is not None)
        if opts.unknown:
            log.warning("llamacpp: ignoring unknown options %s", list(opts.unknown))
        llama = self.llama
        body, _ = gemma_format.split_bos(prompt)
        tokens = list(llama.tokenize(body.encode("utf-8"), add_bos=True, special=True))
        if len(tokens) >= self.n_ctx:
            raise InferenceError(
                f"the prompt is {len(tokens)} tokens, which does not fit the context window "
                f"of {self.n_ctx} tokens",
                hint="pass a larger n_ctx to LlamaCppRuntime or shorten the conversation",
            )
        room = self.n_ctx - len(tokens)
        max_tokens = room if opts.max_tokens is None else min(opts.max_tokens, room)
        family_stops = self._format.stop if chat else ()
        stop_texts = tuple(dict.fromkeys([*family_stops, *opts.stops]))
        return Request(
            tokens=tokens,
            max_tokens=max_tokens,
            stop_texts=stop_texts,
            stop_ids=self._stop_ids(llama, stop_texts),
            sampling=opts.params,
            grammar=self._grammars.get(format),
            seed=self.seed if opts.seed is None else opts.seed,
        )

    # --- generation ---------------------------------------------------------------------

    def _tokens(self, llama: Any, req: Request) -> Generator[int, Any, None]:
        """The token stream: the fast greedy-grammar loop when it applies, else llama's."""
        s = req.sampling
        if self.fast_grammar and req.grammar is not None and _plain_greedy(s):
            return greedy_grammar_tokens(llama, req.tokens, req.grammar)
        gen: Generator[int, Any, None] = llama.generate(
            req.tokens,
            top_k=int(s["top_k"]),
            top_p=float(s["top_p"]),
            min_p=float(s["min_p"]),
            typical_p=float(s["typical_p"]),
            temp=float(s["temperature"]),
            repeat_penalty=float(s["repeat_penalty"]),
            frequency_penalty=float(s["frequency_penalty"]),
            presence_penalty=float(s["presence_penalty"]),
            mirostat_mode=int(s["mirostat"]),
            mirostat_tau=float(s["mirostat_tau"]),
            mirostat_eta=float(s["mirostat_eta"]),
            grammar=req.grammar,
        )
        return gen

    def _events(self, req: Request) -> Iterator[StreamChunk]:
        """Generate under the lock, yielding text chunks and one final chunk with usage."""
        import llama_cpp

        with self._lock:
            llama = self.llama
            prefix = llama_cpp.Llama.longest_token_prefix(llama._input_ids.tolist(), req.tokens)
            cached = min(prefix, len(req.tokens) - 1)
            llama.set_seed(req.seed)
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            text, emitted, n_out, cut = "", 0, 0, False
            done_reason = "length"
            first: float | None = None
            last = time.perf_counter()
            gen = self._tokens(llama, req)
            try:
                for token in gen if req.max_tokens > 0 else ():
                    last = time.perf_counter()
                    if first is None:
                        first = last
                    if token in req.stop_ids:
                        done_reason = "stop"
                        break
                    n_out += 1
                    piece = llama.detokenize([token], special=True)
                    text += decoder.decode(piece)
                    hit = find_stop(text, req.stop_texts, emitted)
                    if hit is not None:
                        text, done_reason, cut = text[:hit], "stop", True
                        break
                    safe = len(text) - holdback(text, req.stop_texts)
                    if safe > emitted:
                        yield StreamChunk(text=text[emitted:safe])
                        emitted = safe
                    if n_out >= req.max_tokens:
                        break
            finally:
                gen.close()
            if not cut:  # flush a trailing partial UTF-8 sequence as U+FFFD
                text += decoder.decode(b"", final=True)
            if len(text) > emitted:
                yield StreamChunk(text=text[emitted:])
            end = time.perf_counter()
            first = first if first is not None else end
            usage = Usage(
                prompt_tokens=len(req.tokens),
                completion_tokens=n_out,
                prompt_eval_ms=(first - req.started) * 1000.0,
                eval_ms=(last - first) * 1000.0,
                total_ms=(end - req.started) * 1000.0,
                cached_tokens=cached,
            )
            yield StreamChunk(done=True, usage=usage, done_reason=done_reason)

    def _result(self, chunks: Iterator[StreamChunk]) -> ChatResult:
        parts: list[str] = []
        usage, reason = Usage(), None
        for chunk in chunks:
            parts.append(chunk.text)
            if chunk.done:
                usage, reason = chunk.usage or Usage(), chunk.done_reason
        return ChatResult(text="".join(parts), usage=usage, model=self.model, done_reason=reason)

    def _run(
        self,
        prompt: str,
        format: JsonFormat,
        options: Mapping[str, Any] | None,
        stream: bool,
        chat: bool,
    ) -> ChatResult | Iterator[StreamChunk]:
        started = time.perf_counter()
        with self._lock:
            req = self._request(prompt, format, options, chat)
        req.started = started
        events = self._events(req)
        return events if stream else self._result(events)

    def chat(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] | None = None,
        format: JsonFormat = None,
        options: Mapping[str, Any] | None = None,
        stream: bool = False,
    ) -> ChatResult | Iterator[StreamChunk]:
        """Render ``messages`` in the model's Gemma turn format and continue it.

        Raises:
            UnsupportedFeature: ``tools`` were given (call dialects render tools into the
                prompt instead) or a message carries images (text-only runtime).
        """
        if tools:
            raise UnsupportedFeature(
                f"{self.model} does not support tools natively on the embedded runtime",
                hint="render the tools into the prompt with a call dialect (ChatGemma does)",
            )
        if any(m.images for m in messages):
            raise UnsupportedFeature(
                "the embedded llama.cpp runtime is text-only and cannot take images",
                hint="use a vision model on Ollama, e.g. ollama:gemma3:4b",
            )
        return self._run(self.render(messages), format, options, stream, chat=True)

    def complete(
        self,
        prompt: str,
        *,
        format: JsonFormat = None,
        options: Mapping[str, Any] | None = None,
        stream: bool = False,
    ) -> ChatResult | Iterator[StreamChunk]:
        """Continue ``prompt`` verbatim (one BOS added; stops at EOS and end-of-turn)."""
        return self._run(prompt, format, options, stream, chat=False)

    # --- embeddings ---------------------------------------------------------------------

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Mean-pooled, L2-normalised embeddings from a second, embedding-mode instance."""
        if isinstance(texts, str):
            raise ConfigError("embed() takes a list of texts, not a single string")
        if not texts:
            return []
        import llama_cpp

        with self._embed_lock:
            if self._embedder is None:
                self._embedder = self._load(
                    embedding=True,
                    pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
                    n_ctx=self.embedding_ctx,
                    n_batch=self.embedding_ctx,
                    n_ubatch=self.embedding_ctx,
                )
            vectors = [self._embedder.embed(text, truncate=True) for text in texts]
        out = []
        for vec in vectors:
            norm = math.sqrt(sum(x * x for x in vec)) or 1.0
            out.append([x / norm for x in vec])
        return out

    # --- introspection ------------------------------------------------------------------

    def capabilities(self) -> Capabilities:
        return Capabilities(
            tools=False,
            vision=False,
            thinking=False,
            embedding=True,
            json_schema=True,
            context_length=self.n_ctx,
            family=self.family,
        )

    def health(self) -> Health:
        """Check the pieces without loading weights: llama_cpp importable, model file there."""
        if importlib.util.find_spec("llama_cpp") is None:
            return Health(
                False, self.name, "llama-cpp-python is not installed", fix=EMBEDDED_EXTRA_HINT
            )
        if is_default_alias(self.model) and not is_model_ready():
            detail = f"{self.path.name} will be (re)assembled from the installed package"
            return Health(
                True,
                self.name,
                detail,
                fix="gemma-agents models pull gemma3-270m",
                models=(self.model,),
            )
        if not self.path.exists():
            return Health(
                False,
                self.name,
                f"model file {self.path} is missing",
                fix="pass an existing .gguf path",
                models=(),
            )
        size_mb = self.path.stat().st_size / 1e6
        return Health(
            True,
            self.name,
            f"{self.path.name} ({size_mb:.0f} MB, {self.family})",
            models=(self.model,),
        )

    def close(self) -> None:
        """Free both llama.cpp instances (weights, KV cache)."""
        with self._lock, self._embed_lock:
            for inst in (self._llama, self._embedder):
                if inst is not None:
                    inst.close()
            self._llama = self._embedder = None

    def __repr__(self) -> str:
        return f"LlamaCppRuntime(model={self.model!r}, family={self.family!r}, n_ctx={self.n_ctx})"
