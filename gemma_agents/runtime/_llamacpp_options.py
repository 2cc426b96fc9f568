"""Helpers of the embedded runtime: options mapping, stops, grammars, family, threads, logs.

Kept apart from :mod:`.llamacpp` so they can be tested without llama.cpp and so the
runtime module stays about generation.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..exceptions import ConfigError, UnsupportedFeature
from . import gemma_format

__all__ = [
    "IGNORED_OPTIONS",
    "MAX_DECIMAL_DIGITS",
    "MAX_EXPONENT_DIGITS",
    "MAX_INTEGRAL_DIGITS",
    "SAMPLING_DEFAULTS",
    "GrammarCache",
    "JsonFormat",
    "Request",
    "Sampling",
    "bound_numbers",
    "family_from_metadata",
    "find_stop",
    "holdback",
    "parse_options",
    "resolve_threads",
    "route_llama_logs",
]

JsonFormat = Mapping[str, Any] | Literal["json"] | None

#: Ollama option names that have no per-call meaning here (fixed at load time); accepted
#: silently so one options dict works on every backend.
IGNORED_OPTIONS = frozenset(
    {
        "num_ctx",
        "num_gpu",
        "num_thread",
        "num_batch",
        "main_gpu",
        "use_mmap",
        "use_mlock",
        "numa",
        "low_vram",
        "keep_alive",
        "repeat_last_n",
        "penalize_newline",
        "tfs_z",
    }
)
#: Ollama's defaults, so the same options behave alike on every backend.
SAMPLING_DEFAULTS: dict[str, float] = {
    "temperature": 0.8,
    "top_k": 40,
    "top_p": 0.9,
    "min_p": 0.0,
    "typical_p": 1.0,
    "repeat_penalty": 1.1,
    "frequency_penalty": 0.0,
    "presence_penalty": 0.0,
    "mirostat": 0,
    "mirostat_tau": 5.0,
    "mirostat_eta": 0.1,
}
_INTEGER_OPTIONS = frozenset({"top_k", "mirostat"})


@dataclass
class Sampling:
    """Options resolved for one call.

    Attributes:
        max_tokens: Requested token budget, ``None`` for "until a stop or the context ends".
        stops: Extra stop strings from the caller.
        seed: Sampling seed, ``None`` for the runtime's default.
        params: Sampler parameters in :data:`SAMPLING_DEFAULTS` vocabulary.
        unknown: Option names that were not understood (logged by the caller).
    """

    max_tokens: int | None
    stops: tuple[str, ...]
    seed: int | None
    params: dict[str, float]
    unknown: tuple[str, ...] = ()


@dataclass
class Request:
    """One generation, with everything resolved from the prompt and the options."""

    tokens: list[int]
    max_tokens: int
    stop_texts: tuple[str, ...]
    stop_ids: frozenset[int]
    sampling: dict[str, float]
    grammar: Any = None
    seed: int = 0
    started: float = field(default_factory=time.perf_counter)


class GrammarCache:
    """Compiled llama.cpp grammars keyed by the schema's hash.

    Turning a JSON schema into GBNF is slow next to a short generation, and agents send
    the same schema on every step. Key order is part of the key because the grammar emits
    properties in schema order.
    """

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._cache)

    def get(self, format: JsonFormat) -> Any:
        """The ``LlamaGrammar`` for a JSON schema or ``"json"``; ``None`` for no format.

        Raises:
            ConfigError: ``format`` is neither a mapping nor ``"json"``.
            UnsupportedFeature: llama.cpp's converter cannot express the schema.
        """
        if format is None:
            return None
        from llama_cpp.llama_grammar import JSON_GBNF, LlamaGrammar, json_schema_to_gbnf

        if format == "json":
            key, schema_text = "json", ""
        elif isinstance(format, Mapping):
            schema_text = json.dumps(format)
            key = hashlib.sha256(schema_text.encode()).hexdigest()
        else:
            raise ConfigError(f"format must be a JSON schema (dict) or 'json', not {format!r}")
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            source = JSON_GBNF if key == "json" else json_schema_to_gbnf(schema_text)
        except Exception as exc:  # the converter raises bare Exceptions
            raise UnsupportedFeature(
                f"llama.cpp cannot turn this JSON schema into a grammar: {exc}",
                hint="simplify the schema (no external $ref, no unsupported formats)",
            ) from exc
        grammar = LlamaGrammar.from_string(bound_numbers(source), verbose=False)
        with self._lock:
            self._cache[key] = grammar
        return grammar


#: Digits a constrained JSON number may have: llama.cpp's converter ignores ``minimum`` /
#: ``maximum`` and allows 16 integral and 16 decimal digits, which small models fill with
#: runaway ``1000000000000000`` / ``0.30000000000000004`` strings (and exponents of 16
#: digits). 12 integral digits still fit any realistic count or money amount.
MAX_INTEGRAL_DIGITS = 12
MAX_DECIMAL_DIGITS = 8
MAX_EXPONENT_DIGITS = 3


def _digits(first: str, most: int) -> str:
    """GBNF for ``first`` then up to ``most - 1`` more digits, as nested optionals."""
    rule = ""
    for _ in range(most - 1):
        rule = f"([0-9]{' ' + rule if rule else ''})?"
    return f"{first} {rule}".strip()


def bound_numbers(gbnf: str) -> str:
    """``gbnf`` with the converter's number rules capped (see ``MAX_INTEGRAL_DIGITS``)."""
    rules = {
        "integral-part": f"[0-9] | {_digits('[1-9]', MAX_INTEGRAL_DIGITS)}",
        "decimal-part": _digits("[0-9]", MAX_DECIMAL_DIGITS),
    }
    lines = []
    for line in gbnf.splitlines():
        name = line.split(" ::= ", 1)[0]
        if name in rules:
            line = f"{name} ::= {rules[name]}"
        elif name == "number":
            exponent = _digits("[0-9]", MAX_EXPONENT_DIGITS)
            line = line.replace("[-+]? integral-part)", f"[-+]? {exponent})")
        lines.append(line)
    return "\n".join(lines) + ("\n" if gbnf.endswith("\n") else "")


def _as_number(key: str, value: Any, integer: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"option {key}={value!r} must be a number")
    if integer and value != int(value):
        raise ConfigError(f"option {key}={value!r} must be a whole number")
    return int(value) if integer else float(value)


def parse_options(options: Mapping[str, Any] | None, *, constrained: bool) -> Sampling:
    """Map Ollama-style options (plus OpenAI's ``max_tokens``) onto llama.cpp sampling.

    Args:
        options: ``temperature``, ``top_k``, ``top_p``, ``min_p``, ``typical_p``,
            ``repeat_penalty``, ``frequency_penalty``, ``presence_penalty``, ``mirostat*``,
            ``seed``, ``num_predict`` (or ``max_tokens``; negative means unlimited),
            ``stop`` (a string or a list).
        constrained: A grammar is in force; ``repeat_penalty`` then defaults to 1.0,
            because JSON repeats its structural tokens by design.

    Raises:
        ConfigError: A value of the wrong type.
    """
    opts = dict(options or {})
    wanted: Any = opts.pop("num_predict", None)
    alias = opts.pop("max_tokens", None)
    wanted = alias if wanted is None else wanted
    max_tokens = None
    if wanted is not None:
        n = int(_as_number("num_predict", wanted, integer=True))
        max_tokens = None if n < 0 else n
    stops_raw = opts.pop("stop", None) or ()
    if isinstance(stops_raw, str):
        stops_raw = (stops_raw,)
    if not all(isinstance(s, str) and s for s in stops_raw):
        raise ConfigError(f"option stop={stops_raw!r} must be a string or a list of strings")
    seed_raw = opts.pop("seed", None)
    seed = None if seed_raw is None else int(_as_number("seed", seed_raw, integer=True))
    params = dict(SAMPLING_DEFAULTS)
    if constrained:
        params["repeat_penalty"] = 1.0
    unknown = []
    for key, value in opts.items():
        if key in params:
            params[key] = _as_number(key, value, integer=key in _INTEGER_OPTIONS)
        elif key not in IGNORED_OPTIONS:
            unknown.append(key)
    return Sampling(max_tokens, tuple(stops_raw), seed, params, tuple(sorted(unknown)))


def holdback(text: str, stops: Sequence[str]) -> int:
    """Length of the longest suffix of ``text`` that could still grow into a stop string.

    Streaming holds that much back so a stop sequence split across tokens never leaks.
    """
    best = 0
    for stop in stops:
        for n in range(min(len(stop) - 1, len(text)), best, -1):
            if text.endswith(stop[:n]):
                best = n
                break
    return best


def find_stop(text: str, stops: Sequence[str], start: int = 0) -> int | None:
    """Index of the earliest stop string in ``text`` that ends after ``start``."""
    hits = [idx for stop in stops if (idx := text.find(stop, max(0, start - len(stop) + 1))) != -1]
    return min(hits) if hits else None


def family_from_metadata(meta: Mapping[str, Any], path: Path | None = None) -> str | None:
    """Guess the Gemma family from GGUF metadata (architecture, then the model's name)."""
    from ..catalog import family_of

    arch = str(meta.get("general.architecture", "")).lower()
    names = " ".join(
        str(meta.get(k, "")) for k in ("general.name", "general.basename", "general.finetune")
    )
    by_name = family_of(names) if names.strip() else None
    if arch == "gemma3" and by_name == "functiongemma":
        return "functiongemma"
    if arch in ("gemma3", "gemma3n", "gemma4"):
        return arch
    guess = by_name or (family_of(path.name) if path is not None else None)
    return guess if guess in gemma_format.FAMILIES else None


def resolve_threads(n_threads: int | None) -> int:
    """Thread count: the argument, else ``GEMMA_AGENTS_THREADS``, else all cores."""
    if n_threads is None:
        env = os.environ.get("GEMMA_AGENTS_THREADS", "").strip()
        if env:
            try:
                n_threads = int(env)
            except ValueError:
                raise ConfigError(
                    f"GEMMA_AGENTS_THREADS={env!r} is not a whole number",
                    hint="set it to the number of CPU threads to use, e.g. 4",
                ) from None
        else:
            n_threads = os.cpu_count() or 1
    if n_threads < 1:
        raise ConfigError(f"n_threads must be at least 1, got {n_threads}")
    return n_threads


#: ggml log levels (current numbering) -> logging levels, one step down: llama.cpp's load
#: warnings ("using full-size SWA cache") are not actionable for users; its errors are.
_GGML_LEVELS = {
    0: logging.CRITICAL,
    1: logging.DEBUG,
    2: logging.DEBUG,
    3: logging.INFO,
    4: logging.WARNING,
}
_llama_log = logging.getLogger("gemma_agents.runtime.llamacpp.native")
_log_callback: Any = None


def route_llama_logs(verbose: bool) -> None:
    """Send llama.cpp's own log lines to Python logging instead of stderr.

    llama-cpp-python maps ggml's log levels with an outdated table, so load-time warnings
    reach stderr even with ``verbose=False``; a CLI should not print them. With
    ``verbose=True`` llama-cpp-python's printing callback is put back. Process-wide, like
    llama.cpp's logger itself.
    """
    global _log_callback
    import ctypes

    import llama_cpp

    if verbose:
        from llama_cpp import _logger

        llama_cpp.llama_log_set(_logger.llama_log_callback, ctypes.c_void_p(0))
        return
    if _log_callback is None:
        last = [logging.DEBUG]

        @llama_cpp.llama_log_callback  # type: ignore[misc]
        def forward(level: int, text: bytes, _user: Any) -> None:
            lvl = last[0] if level == 5 else _GGML_LEVELS.get(level, logging.DEBUG)
            last[0] = lvl
            if _llama_log.isEnabledFor(lvl):
                _llama_log.log(lvl, text.decode("utf-8", "replace").rstrip())

        _log_callback = forward  # keep a reference: ctypes does not
    llama_cpp.llama_log_set(_log_callback, ctypes.c_void_p(0))
