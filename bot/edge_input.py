"""Text and ids from outside, made safe once at the edge, before they reach a service.

Telegram, SMS, `.ics` files, TOML files and the command line all hand us text someone else
wrote. A NUL byte in it makes PostgreSQL refuse the row (and SQLite cut the text at it); other
control characters garble what a neighbour reads; the same word in two Unicode forms compares
unequal; and in a name, a bidi override can make "Kari" display as someone else. Each door
calls `clean_text` (or `clean_name` for a person's or a network's name) on what it reads, and
`row_id` on an id that is to name a database row, so the services only ever see clean values.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Database ids are 32-bit integers on PostgreSQL: anything else cannot name a row.
ID_MAX: Final = 2**31 - 1

# C0 and C1 control characters and DEL, but not tab and newline.
_CONTROL: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069): in a name they can
# reorder what follows it. Marks (U+200E, U+200F) stay; they cannot reorder anything.
_BIDI_CONTROL: Final = re.compile("[\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """`text` without NUL and other control characters (newline and tab stay), in Unicode NFC.

    Returns the same string object when there is nothing to change, so the common case costs
    one scan."""
    if _CONTROL.search(text) is not None:
        text = _CONTROL.sub("", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def clean_name(name: str) -> str:
    """A name as `clean_text` leaves it, also without bidi embeddings, overrides and isolates,
    and on one line."""
    name = clean_text(name)
    if _BIDI_CONTROL.search(name) is not None:
        name = _BIDI_CONTROL.sub("", name)
    if "\n" in name or "\t" in name:
        name = " ".join(name.split())
    return name


def row_id(value: int | str | None) -> int | None:
    """`value` as a database id (1 to `ID_MAX`), or None when it cannot name a row."""
    if isinstance(value, str):
        if not value.isascii() or not value.isdigit() or len(value) > len(str(ID_MAX)):
            return None
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= ID_MAX else None
