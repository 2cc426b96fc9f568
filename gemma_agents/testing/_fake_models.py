"""Model descriptions and canned behaviour for :mod:`gemma_agents.testing.fake_ollama`.

Kept apart from the HTTP plumbing so the shapes a fake model reports (``/api/show``,
``/api/tags``, ``/api/ps``) and the deterministic helpers (token counts, hash embeddings,
schema-shaped JSON) can be read on their own.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "FakeModel",
    "FakeReply",
    "HTTPError",
    "count_tokens",
    "duration_seconds",
    "example_for_schema",
    "hash_embedding",
    "ndjson",
    "normalize_name",
    "now_rfc3339",
    "split_pieces",
]

_GEMMA3_TEMPLATE = (
    "{{- range $i, $_ := .Messages }}\n"
    "{{- $last := eq (len (slice $.Messages $i)) 1 }}\n"
    '{{- if or (eq .Role "user") (eq .Role "system") }}<start_of_turn>user\n'
    "{{ .Content }}<end_of_turn>\n"
    "{{ if $last }}<start_of_turn>model\n{{ end }}\n"
    '{{- else if eq .Role "assistant" }}<start_of_turn>model\n'
    "{{ .Content }}{{ if not $last }}<end_of_turn>\n{{ end }}\n"
    "{{- end }}\n{{- end }}"
)
_GEMMA3_PARAMETERS = 'stop                           "<end_of_turn>"\ntemperature                    1\ntop_k                          64\ntop_p                          0.95'


def normalize_name(name: str) -> str:
    """Return Ollama's canonical ``name:tag`` form (``gemma3`` means ``gemma3:latest``)."""
    name = name.strip()
    if name.startswith("registry.ollama.ai/library/"):
        name = name.removeprefix("registry.ollama.ai/library/")
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else f"{name}:latest"


@dataclass
class FakeModel:
    """What one model on the fake server claims to be.

    Attributes mirror ``/api/show``: ``details`` (family, parameter size, quantization),
    ``capabilities`` and ``model_info["<family>.context_length"]``. A model whose
    capabilities lack ``tools`` answers requests that carry tools with the same HTTP 400
    the real server sends, which is what prompted tool calling has to survive.
    """

    family: str = "gemma3"
    parameter_size: str = "4.3B"
    quantization_level: str = "Q4_K_M"
    capabilities: tuple[str, ...] = ("completion",)
    context_length: int = 131072
    template: str = _GEMMA3_TEMPLATE
    embedding_length: int | None = None
    parameters: str = _GEMMA3_PARAMETERS
    size: int = 3_338_801_804

    @classmethod
    def gemma3_4b(cls) -> FakeModel:
        """``gemma3:4b``: text and vision, no native tools (Ollama's library template)."""
        return cls(capabilities=("completion", "vision"))

    @classmethod
    def gemma4_e4b(cls) -> FakeModel:
        """``gemma4:e4b``: native tools, thinking and vision (Ollama >= 0.20)."""
        return cls(
            family="gemma4",
            parameter_size="8.0B",
            capabilities=("completion", "tools", "thinking", "vision"),
            template="{{ .Prompt }}",
            size=9_600_000_000,
        )

    @classmethod
    def functiongemma(cls) -> FakeModel:
        """``functiongemma``: the 270M function-calling model with Ollama's parser."""
        return cls(
            parameter_size="268.10M",
            quantization_level="Q8_0",
            capabilities=("completion", "tools"),
            context_length=32768,
            template="{{ .Prompt }}",
            size=300_000_000,
        )

    @classmethod
    def embeddinggemma(cls) -> FakeModel:
        """``embeddinggemma``: 768-dimension L2-normalised embeddings, no chat."""
        return cls(
            family="gemma3",
            parameter_size="307.58M",
            quantization_level="BF16",
            capabilities=("embedding",),
            context_length=2048,
            template="",
            parameters="",
            embedding_length=768,
            size=621_875_000,
        )

    @classmethod
    def shieldgemma_2b(cls) -> FakeModel:
        """``shieldgemma:2b``: the Gemma 2 based safety classifier."""
        return cls(
            family="gemma2",
            parameter_size="2.6B",
            capabilities=("completion",),
            context_length=8192,
            size=1_708_000_000,
        )

    def digest(self, name: str) -> str:
        """A stable sha256 digest for the model, as ``/api/tags`` shows."""
        return hashlib.sha256(f"{name}:{self.family}:{self.parameter_size}".encode()).hexdigest()

    def details(self) -> dict[str, Any]:
        return {
            "parent_model": "",
            "format": "gguf",
            "family": self.family,
            "families": [self.family],
            "parameter_size": self.parameter_size,
            "quantization_level": self.quantization_level,
        }

    def model_info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "general.architecture": self.family,
            "general.file_type": 15,
            "general.quantization_version": 2,
            f"{self.family}.context_length": self.context_length,
        }
        if self.embedding_length:
            info[f"{self.family}.embedding_length"] = self.embedding_length
        return info

    def show(self, name: str, modified_at: str) -> dict[str, Any]:
        """The ``/api/show`` body for this model."""
        return {
            "license": "Gemma Terms of Use",
            "modelfile": (
                f'# Modelfile generated by "ollama show"\nFROM {name}\n'
                f'TEMPLATE """{self.template}"""\n'
                + "".join(f"PARAMETER {line}\n" for line in self.parameters.splitlines())
            ),
            "parameters": self.parameters,
            "template": self.template,
            "details": self.details(),
            "model_info": self.model_info(),
            "capabilities": list(self.capabilities),
            "modified_at": modified_at,
        }

    def tag(self, name: str, modified_at: str) -> dict[str, Any]:
        """One ``/api/tags`` entry."""
        return {
            "name": name,
            "model": name,
            "modified_at": modified_at,
            "size": self.size,
            "digest": self.digest(name),
            "details": self.details(),
        }


@dataclass
class FakeReply:
    """What the fake model answers on ``/api/chat``.

    Attributes:
        content: Assistant text (streamed in word-sized pieces).
        tool_calls: Native calls, each ``{"function": {"name": ..., "arguments": {...}}}``.
        thinking: Reasoning text, sent before the content (``message.thinking``).
        done_reason: ``stop`` or ``length``; ``length`` is also set when ``num_predict``
            cuts the content.
        eval_count: Completion tokens to report; counted from the content when ``None``.
        prompt_eval_count: Prompt tokens to report; counted from the request when ``None``.
    """

    content: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    thinking: str = ""
    done_reason: str = "stop"
    eval_count: int | None = None
    prompt_eval_count: int | None = None


_TOKEN_RE = re.compile(r"\w+|[^\w\s]")
_PIECE_RE = re.compile(r"\s*\S+|\s+")


def count_tokens(text: str) -> int:
    """A deterministic stand-in for a tokenizer: words and punctuation marks."""
    return len(_TOKEN_RE.findall(text))


def split_pieces(text: str) -> list[str]:
    """Split text into word-sized stream pieces that concatenate back to ``text``."""
    return _PIECE_RE.findall(text)


def hash_embedding(text: str, dimension: int) -> list[float]:
    """A deterministic unit vector for ``text``: equal texts map to equal vectors.

    Words are hashed into buckets, so texts that share words have a positive cosine
    similarity, which is enough for memory-retrieval tests to rank sensibly.
    """
    vec = [0.0] * dimension
    words = re.findall(r"\w+", text.lower()) or [text]
    for word in words:
        digest = hashlib.sha256(word.encode()).digest()
        for i in range(0, 8, 2):
            index = int.from_bytes(digest[i : i + 2], "big") % dimension
            vec[index] += 1.0 if digest[i + 8] % 2 else -1.0
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec]


def example_for_schema(schema: Mapping[str, Any] | str, text: str) -> str:
    """Return JSON text valid for ``schema`` (or any object for ``"json"``).

    Lets the fake honour ``format`` without a model: strings take the echoed text, numbers
    zero, enums their first member, objects their required and listed properties.
    """
    if not isinstance(schema, Mapping):
        return json.dumps({"response": text})
    return json.dumps(_example(schema, text, schema, 0))


def _example(schema: Mapping[str, Any], text: str, root: Mapping[str, Any], depth: int) -> Any:
    if depth > 8:  # recursive $ref: stop with the smallest value
        return None
    if "$ref" in schema:
        ref = str(schema["$ref"]).rsplit("/", 1)[-1]
        defs = root.get("$defs") or root.get("definitions") or {}
        return _example(defs.get(ref, {}), text, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return next(iter(schema["enum"]))
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return _example(schema[key][0], text, root, depth + 1)
    kind = schema.get("type", "object")
    if isinstance(kind, Sequence) and not isinstance(kind, str):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props: Mapping[str, Any] = schema.get("properties", {})
        return {name: _example(sub, text, root, depth + 1) for name, sub in props.items()}
    if kind == "array":
        count = int(schema.get("minItems", 0))
        return [_example(schema.get("items", {}), text, root, depth + 1) for _ in range(count)]
    if kind == "string":
        return text
    if kind == "integer":
        return int(schema.get("minimum", 0))
    if kind == "number":
        return float(schema.get("minimum", 0.0))
    if kind == "boolean":
        return False
    return None


class HTTPError(Exception):
    """Raised inside a fake route to answer ``status`` with an error body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def now_rfc3339() -> str:
    """A timestamp in the ``created_at`` form Ollama uses."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def ndjson(objects: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """Serialise objects as NDJSON lines."""
    for obj in objects:
        yield json.dumps(obj) + "\n"


def duration_seconds(value: Any) -> float:
    """Parse Ollama's ``keep_alive`` (``"5m"``, ``"1h30m"``, ``10``, ``-1``); default 5 min.

    Raises:
        HTTPError: 400 for text that is not a Go duration, as the server answers.
    """
    if value is None or value == "":
        return 300.0
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    total, number = 0.0, ""
    units = {"h": 3600.0, "m": 60.0, "s": 1.0}
    for ch in text:
        if ch.isdigit() or ch in ".-":
            number += ch
        elif ch in units and number:
            total += float(number) * units[ch]
            number = ""
        else:
            raise HTTPError(400, f'time: invalid duration "{text}"')
    if number:
        raise HTTPError(400, f'time: missing unit in duration "{text}"')
    return total
