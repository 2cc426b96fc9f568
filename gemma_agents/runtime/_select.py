"""Model strings and runtime selection: ``"ollama:gemma3:4b"`` -> a ready :class:`Runtime`.

One string names both the backend and the model, so configs, YAML workflows and CLI flags
can switch backends without code. ``auto`` prefers a running Ollama that has a Gemma
model (fast, GPU-backed) and falls back to the embedded 270M, which always works offline.
"""

from __future__ import annotations

import importlib.util
import inspect
import logging
import os
from dataclasses import dataclass
from typing import Any, Literal

from ..config import default_model
from ..exceptions import ConfigError, RuntimeUnavailable
from .base import Runtime

__all__ = ["ModelRef", "get_runtime", "ollama_base_url", "parse_model_string", "probe_ollama"]

log = logging.getLogger("gemma_agents.runtime")
Backend = Literal["auto", "ollama", "llamacpp", "openai"]

VALID_FORMS = (
    "  auto                                   Ollama if it runs a Gemma model, else embedded\n"
    "  ollama:<model>                         e.g. ollama:gemma3:4b, ollama:functiongemma\n"
    "  llamacpp:<alias or path.gguf>          e.g. llamacpp:gemma3-270m, llamacpp:/m/x.gguf\n"
    "  openai:<base_url>#<model>              e.g. openai:http://127.0.0.1:8000/v1#gemma-3-4b-it"
)
#: Families ``auto`` accepts from Ollama: chat models, not embedders or classifiers.
_AUTO_PREFIXES = ("gemma3", "gemma4")
_EMBEDDED_DEFAULT = "gemma3-270m"


@dataclass(frozen=True)
class ModelRef:
    """A parsed model string.

    Attributes:
        backend: ``auto``, ``ollama``, ``llamacpp`` or ``openai``.
        model: Model name or GGUF path on that backend (empty for ``auto``).
        base_url: Server URL for ``openai``.
    """

    backend: Backend
    model: str = ""
    base_url: str | None = None

    def __str__(self) -> str:
        if self.backend == "auto":
            return "auto"
        if self.backend == "openai":
            return f"openai:{self.base_url}#{self.model}"
        return f"{self.backend}:{self.model}"


def _bad(text: str, why: str, hint: str | None = None) -> ConfigError:
    return ConfigError(
        f"invalid model string {text!r}: {why}\nvalid forms:\n{VALID_FORMS}", hint=hint
    )


def parse_model_string(text: str) -> ModelRef:
    """Parse ``auto``, ``ollama:<m>``, ``llamacpp:<m|path>`` or ``openai:<url>#<m>``.

    A bare ``.gguf`` path or the packaged model's alias (``gemma3-270m``) is read as
    ``llamacpp:``; anything else without a backend prefix is an error whose hint suggests
    the likely intended form, rather than a silent guess.

    Raises:
        ConfigError: The string matches no valid form (the message lists them).
    """
    if not isinstance(text, str):
        raise _bad(repr(text), f"expected a string, got {type(text).__name__}")
    s = text.strip()
    if not s:
        raise _bad(text, "it is empty", hint="use 'auto' to pick a runtime automatically")
    if s.lower() == "auto":
        return ModelRef("auto")
    backend, sep, rest = s.partition(":")
    backend = backend.lower()
    if backend == "ollama" and sep:
        if not rest.strip():
            raise _bad(text, "no model after 'ollama:'", hint="e.g. ollama:gemma3:4b")
        return ModelRef("ollama", rest.strip())
    if backend == "llamacpp" and sep:
        if not rest.strip():
            raise _bad(text, "no model after 'llamacpp:'", hint="e.g. llamacpp:gemma3-270m")
        return ModelRef("llamacpp", rest.strip())
    if backend == "openai" and sep:
        url, hash_, model = rest.partition("#")
        url, model = url.strip(), model.strip()
        if not url.startswith(("http://", "https://")):
            raise _bad(text, "the base URL must start with http:// or https://")
        if not hash_ or not model:
            raise _bad(text, "no model after '#'", hint=f"e.g. openai:{url}#google/gemma-3-4b-it")
        return ModelRef("openai", model, url.rstrip("/"))
    if s.lower().endswith(".gguf") or s.lower() in _embedded_aliases():
        return ModelRef("llamacpp", s)
    raise _bad(text, "no backend prefix", hint=f"did you mean 'ollama:{s}'?")


def _embedded_aliases() -> frozenset[str]:
    try:
        from .gguf import DEFAULT_ALIASES
    except ImportError:  # pragma: no cover - the embedded module is part of the package
        return frozenset({_EMBEDDED_DEFAULT})
    return DEFAULT_ALIASES


def ollama_base_url(host: str | None = None) -> str:
    """The URL the ``ollama`` client would use for ``host`` / ``OLLAMA_HOST``."""
    try:
        from ollama._client import _parse_host
    except ImportError:  # pragma: no cover - a future client layout
        value = host or os.environ.get("OLLAMA_HOST") or "127.0.0.1:11434"
        return value if "://" in value else f"http://{value}"
    return str(_parse_host(host or os.environ.get("OLLAMA_HOST")))


def probe_ollama(host: str | None = None, timeout: float = 1.0) -> list[str] | None:
    """Model names from a reachable Ollama's ``/api/tags``; ``None`` if unreachable."""
    import httpx

    try:
        response = httpx.get(f"{ollama_base_url(host)}/api/tags", timeout=timeout)
        response.raise_for_status()
        return [str(m.get("model") or m.get("name")) for m in response.json().get("models", [])]
    except (httpx.HTTPError, ValueError, AttributeError, TypeError):
        return None


def _pick_ollama_model(names: list[str]) -> str | None:
    wanted = os.environ.get("GEMMA_AGENTS_OLLAMA_MODEL")
    if wanted:
        full = wanted if ":" in wanted.rsplit("/", 1)[-1] else f"{wanted}:latest"
        if wanted in names or full in names:
            return wanted
        log.warning("GEMMA_AGENTS_OLLAMA_MODEL=%s is not pulled on Ollama; ignoring it", wanted)
    for name in names:
        if name.rsplit("/", 1)[-1].startswith(_AUTO_PREFIXES):
            return name
    return None


def _accepted(cls: type, kwargs: dict[str, Any]) -> dict[str, Any]:
    params = inspect.signature(cls).parameters
    return {k: v for k, v in kwargs.items() if k in params}


def _ollama(model: str, kwargs: dict[str, Any]) -> Runtime:
    from .ollama import OllamaRuntime

    return OllamaRuntime(model, **kwargs)


def _llamacpp(model: str, kwargs: dict[str, Any]) -> Runtime:
    try:
        spec = importlib.util.find_spec("llama_cpp")
    except ValueError:  # present in sys.modules as None: import blocked
        spec = None
    if spec is None:
        raise RuntimeUnavailable(
            "the embedded runtime needs llama-cpp-python, which is not installed",
            hint="pip install 'gemma-agents[embedded]', or use an Ollama model "
            "('ollama:gemma3:4b')",
        )
    try:
        from .llamacpp import LlamaCppRuntime
    except ImportError as exc:
        raise RuntimeUnavailable(
            f"the embedded runtime cannot be loaded: {exc}",
            hint="reinstall with pip install 'gemma-agents[embedded]'",
        ) from exc
    return LlamaCppRuntime(model, **kwargs)


def _openai(ref: ModelRef, kwargs: dict[str, Any]) -> Runtime:
    from .openai import OpenAICompatRuntime

    assert ref.base_url is not None
    return OpenAICompatRuntime(ref.base_url, ref.model, **kwargs)


def _auto(kwargs: dict[str, Any]) -> Runtime:
    names = probe_ollama(kwargs.get("host"), timeout=float(kwargs.pop("probe_timeout", 1.0)))
    model = _pick_ollama_model(names) if names else None
    if model is not None:
        from .ollama import OllamaRuntime

        log.info("auto: using Ollama model %s", model)
        return OllamaRuntime(model, **_accepted(OllamaRuntime, kwargs))
    reason = (
        f"Ollama at {ollama_base_url(kwargs.get('host'))} is not reachable"
        if names is None
        else "Ollama has no gemma3/gemma4 model pulled"
    )
    log.info("auto: %s; using the embedded model", reason)
    try:
        from .llamacpp import LlamaCppRuntime

        embedded_kwargs = _accepted(LlamaCppRuntime, kwargs)
    except ImportError:  # reported by _llamacpp below, with the fix
        embedded_kwargs = {}
    try:
        return _llamacpp(_EMBEDDED_DEFAULT, embedded_kwargs)
    except RuntimeUnavailable as exc:
        raise RuntimeUnavailable(
            f"no runtime available: {reason}, and {exc.message}",
            hint="start Ollama (`ollama serve`, then `ollama pull gemma3:4b`) or "
            "pip install 'gemma-agents[embedded]'; `gemma-agents doctor` shows what is missing",
        ) from exc


def get_runtime(model: str | Runtime | None = "auto", **kwargs: Any) -> Runtime:
    """Return a runtime for a model string (or pass a :class:`Runtime` through).

    Args:
        model: A model string (see :func:`parse_model_string`), a ready runtime, or
            ``None`` for the configured default (``GEMMA_AGENTS_MODEL``, else ``auto``).
        **kwargs: Passed to the runtime's constructor (``host=``, ``timeout=``,
            ``n_ctx=``...). With ``auto``, keys the chosen runtime does not take are
            dropped, and ``probe_timeout=`` bounds the Ollama check (default 1 s).

    Raises:
        ConfigError: The model string is invalid.
        RuntimeUnavailable: The backend cannot be used here; the hint says what to install
            or start.
    """
    if isinstance(model, Runtime):
        return model
    ref = parse_model_string(default_model() if model is None else model)
    if ref.backend == "ollama":
        return _ollama(ref.model, kwargs)
    if ref.backend == "llamacpp":
        return _llamacpp(ref.model, kwargs)
    if ref.backend == "openai":
        return _openai(ref, kwargs)
    return _auto(dict(kwargs))
