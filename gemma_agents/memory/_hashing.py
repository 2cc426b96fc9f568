"""The model-free lexical baseline embedder (feature hashing)."""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence

from ..exceptions import ConfigError
from ._records import l2_normalise

__all__ = ["HashingEmbedder"]

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*", re.UNICODE)
#: Function words carry no topic; dropping them keeps "what is the ..." questions from
#: matching every fact that also says "is the".
_STOPWORD_TEXT = """
a an and are as at be been but by can could did do does for
from had has have how i in into is it its me my of on or
our she he they them their that the this to was we were what when where
which who whom whose why will with you your
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


class HashingEmbedder:
    """Deterministic feature hashing of words and character trigrams, L2-normalised.

    No model, no randomness, no state: the same text gives the same vector in every
    process. Words (minus stopwords, possessive ``'s`` stripped) weigh 1 with sublinear
    term frequency; each word also contributes its boundary-marked character trigrams at a
    lower weight so that ``colour``/``colours`` or ``Lisbon``/``Lisbon's`` still overlap.
    Each feature hashes (CRC-32) to an index and a sign, so collisions cancel in
    expectation instead of piling up.

    It only sees shared spellings, never meaning: it is the lexical baseline the Gemma
    embedders are measured against, and the embedder for tests and bulk benchmarks.

    Args:
        dimension: Vector length; more dimensions, fewer collisions.
    """

    #: Bump when the feature set changes: vectors from two versions must not mix.
    VERSION = "v1"

    def __init__(self, dimension: int = 256) -> None:
        if not isinstance(dimension, int) or dimension < 8:
            raise ConfigError(f"HashingEmbedder dimension must be an int >= 8, got {dimension!r}")
        self.dimension = dimension
        self.name = f"hashing-{self.VERSION}"

    def __repr__(self) -> str:
        return f"HashingEmbedder(dimension={self.dimension})"

    def _features(self, text: str) -> dict[str, float]:
        counts: dict[str, float] = {}
        for raw in _WORD.findall(text.lower()):
            word = raw[:-2] if raw.endswith("'s") else raw
            if word in _STOPWORDS:
                continue
            counts["w:" + word] = counts.get("w:" + word, 0.0) + 1.0
            marked = f"#{word}#"
            grams = [marked[i : i + 3] for i in range(len(marked) - 2)]
            weight = 0.5 / math.sqrt(len(grams))
            for gram in grams:
                counts["c:" + gram] = counts.get("c:" + gram, 0.0) + weight
        return counts

    def _embed(self, text: str) -> list[float]:
        vector = [0.0] * self.dimension
        for feature, count in self._features(text).items():
            h = zlib.crc32(feature.encode("utf-8"))
            weight = 1.0 + math.log(count) if count >= 1.0 else count
            vector[h % self.dimension] += weight if (h >> 31) & 1 else -weight
        return l2_normalise(vector)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._embed(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)
