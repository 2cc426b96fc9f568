"""Inference runtimes: one contract, three backends, chosen by a model string.

    from gemma_agents.runtime import get_runtime

    rt = get_runtime("ollama:gemma3:4b")          # Ollama server (OLLAMA_HOST)
    rt = get_runtime("llamacpp:gemma3-270m")      # embedded llama.cpp, packaged 270M
    rt = get_runtime("openai:http://127.0.0.1:8000/v1#google/gemma-3-4b-it")
    rt = get_runtime("auto")                      # Ollama with a Gemma model, else embedded

Backend classes (:class:`OllamaRuntime`, :class:`OpenAICompatRuntime`,
:class:`LlamaCppRuntime`) are imported on first use so ``import gemma_agents`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from ._select import ModelRef, get_runtime, parse_model_string
from .base import Capabilities, ChatResult, Health, Message, Runtime, StreamChunk, Usage

if TYPE_CHECKING:
    from .llamacpp import LlamaCppRuntime
    from .ollama import OllamaRuntime
    from .openai import OpenAICompatRuntime

__all__ = [
    "Capabilities",
    "ChatResult",
    "Health",
    "LlamaCppRuntime",
    "Message",
    "ModelRef",
    "OllamaRuntime",
    "OpenAICompatRuntime",
    "Runtime",
    "StreamChunk",
    "Usage",
    "get_runtime",
    "parse_model_string",
]

_LAZY = {
    "LlamaCppRuntime": ".llamacpp",
    "OllamaRuntime": ".ollama",
    "OpenAICompatRuntime": ".openai",
}

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals(), __all__)
