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

# Zero-width and other format characters that render as nothing, plus Unicode tag
# characters (U+E0000..E007F, which smuggle invisible ASCII; decoded separately).
_INVISIBLE_RE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufeff\uffa0\ufe00-\ufe0f\U000e0000-\U000e007f]+"
)
_TAG_RE = re.compile("[\U000e0000-\U000e007f]+")
# The same characters as a set: testing membership first is cheaper than a substitution
# pass over text that has none (the usual case).
_INVISIBLE_SET = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u3164\ufeff\uffa0"
    + "".join(
        chr(c)
        for lo, hi in ((0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0xFE00, 0xFE0F))
        for c in range(lo, hi + 1)
    )
    + "".join(chr(c) for c in range(0xE0000, 0xE0080))
)
_QUOTES = (
    ("\u2018", "'"),
    ("\u2019", "'"),
    ("\u201b", "'"),
    ("\u2032", "'"),
    ("\u201c", '"'),
    ("\u201d", '"'),
)

# Look-alikes NFKC leaves alone (Cyrillic, Greek, Latin extensions) -> ASCII. Only used
# on the "latinised" variant, so Russian or Greek text is still matched as itself.
_HOMOGLYPH_MAP = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
    "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ı": "i", "ȷ": "j", "ɑ": "a",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w", "ᴀ": "a", "ʙ": "b",
    "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j", "ᴋ": "k",
    "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t",
    "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
}  # fmt: skip
# Regional indicator symbols (the letters that flag emoji are made of: 🇭🇴🇼 = "how").
_HOMOGLYPH_MAP.update({chr(0x1F1E6 + i): chr(ord("a") + i) for i in range(26)})
_HOMOGLYPHS = str.maketrans(_HOMOGLYPH_MAP)
_HOMOGLYPH_SET = frozenset(_HOMOGLYPH_MAP)  # set test: 3x faster than a regex scan
_LEET_CHARS = "0134578@$!|+€"
_LEET = str.maketrans(dict(zip(_LEET_CHARS, "oieastbasilte", strict=True)))
# Cheap pre-check: a leet character touching a letter somewhere (written to start with
# a character class, which ``re`` scans for quickly, instead of a letter).
_LEET_HINT = re.compile(r"[0134578@$|+€](?:(?<=[a-z].)|(?=[a-z]))")
_LEET_DIGITS = str.maketrans(dict(zip("0134578", "oieastb", strict=True)))
# A text with this many leet words is written in leet throughout: then bare numbers
# ("4", "70", "1'm", "570p") are leet too.
_LEET_DENSE = 3
_DIGIT_WORD = re.compile(r"[\w']*[0134578][\w']*")
_TOKEN_EDGE = "()[]{}<>\"',.;:?*_~`"
# Not leet: units, ordinals and versions ("4th", "10kg", "mp3", "ipv4", "sha256").
_NOT_LEET = re.compile(
    r"\d*(?:1st|2nd|3rd|\dth)|\d+(?:s|k|m|g|kg|km|cm|mm|gb|mb|kb|tb|px|pt|am|pm|x|d|p|h|hz|ms|v|w|b|t)"
    r"|(?:mp|ipv|utf|sha|md|win|gpt|python|py|arm|covid|ec|gen|rtx|gtx|[a-z])\d+|[a-z]+!+"
)
_SPACED = re.compile(r"\b(?:[a-z][ .\-_*/]{1,2}){4,}[a-z]\b")
# Necessary conditions for the two patterns (three single letters between separators),
# scanned much faster; the full patterns only run when these match.
_SPACED_SCOUT = re.compile(r"[ .\-_*/][a-z][ .\-_*/]{1,2}[a-z][ .\-_*/]{1,2}[a-z][ .\-_*/]")
_SPACED_FOLDED_SCOUT = re.compile(r" \w \w \w ")  # the same, once whitespace is folded
_SPACED_SEP = re.compile(r"[ .\-_*/]")
# On the raw text a wider gap between spaced-out letters marks a word boundary:
# "i g n o r e   a l l" -> "ignore all".
_SPACED_RAW = re.compile(r"(?:\b\w[ \t]{1,6}){4,}\w\b")
_WORD_GAP = re.compile(r"\s{2,}")

_B64_SCOUT = re.compile(r"[A-Za-z0-9+/_-]{16}")
_B64 = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])")
_HEX = re.compile(r"(?<![0-9a-fA-F])(?:[0-9a-fA-F]{2}[ :]?){10,}(?![0-9a-fA-F])")
# Hex-encoded text always holds a digit followed by more hex: scan for that first.
_HEX_SCOUT = re.compile(r"[0-9](?:[ :]?[0-9a-fA-F]){7}")
_PCT = re.compile(r"(?:%[0-9a-fA-F]{2}){4,}")
_UESC = re.compile(r"(?:\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}){4,}")
# Substrings (checked with `in`, cheaper than a regex pass) that make a rot13 or
# reversed view worth scanning; "vtaber"/"vafgehpgvbaf" are rot13 for ignore/instructions.
_ROT13_HINTS = ("rot13", "rot 13", "rot-13", "rot_13", "caesar", "vtaber", "vafgehpgvbaf")
_REVERSE_HINTS = ("revers", "backward", "snoitcurtsni", "erongi")


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
    if not _INVISIBLE_SET.isdisjoint(text):
        text = _INVISIBLE_RE.sub("", text)
    for curly, straight in _QUOTES:
        if curly in text:
            text = text.replace(curly, straight)
    return text


def fold(text: str) -> str:
    """NFKC + casefold + strip invisible characters + collapse whitespace.

    NFKC maps full-width and mathematical letters (``ｉｇｎｏｒｅ``, ``𝐢𝐠𝐧𝐨𝐫𝐞``) to ASCII;
    casefold handles ``ß`` and friends better than ``lower``.
    """
    if not text.isascii():
        text = strip_invisible(text)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        return " ".join(text.casefold().split())
    return " ".join(text.lower().split())


def _leet_token(tok: str) -> str:
    if _NOT_LEET.fullmatch(tok):
        return tok
    core = tok.rstrip("!")
    leet = sum(1 for c in core if c in _LEET_CHARS)
    letters = sum(1 for c in core if c.isalpha())
    inside = any(
        core[i] in _LEET_CHARS and core[i - 1].isalpha() and core[i + 1].isalpha()
        for i in range(1, len(core) - 1)
    )
    return tok.translate(_LEET) if inside or leet >= 2 or (leet and letters >= 2) else tok


def _deleet_words(text: str) -> tuple[str, int]:
    """Translate the space-separated words around each leet hit (few per text); also
    return how many words changed."""
    pieces, pos, changed = [], 0, 0
    for m in _LEET_HINT.finditer(text):
        if m.start() < pos:
            continue  # inside a word already handled
        start = text.rfind(" ", 0, m.start()) + 1
        end = text.find(" ", m.end())
        end = len(text) if end < 0 else end
        word = text[start:end]
        core = word.strip(_TOKEN_EDGE).rstrip("!")
        lead = word.index(core) if core else 0
        plain = _leet_token(core)
        changed += plain != core
        pieces += [text[pos:start], word[:lead], plain, word[lead + len(core) :]]
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces), changed


def deleet(folded: str) -> str:
    """Map homoglyphs and leetspeak to ASCII letters and join spaced-out letters.

    Leet is undone per word, and only in words that mix letters with leet characters
    (``pr3v10u5``, ``h4rm``), so numbers, units and versions stay as they are; once a
    text has several such words it is read as leet throughout, and the remaining
    digit-bearing words ("4", "70", "1'm", "m3") are translated as well.
    """
    out = folded
    if not out.isascii() and not _HOMOGLYPH_SET.isdisjoint(out):
        out = out.translate(_HOMOGLYPHS)
    if _LEET_HINT.search(out):
        out, changed = _deleet_words(out)
        if changed >= _LEET_DENSE:
            out = _DIGIT_WORD.sub(lambda m: m.group(0).translate(_LEET_DIGITS), out)
    if _SPACED_SCOUT.search(out) and _SPACED.search(out):
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
    return "".join(
        chr(ord(c) - 0xE0000) for run in found for c in run if 0x20 <= ord(c) - 0xE0000 < 0x7F
    )


def decoded_payloads(text: str) -> Iterator[Variant]:
    """Yield decoded views of encoded runs inside ``text`` (raw, not folded).

    Only runs that decode to human-looking text are yielded, so random identifiers and
    hashes cost one failed decode each and produce nothing.
    """
    # Tag characters are the highest code points in use: max() rules them out cheaply.
    tags = _decode_tags(text) if not text.isascii() and max(text) >= "\U000e0000" else None
    if tags:
        yield Variant("tags", fold(tags), encoded=True)
    for m in _B64.finditer(text) if _B64_SCOUT.search(text) else ():
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
    for m in _HEX.finditer(text) if _HEX_SCOUT.search(text) else ():
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
    if _SPACED_FOLDED_SCOUT.search(plain) and _SPACED_RAW.search(text):
        despaced = _SPACED_RAW.sub(
            lambda m: " ".join(w.replace(" ", "") for w in _WORD_GAP.split(m.group(0))), text
        )
        out.append(Variant("despaced", deleet(fold(despaced))))
    latin = deleet(plain)
    if latin != plain and latin not in {v.text for v in out}:
        out.append(Variant("latin", latin))
    if not decode:
        return out
    if any(h in plain for h in _ROT13_HINTS):
        out.append(Variant("rot13", codecs.encode(plain, "rot13"), encoded=True))
    if any(h in plain for h in _REVERSE_HINTS):
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
