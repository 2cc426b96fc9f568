"""The Gemma model table (``models.json``) and name lookups.

The facts live in data, not in ``if`` branches, so adding a model is a one-line JSON edit
and every consumer (dialect selection, ``models list``, ``recommend``) sees it at once.

Memory estimates (planning figures, not measurements)::

    weights  = published_weights_gb[quant]              when Google published a figure
             = params_b * 1e9 * BITS_PER_WEIGHT[quant] / 8   otherwise
    estimate = weights * 1.10 + 0.5 GiB

``BITS_PER_WEIGHT`` uses llama.cpp's effective sizes (Q4_K_M ~4.85 bits, Q8_0 8.5 bits,
BF16 16 bits: quantised formats store per-block scales). The 10 % covers compute buffers
and the runtime; the fixed 0.5 GiB covers a KV cache of a few thousand tokens plus the
process itself. Long contexts (the 128K/256K windows) need much more KV cache than that.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import PurePath
from typing import Any

__all__ = [
    "BITS_PER_WEIGHT",
    "QUANTS",
    "ModelInfo",
    "all_models",
    "family_of",
    "lookup",
]

#: Quantisations the catalog estimates, best quality first.
QUANTS: tuple[str, ...] = ("bf16", "q8", "q4")
#: Effective storage bits per parameter of each quantisation (llama.cpp GGUF sizes).
BITS_PER_WEIGHT: dict[str, float] = {"q4": 4.85, "q8": 8.5, "bf16": 16.0}
_QUANT_LABELS = {"q4": "Q4_K_M", "q8": "Q8_0", "bf16": "BF16"}
_RUNTIME_FACTOR = 1.10
_FIXED_OVERHEAD = 512 * 1024**2
_GB = 1e9


@dataclass(frozen=True)
class ModelInfo:
    """What the catalog knows about one Gemma variant.

    Attributes:
        name: Canonical name (the Ollama tag).
        family: ``gemma3``, ``gemma3n``, ``functiongemma``, ``gemma4``, ``shieldgemma`` or
            ``embeddinggemma``.
        size: Variant label (``270m``, ``e4b``, ``27b``...).
        params_b: Total parameters in billions (what has to be loaded).
        effective_params_b: Quality-relevant size in billions (used to rank variants).
        context_length: Context window in tokens.
        modalities: Input modalities (``text``, ``image``, ``audio``).
        tool_dialect: How the model calls tools: ``gemma3`` (prompted), ``functiongemma``,
            ``gemma4`` (native markup) or ``none``.
        native_tools: Whether Ollama's template for it accepts ``tools``.
        thinking: Whether it has a thinking mode.
        purpose: ``chat``, ``function-calling``, ``safety`` or ``embedding``.
        ollama: Ollama tag.
        hf: Hugging Face repository.
        gguf: GGUF file-name stem.
        family_default: The variant a bare family name (``gemma3``) means on Ollama.
        embedding_dimension: Vector size for embedding models.
        published_weights_gb: Google's weight-only figures, by quant.
        aliases: Other names that mean this model.
        notes: One line for humans.
    """

    name: str
    family: str
    size: str
    params_b: float
    effective_params_b: float
    context_length: int
    modalities: tuple[str, ...]
    tool_dialect: str
    native_tools: bool
    thinking: bool
    purpose: str
    ollama: str
    hf: str
    gguf: str
    family_default: bool = False
    embedding_dimension: int | None = None
    published_weights_gb: dict[str, float] = field(default_factory=dict, compare=False)
    aliases: tuple[str, ...] = ()
    notes: str = ""

    @property
    def vision(self) -> bool:
        return "image" in self.modalities

    @property
    def audio(self) -> bool:
        return "audio" in self.modalities

    @property
    def embedding(self) -> bool:
        return self.purpose == "embedding"

    @property
    def tools(self) -> bool:
        """Tool calling is possible (prompted or native)."""
        return self.tool_dialect != "none"

    def capabilities(self) -> frozenset[str]:
        """Capability words as used by ``recommend(need=...)``."""
        caps = set(self.modalities)
        if self.tools:
            caps.add("tools")
        if self.native_tools:
            caps.add("native_tools")
        if self.thinking:
            caps.add("thinking")
        if self.embedding:
            caps.add("embedding")
        if self.purpose == "safety":
            caps.add("safety")
        if self.vision:
            caps.add("vision")
        return frozenset(caps)

    def weights_bytes(self, quant: str = "q4") -> int:
        """Bytes of weights at ``quant`` (published figure when there is one)."""
        if quant not in BITS_PER_WEIGHT:
            raise ValueError(f"unknown quant {quant!r}; use one of {', '.join(QUANTS)}")
        published = self.published_weights_gb.get(quant)
        if published is not None:
            return int(published * _GB)
        return int(self.params_b * 1e9 * BITS_PER_WEIGHT[quant] / 8)

    def memory_bytes(self, quant: str = "q4") -> int:
        """Approximate memory to run the model at ``quant`` (see the module docstring)."""
        return int(self.weights_bytes(quant) * _RUNTIME_FACTOR) + _FIXED_OVERHEAD

    @staticmethod
    def quant_label(quant: str) -> str:
        """llama.cpp name of a catalog quant (``q4`` -> ``Q4_K_M``)."""
        return _QUANT_LABELS.get(quant, quant)


def _from_json(raw: dict[str, Any]) -> ModelInfo:
    return ModelInfo(
        name=raw["name"],
        family=raw["family"],
        size=raw["size"],
        params_b=float(raw["params_b"]),
        effective_params_b=float(raw["effective_params_b"]),
        context_length=int(raw["context_length"]),
        modalities=tuple(raw["modalities"]),
        tool_dialect=raw["tool_dialect"],
        native_tools=bool(raw["native_tools"]),
        thinking=bool(raw["thinking"]),
        purpose=raw["purpose"],
        ollama=raw["ollama"],
        hf=raw["hf"],
        gguf=raw["gguf"],
        family_default=bool(raw.get("family_default", False)),
        embedding_dimension=raw.get("embedding_dimension"),
        published_weights_gb=dict(raw.get("published_weights_gb", {})),
        aliases=tuple(raw.get("aliases", ())),
        notes=raw.get("notes", ""),
    )


@cache
def all_models() -> tuple[ModelInfo, ...]:
    """Every catalog entry, in file order (loaded once)."""
    text = resources.files(__package__).joinpath("models.json").read_text(encoding="utf-8")
    return tuple(_from_json(m) for m in json.loads(text)["models"])


# --- names ---------------------------------------------------------------------------

_BACKEND_PREFIX = re.compile(r"^(ollama|llamacpp|llama_cpp|openai|hf|test):", re.IGNORECASE)
# Most specific first: "functiongemma" and "gemma-3n" must win over "gemma3".
_FAMILY_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"function[-_ ]?gemma"), "functiongemma"),
    (re.compile(r"shield[-_ ]?gemma"), "shieldgemma"),
    (re.compile(r"embedding[-_ ]?gemma"), "embeddinggemma"),
    (re.compile(r"gemma[-_ ]?3n"), "gemma3n"),
    (re.compile(r"gemma[-_ ]?4(?![0-9])"), "gemma4"),
    (re.compile(r"gemma[-_ ]?3(?![0-9n])"), "gemma3"),
    (re.compile(r"gemma[-_ ]?2(?![0-9])"), "gemma2"),
)


def _bare_name(model_name: str) -> str:
    """Strip backend prefixes, ``openai:...#model`` URLs and directories; lower-case."""
    name = model_name.strip()
    if "#" in name:
        name = name.rsplit("#", 1)[1]
    name = _BACKEND_PREFIX.sub("", name)
    if "/" in name or "\\" in name or name.lower().endswith(".gguf"):
        name = PurePath(name.replace("\\", "/")).name
    return name.lower()


def family_of(model_name: str) -> str | None:
    """Gemma family of a model string, or ``None`` when it is not a known Gemma.

    Accepts Ollama tags (``gemma3:4b``), backend-prefixed strings (``ollama:gemma4:e4b``,
    ``openai:http://host/v1#google/gemma-3-4b-it``), Hugging Face names, GGUF paths
    (judged by file name) and the embedded alias ``gemma3-270m``.

    Examples:
        >>> family_of("gemma3n:e2b"), family_of("functiongemma"), family_of("/m/gemma-4-E4B.gguf")
        ('gemma3n', 'functiongemma', 'gemma4')
    """
    name = _bare_name(model_name)
    if name == "default":  # the embedded alias for the packaged Gemma 3 270M
        return "gemma3"
    for pattern, family in _FAMILY_PATTERNS:
        if pattern.search(name):
            return family
    return None


def _strip_tag(name: str) -> str:
    return name[: -len(":latest")] if name.endswith(":latest") else name


@cache
def _index() -> dict[str, ModelInfo]:
    index: dict[str, ModelInfo] = {}
    for info in all_models():
        keys = [info.name, info.ollama, info.hf, info.hf.split("/")[-1], info.gguf, *info.aliases]
        for key in keys:
            index.setdefault(key.lower(), info)
        if info.family_default:
            index.setdefault(info.family, info)
    return index


def lookup(name: str) -> ModelInfo | None:
    """Find the catalog entry for a model string, or ``None``.

    Exact names, tags, Hugging Face names, GGUF stems and aliases match first; otherwise
    the family (:func:`family_of`) plus a size token in the name (``4b``, ``e2b``,
    ``270m``) picks the variant, so quantised file names such as
    ``gemma-3-4b-it-Q4_K_M.gguf`` or tags such as ``gemma3:12b-it-qat`` resolve too.
    """
    bare = _strip_tag(_bare_name(name))
    stem = bare[: -len(".gguf")] if bare.endswith(".gguf") else bare
    index = _index()
    for key in (bare, stem):
        if key in index:
            return index[key]
    family = family_of(name)
    if family is None:
        return None
    variants = [m for m in all_models() if m.family == family]
    tokens = re.split(r"[-_:./ ]+", stem)
    for token in tokens:
        for info in variants:
            if token == info.size:
                return info
    if len(variants) == 1:
        return variants[0]
    defaults = [m for m in variants if m.family_default]
    bare_family = all(not re.search(r"\d+(\.\d+)?[mb]$", t) for t in tokens)
    return defaults[0] if defaults and bare_family else None
