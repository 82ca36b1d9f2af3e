"""How many SMS segments a text costs, counted the way the network counts them (3GPP TS 23.038
and 23.040), and how to cut a text so that it fits a number of segments.

A text that uses only the GSM 7-bit default alphabet and its extension table is sent in septets:
160 in a single message, 153 in each part of a concatenated one (the user data header takes the
other seven). Anything else is sent as UCS-2, i.e. UTF-16 code units: 70 single, 67 per part.
Norwegian æ ø å fit GSM; Cyrillic, Arabic, Ge'ez and Polish diacritics do not, so the same
notice can cost two or three times as much in Ukrainian as in Norwegian.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

# The default alphabet, in table order (0x00..0x7F), without 0x1B: ESC is not a character of its
# own but the switch to the extension table, so a text containing U+001B is not GSM.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Reached through ESC, so each costs two septets.
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

Encoding = Literal["gsm7", "ucs2"]


@dataclass(frozen=True)
class Segments:
    """What a text costs: its encoding, its length in that encoding's units (septets or UTF-16
    code units) and the number of SMS segments the network bills."""

    encoding: Encoding
    units: int
    segments: int


def is_gsm7(text: str) -> bool:
    """Whether the text can be sent in the GSM 7-bit alphabet (with the extension table)."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


# Typographic characters outside the GSM alphabet and the GSM characters that stand in for
# them. One of them in an otherwise GSM text would make the whole SMS UCS-2, at more than twice
# the price: Babel writes times as "18:00–21:00" with an en dash, our catalogs end lists with
# "…", and hosts paste text with curly quotes and non-breaking spaces from their word processor.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d"
_SPACES = "\u00a0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B)) + "\u202f\u205f\u3000"
_GSM_STAND_INS = str.maketrans(
    {
        **dict.fromkeys(_DASHES, "-"),
        **dict.fromkeys(_SPACES, " "),
        # Invisible: a soft hyphen, zero-width spaces and joiners between words, a BOM.
        **dict.fromkeys("\u00ad\u200b\u2060\ufeff", ""),
        "\u2026": "...",
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u00b4\u0060", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        "\u2039": "<",
        "\u203a": ">",
        "\u2022": "-",
        "\u00b7": "-",
        "\u2192": "->",
        "\u2190": "<-",
        "\u00d7": "x",
        "\u2044": "/",
        "\u2248": "~",
    }
)


def gsm_safe(text: str) -> str:
    """`text` with typographic characters outside the GSM 7-bit alphabet (dashes, the
    ellipsis, curly quotes, special spaces...) replaced by GSM ones when that makes the whole
    text GSM, so that it is sent at GSM's price; otherwise unchanged: a text that is UCS-2
    anyway (Ukrainian, Arabic, Polish letters) pays nothing for them and reads better with
    them. Every SMS goes through here (`fit`, `bot.sms_texts`)."""
    if is_gsm7(text):
        return text
    safe = gsm_stand_ins(text)
    return safe if is_gsm7(safe) else text


def gsm_stand_ins(text: str) -> str:
    """Every typographic character of `gsm_safe`'s table replaced, whatever the rest is:
    for the parts of a text that `gsm_safe` found could be GSM as a whole."""
    return text.translate(_GSM_STAND_INS)


def _gsm7_width(char: str) -> int:
    return 2 if char in GSM7_EXTENSION else 1


def _ucs2_width(char: str) -> int:
    # Outside the Basic Multilingual Plane a character is a surrogate pair: two code units.
    return 2 if ord(char) > 0xFFFF else 1


def _parts(widths: list[int], single: int, part: int) -> int:
    """Segments for characters of the given widths. A character is never split between two
    parts (neither an escape sequence nor a surrogate pair), so a part may end one unit short
    and the count can exceed a plain ceil(units / part)."""
    if sum(widths) <= single:
        return 1
    parts, used = 1, 0
    for width in widths:
        if used + width > part:
            parts, used = parts + 1, 0
        used += width
    return parts


def count(text: str) -> Segments:
    """The encoding, units and segments of `text`. An empty text still costs one message."""
    if is_gsm7(text):
        widths = [_gsm7_width(c) for c in text]
        return Segments("gsm7", sum(widths), _parts(widths, GSM7_SINGLE, GSM7_PART))
    widths = [_ucs2_width(c) for c in text]
    return Segments("ucs2", sum(widths), _parts(widths, UCS2_SINGLE, UCS2_PART))


def _ellipsis(kept: str) -> str:
    # "…" is not in the GSM alphabet: adding it would turn a GSM text into UCS-2 and more than
    # double its cost. In a text that is UCS-2 anyway it is one unit against three.
    return "..." if is_gsm7(kept) else "…"


_ZWJ = "\u200d"


def _joins_previous(char: str) -> bool:
    """Marks that belong to the character before them: cutting in front of one would leave a
    letter without its accent, or half an emoji."""
    skin_tone = "\U0001f3fb" <= char <= "\U0001f3ff"
    return unicodedata.combining(char) > 0 or char in _ZWJ + "\ufe0e\ufe0f" or skin_tone


def _shortened(text: str, keep: int) -> str:
    # Step back over a cut inside a cluster: before a mark, or just after a zero-width joiner.
    while 0 < keep < len(text) and (_joins_previous(text[keep]) or text[keep - 1] == _ZWJ):
        keep -= 1
    kept = text[:keep].rstrip()
    return kept + _ellipsis(kept)


def fit(text: str, max_segments: int) -> str:
    """`text` (made `gsm_safe`) if it fits in `max_segments`, otherwise its longest start that
    fits together with an ellipsis, cut at a word boundary when one is near the end."""
    if max_segments < 1:
        raise ValueError("max_segments must be at least 1")
    text = gsm_safe(text)
    if count(text).segments <= max_segments:
        return text

    def fits(keep: int) -> bool:
        return count(_shortened(text, keep)).segments <= max_segments

    # The cost of a start grows with its length, so the longest start that fits is found by
    # bisection; the whole text does not fit, so it lies in [0, len(text)).
    low, high = 0, len(text) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    keep = low
    # Rather end on a whole word than on half of one, if that costs at most a few characters.
    space = text.rfind(" ", 0, keep + 1)
    if space > 0 and keep - space <= 15 and fits(space):
        keep = space
    while keep > 0 and not fits(keep):  # a guard: the loop above assumes a monotone cost
        keep -= 1
    return _shortened(text, keep)
