"""Embedders: text to vectors for long-term memory.

Three first-party embedders:

* :class:`LlamaCppEmbedder`: the embedded Gemma 3 270M, mean-pooled, fully offline. The
  default, because it needs nothing but the ``embedded`` extra.
* :class:`OllamaEmbedder`: EmbeddingGemma (or any embedding model) on an Ollama server,
  with EmbeddingGemma's documented task prefixes.
* :class:`HashingEmbedder`: no model at all; feature hashing of words and character
  n-grams. An honest lexical baseline and fast enough for bulk benchmarks and tests.

Every embedder has a ``name`` and ``dimension`` that the stores record on the collection,
and :func:`embedder_from_spec` turns a recorded name (or a CLI ``--embedder`` value) back
into an embedder, so a collection can always be reopened with the embedder that wrote it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..exceptions import (
    ConfigError,
    InferenceError,
    MemoryStoreError,
    ModelNotFound,
    RuntimeUnavailable,
)
from ._calibration import CALIBRATION_VERSION, load_or_compute, model_key
from ._hashing import HashingEmbedder
from ._records import l2_normalise

__all__ = [
    "HashingEmbedder",
    "LlamaCppEmbedder",
    "OllamaEmbedder",
    "embedder_from_spec",
]

#: Known output sizes, so an Ollama embedder can report its dimension without a call.
_OLLAMA_DIMENSIONS = {"embeddinggemma": 768}


def _normalise_ollama_model(model: str) -> str:
    model = model.strip()
    return model[: -len(":latest")] if model.endswith(":latest") else model


class OllamaEmbedder:
    """Embeddings from an Ollama server through the official ``ollama`` client.

    EmbeddingGemma was trained with task prefixes and Ollama does not add them, so they are
    added here: queries become ``task: search result | query: {text}`` and documents
    ``title: {title or "none"} | text: {text}``. Without them retrieval quality drops, and
    query and document vectors no longer live in the space the model card evaluates.

    Args:
        model: Ollama model name; ``embeddinggemma`` (308M, 768 dimensions) by default.
        host: Server URL; ``None`` lets the client read ``OLLAMA_HOST``.
        dimensions: Matryoshka truncation (EmbeddingGemma supports 512/256/128); sent to
            ``/api/embed`` as ``dimensions``.
        prefixes: Add the EmbeddingGemma task prefixes; ``None`` means "when the model name
            starts with ``embeddinggemma``".
        batch_size: Texts per ``/api/embed`` request.
        timeout: Seconds per request.
    """

    def __init__(
        self,
        model: str = "embeddinggemma",
        host: str | None = None,
        dimensions: int | None = None,
        *,
        prefixes: bool | None = None,
        batch_size: int = 64,
        timeout: float = 120.0,
    ) -> None:
        if not model or not model.strip():
            raise ConfigError("OllamaEmbedder needs a model name", hint="e.g. 'embeddinggemma'")
        if dimensions is not None and dimensions <= 0:
            raise ConfigError(f"dimensions must be positive, got {dimensions}")
        self.model = _normalise_ollama_model(model)
        self.host = host
        self.dimensions = dimensions
        self.prefixes = (
            self.model.split(":")[0] == "embeddinggemma" if prefixes is None else prefixes
        )
        self.batch_size = max(1, batch_size)
        self.timeout = timeout
        self.name = f"ollama:{self.model}"
        self._dimension: int | None = dimensions or _OLLAMA_DIMENSIONS.get(self.model.split(":")[0])
        self._client: Any = None

    def __repr__(self) -> str:
        return f"OllamaEmbedder(model={self.model!r}, host={self.host!r})"

    @property
    def dimension(self) -> int:
        """Output size; measured with one request when the model is not a known one."""
        if self._dimension is None:
            self._dimension = len(self._embed(["dimension probe"])[0])
        return self._dimension

    def _get_client(self) -> Any:
        if self._client is None:
            import ollama

            self._client = ollama.Client(host=self.host, timeout=self.timeout)
        return self._client

    def _embed(self, inputs: list[str]) -> list[list[float]]:
        import ollama

        client = self._get_client()
        out: list[list[float]] = []
        for start in range(0, len(inputs), self.batch_size):
            batch = inputs[start : start + self.batch_size]
            try:
                response = client.embed(model=self.model, input=batch, dimensions=self.dimensions)
            except ollama.ResponseError as exc:
                if exc.status_code == 404:
                    raise ModelNotFound(self.model, hint=f"run `ollama pull {self.model}`") from exc
                raise InferenceError(
                    f"Ollama /api/embed failed for {self.model!r}: {exc.error}",
                    status_code=exc.status_code,
                ) from exc
            except (ConnectionError, OSError) as exc:
                raise RuntimeUnavailable(
                    f"cannot reach the Ollama server for embeddings: {exc}",
                    hint="start Ollama (`ollama serve`) or set OLLAMA_HOST, or use "
                    "--embedder llamacpp for the offline default",
                ) from exc
            vectors = [list(map(float, v)) for v in response.embeddings]
            if len(vectors) != len(batch):
                raise InferenceError(
                    f"Ollama returned {len(vectors)} embeddings for {len(batch)} inputs"
                )
            out.extend(vectors)
        return out

    def embed_documents(
        self, texts: Sequence[str], titles: Sequence[str | None] | None = None
    ) -> list[list[float]]:
        """Embed stored texts; ``titles`` (one per text) fill EmbeddingGemma's title slot."""
        if titles is not None and len(titles) != len(texts):
            raise ConfigError("titles must have one entry per text")
        if self.prefixes:
            heads = titles or [None] * len(texts)
            inputs = [
                f"title: {h or 'none'} | text: {t}" for t, h in zip(texts, heads, strict=True)
            ]
        else:
            inputs = list(texts)
        return self._embed(inputs) if inputs else []

    def embed_query(self, text: str) -> list[float]:
        prompt = f"task: search result | query: {text}" if self.prefixes else text
        return self._embed([prompt])[0]


class LlamaCppEmbedder:
    """Embeddings from the embedded llama.cpp Gemma (the 270M by default), fully offline.

    The offline default: no server and no download, the weights ship as a Python package.
    The 270M is a base language model, not an embedding model, so its mean-pooled vectors
    are post-processed ("all-but-the-top": centred, three dominant directions removed,
    fitted once per model file on a fixed generic corpus; see
    :mod:`gemma_agents.memory._calibration`). That lifts recall@1 on the paraphrased
    benchmark set from 0.44 (raw pooling) to about 0.77, and makes similarity thresholds
    meaningful. ``postprocess=False`` gives the raw pooled vectors (another vector space,
    hence another ``name``).

    Vectors come from ``LlamaCppRuntime.embed``, so a runtime passed in is shared with
    chat (one model file, one lock).

    Args:
        runtime: A ``LlamaCppRuntime`` to reuse; one is created lazily when ``None``.
        model: Model alias or GGUF path for the runtime created here.
        n_threads: Threads for that runtime (``None``: its default).
        postprocess: Apply the calibration (recommended).
    """

    def __init__(
        self,
        runtime: Any | None = None,
        *,
        model: str = "gemma3-270m",
        n_threads: int | None = None,
        postprocess: bool = True,
    ) -> None:
        self._runtime = runtime
        self.model = str(getattr(runtime, "model", model)) if runtime is not None else model
        self.n_threads = n_threads
        self.postprocess = postprocess
        self._dimension: int | None = None
        self._calibration: Any = None
        self._lock = threading.Lock()
        suffix = f"#{CALIBRATION_VERSION}" if postprocess else "#raw"
        self.name = f"llamacpp:{_llamacpp_label(self.model)}{suffix}"

    def __repr__(self) -> str:
        return f"LlamaCppEmbedder(model={self.model!r}, postprocess={self.postprocess})"

    @property
    def runtime(self) -> Any:
        """The ``LlamaCppRuntime`` used (created on first use)."""
        with self._lock:
            if self._runtime is None:
                self._runtime = _make_runtime(self.model, self.n_threads)
            return self._runtime

    @property
    def dimension(self) -> int:
        """Hidden size of the model (640 for Gemma 3 270M), measured on first use."""
        if self._dimension is None:
            self._dimension = len(self._raw(["dimension probe"])[0])
        return self._dimension

    def _raw(self, texts: list[str]) -> list[list[float]]:
        vectors = self.runtime.embed(texts)
        if len(vectors) != len(texts):
            raise MemoryStoreError(
                f"embedder returned {len(vectors)} vectors for {len(texts)} texts"
            )
        return [list(map(float, v)) for v in vectors]

    def _calibrated(self) -> Any:
        if self._calibration is None:
            path = getattr(self.runtime, "path", None)
            key = (
                model_key(Path(path))
                if path
                else hashlib.sha256(self.model.encode()).hexdigest()[:20]
            )
            self._calibration = load_or_compute(key, self._raw)
        return self._calibration

    def _embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        if self.postprocess:
            return self._calibrated().apply(self._raw(texts))  # type: ignore[no-any-return]
        return [l2_normalise(v) for v in self._raw(texts)]

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._embed(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text])[0]


def _llamacpp_label(model: str) -> str:
    """Stable label for the model in recorded names: the alias for the packaged model."""
    from ..runtime.gguf import is_default_alias

    return "gemma3-270m" if is_default_alias(model) else model


#: Context of the embedding instance we create. Memories are short (ingested chunks are
#: at most 800 characters, about 200 tokens) and llama.cpp's cost per text grows with the
#: context it is configured for (measured ~3x slower per short text at 2048 than at 512).
EMBEDDING_CTX = 512


def _make_runtime(model: str, n_threads: int | None) -> Any:
    """Create the embedded runtime (it raises RuntimeUnavailable with the install hint)."""
    from ..runtime.llamacpp import LlamaCppRuntime

    kwargs: dict[str, Any] = {"n_threads": n_threads} if n_threads else {}
    return LlamaCppRuntime(model, embedding_ctx=EMBEDDING_CTX, **kwargs)


def embedder_from_spec(spec: str, dimension: int | None = None) -> Any:
    """Build an embedder from a CLI value or from the name recorded on a collection.

    Accepted forms: ``hashing`` / ``hashing:512`` / ``hashing-v1`` (recorded name),
    ``llamacpp`` / ``llamacpp:<alias or .gguf path>``, ``ollama`` /
    ``ollama:<model>``; recorded llama.cpp names carry ``#<calibration>``. ``dimension`` (as recorded) sizes the hashing embedder and sets
    Ollama's Matryoshka truncation when it differs from the model's native size.

    Raises:
        ConfigError: The spec names no known embedder; the message lists the valid forms.
    """
    text = (spec or "").strip()
    kind, _, arg = text.partition(":")
    kind = kind.lower()
    if kind in ("hashing", f"hashing-{HashingEmbedder.VERSION}"):
        if arg:
            try:
                return HashingEmbedder(int(arg))
            except ValueError as exc:
                raise ConfigError(f"bad hashing dimension {arg!r} in {spec!r}") from exc
        return HashingEmbedder(dimension or 256)
    if kind == "llamacpp":
        model, hashmark, variant = arg.rpartition("#") if "#" in arg else (arg, "", "")
        if hashmark and variant == "raw":
            return LlamaCppEmbedder(model=model or "gemma3-270m", postprocess=False)
        if hashmark and variant != CALIBRATION_VERSION:
            raise ConfigError(
                f"embedder {spec!r} used calibration {variant!r}; this version has "
                f"{CALIBRATION_VERSION!r}",
                hint="re-embed the collection: `gemma-agents memory reembed --embedder llamacpp`",
            )
        return LlamaCppEmbedder(model=model or "gemma3-270m")
    if kind == "ollama":
        model = _normalise_ollama_model(arg or "embeddinggemma")
        native = _OLLAMA_DIMENSIONS.get(model.split(":")[0])
        dims = dimension if dimension and dimension != native else None
        return OllamaEmbedder(model, dimensions=dims)
    raise ConfigError(
        f"unknown embedder {spec!r}",
        hint="use llamacpp[:MODEL], ollama[:MODEL] or hashing[:DIM]",
    )
