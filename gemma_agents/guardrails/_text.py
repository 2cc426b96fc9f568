"""Text normalisation and decoding shared by the rule-based guards.

Attackers dodge keyword rules with look-alike characters (Cyrillic ``о`` for Latin ``o``),
invisible characters between letters, full-width or "math bold" letters, leetspeak,
letter spacing (``i g n o r e``) and encodings (base64, hex, rot13, URL escapes, Unicode
tag characters). Rules therefore never run on the raw text: they run on the variants
produced here. Every function is pure and cheap (a handful of ``str.translate`` and
precompiled regex passes), because the guards target well under a millisecond per 2 KB.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "Variant",
    "decoded_payloads",
    "deleet",
    "fold",
    "is_mostly_text",
    "normalize",
    "shannon_entropy",
    "strip_invisible",
    "variants",
]

# Zero-width and other format characters that render as nothing (tag characters are
# handled separately because they smuggle ASCII).
_INVISIBLE = dict.fromkeys(
    [
        0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E,
        *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2070),
        0x3164, 0xFEFF, 0xFFA0, *range(0xFE00, 0xFE10),
    ]
)  # fmt: skip
_INVISIBLE.update({0x2018: "'", 0x2019: "'", 0x201B: "'", 0x2032: "'", 0x201C: '"', 0x201D: '"'})
_TAG_RE = re.compile("[\U000e0000-\U000e007f]+")

# Look-alikes NFKC leaves alone (Cyrillic, Greek, Latin extensions) -> ASCII. Only used
# on the "latinised" variant, so Russian or Greek text is still matched as itself.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
        "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ı": "i", "ȷ": "j", "ɑ": "a",
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w", "ᴀ": "a", "ʙ": "b",
        "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j", "ᴋ": "k",
        "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t",
        "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
    }
)  # fmt: skip
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a",
     "$": "s", "!": "i", "|": "l", "+": "t", "€": "e"}
)  # fmt: skip
# Leet is only worth a pass when digits/symbols sit inside words.
_LEET_HINT = re.compile(r"[a-z][0134578@$!|+][a-z]|\b[0134578@$][a-z]{2,}|[a-z]{2,}[0134578@$]\b")
# "i g n o r e" / "i.g.n.o.r.e" / "i-g-n-o-r-e": five or more single letters in a row.
_SPACED = re.compile(r"\b(?:[a-z][ .\-_*/]{1,2}){4,}[a-z]\b")
_SPACED_SEP = re.compile(r"[ .\-_*/]")
_WS = re.compile(r"\s+")

_B64 = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])")
_HEX = re.compile(r"(?<![0-9a-fA-F])(?:[0-9a-fA-F]{2}[ :]?){10,}(?![0-9a-fA-F])")
_PCT = re.compile(r"(?:%[0-9a-fA-F]{2}){4,}")
_UESC = re.compile(r"(?:\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}){4,}")
_ROT13_HINT = re.compile(r"\brot[\s\-_]?13\b|\bcaesar\b|\bvtaber\b|\bvafgehpgvbaf\b")
_REVERSE_HINT = re.compile(r"\brevers|\bbackwards?\b|\bsnoitcurtsni\b|\berongi\b")


@dataclass(frozen=True)
class Variant:
    """One normalised or decoded view of a text.

    Attributes:
        kind: How it was produced (``plain``, ``latin``, ``base64``, ``hex``, ``rot13``,
            ``url``, ``unicode-escape``, ``tags``, ``reversed``).
        text: The view, already folded (NFKC + casefold, invisible characters removed).
        encoded: True for views decoded from an encoding: finding instructions there is
            itself suspicious (why hide them?).
    """

    kind: str
    text: str
    encoded: bool = False


def strip_invisible(text: str) -> str:
    """Remove zero-width/format and Unicode tag characters; straighten curly quotes."""
    return _TAG_RE.sub("", text).translate(_INVISIBLE)


def fold(text: str) -> str:
    """NFKC + casefold + strip invisible characters + collapse whitespace.

    NFKC maps full-width and mathematical letters (``ｉｇｎｏｒｅ``, ``𝐢𝐠𝐧𝐨𝐫𝐞``) to ASCII;
    casefold handles ``ß`` and friends better than ``lower``.
    """
    if text.isascii():
        return _WS.sub(" ", text).lower()
    return _WS.sub(" ", unicodedata.normalize("NFKC", strip_invisible(text)).casefold())


def deleet(folded: str) -> str:
    """Map homoglyphs and leetspeak to ASCII letters and join spaced-out letters."""
    out = folded if folded.isascii() else folded.translate(_HOMOGLYPHS)
    if _LEET_HINT.search(out):
        out = out.translate(_LEET)
    if _SPACED.search(out):
        out = _SPACED.sub(lambda m: _SPACED_SEP.sub("", m.group(0)), out)
    return out


def normalize(text: str) -> str:
    """The most aggressive single view: :func:`fold` then :func:`deleet`."""
    return deleet(fold(text))


def is_mostly_text(data: str, *, min_ratio: float = 0.85) -> bool:
    """True when ``data`` looks like human text (printable, with letters and spaces)."""
    if len(data) < 8:
        return False
    printable = sum(1 for c in data if c.isprintable() or c in "\n\t")
    letters = sum(1 for c in data if c.isalpha())
    return printable / len(data) >= min_ratio and letters / len(data) >= 0.5 and " " in data


def _decode_tags(text: str) -> str | None:
    """Unicode tag characters (U+E0020..E007E) smuggle invisible ASCII: reveal it."""
    found = _TAG_RE.findall(text)
    if not found:
        return None
    return "".join(chr(ord(c) - 0xE0000) for run in found for c in run if 0x20 <= ord(c) - 0xE0000 < 0x7F)


def decoded_payloads(text: str) -> Iterator[Variant]:
    """Yield decoded views of encoded runs inside ``text`` (raw, not folded).

    Only runs that decode to human-looking text are yielded, so random identifiers and
    hashes cost one failed decode each and produce nothing.
    """
    tags = _decode_tags(text)
    if tags:
        yield Variant("tags", fold(tags), encoded=True)
    for m in _B64.finditer(text):
        raw = m.group(0)
        if raw.isalpha() and (raw.islower() or raw.isupper()):
            continue  # a long plain word, not base64
        try:
            padded = raw.replace("-", "+").replace("_", "/")
            decoded = base64.b64decode(padded + "=" * (-len(padded) % 4), validate=True)
            s = decoded.decode("utf-8")
        except (binascii.Error, ValueError, UnicodeDecodeError):
            continue
        if is_mostly_text(s):
            yield Variant("base64", fold(s), encoded=True)
    for m in _HEX.finditer(text):
        try:
            s = bytes.fromhex(re.sub("[ :]", "", m.group(0))).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            continue
        if is_mostly_text(s):
            yield Variant("hex", fold(s), encoded=True)
    if "%" in text:
        for m in _PCT.finditer(text):
            try:
                s = bytes.fromhex(m.group(0).replace("%", "")).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                continue
            if is_mostly_text(s, min_ratio=0.7):
                yield Variant("url", fold(s), encoded=True)
    if "\\" in text:
        for m in _UESC.finditer(text):
            try:
                s = codecs.decode(m.group(0), "unicode_escape")
            except (UnicodeDecodeError, ValueError):
                continue
            if is_mostly_text(s, min_ratio=0.7):
                yield Variant("unicode-escape", fold(s), encoded=True)


def variants(text: str, *, decode: bool = True) -> list[Variant]:
    """Every view the rule guards scan, cheapest first; duplicates removed.

    ``plain`` (folded) is always first; ``latin`` (homoglyphs, leet, spacing undone)
    follows when it differs; then rot13/reversed views when the text hints at them, and
    decoded payloads (each also de-leeted).
    """
    plain = fold(text)
    out = [Variant("plain", plain)]
    latin = deleet(plain)
    if latin != plain:
        out.append(Variant("latin", latin))
    if not decode:
        return out
    if _ROT13_HINT.search(plain):
        out.append(Variant("rot13", codecs.encode(plain, "rot13"), encoded=True))
    if _REVERSE_HINT.search(plain):
        out.append(Variant("reversed", plain[::-1], encoded=True))
    seen = {v.text for v in out}
    for v in decoded_payloads(text):
        for view in (v, Variant(v.kind, deleet(v.text), encoded=True)):
            if view.text not in seen:
                seen.add(view.text)
                out.append(view)
    return out


def shannon_entropy(s: str) -> float:
    """Bits per character of ``s`` (0 for empty): random tokens score ~4-6, words ~2.5-3.5."""
    if not s:
        return 0.0
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values())
