"""A figure's numbers as text: one line per label, for screen readers, SMS and the photo's
caption, which Telegram cuts at 1024 characters (counted in UTF-16 code units, after entity
parsing: a caller sending HTML escapes "<" and still fits)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from types import MappingProxyType

from bot.i18n import Translator
from bot.services.insight.figures import Series, Shape
from bot.services.insight.privacy import shown

CAPTION_LIMIT = 1024

# Punctuation between the values of one line, as each script writes it; not words, so not the
# translators' to choose. A semicolon, since a network's name may hold a comma or a number.
_SEPARATORS = MappingProxyType({"ar": "؛ ", "fa_AF": "؛ ", "ti": "፤ "})


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def lines(
    shape: Shape,
    labels: Sequence[str],
    series: Sequence[Series],
    t: Translator,
    min_group: int,
) -> list[str]:
    """ "uke 45 — Sendt: 120; Levert: 118; Feilet: < 5"; a bar chart's "Українська: 120"."""
    if not series:  # nothing counted (no network had members): a line of labels says nothing
        return []
    separator = _SEPARATORS.get(t.locale, "; ")
    found = []
    for i, label in enumerate(labels):
        if shape is Shape.BARS and len(series) == 1:
            found.append(f"{label}: {shown(series[0].values[i], t, min_group)}")
            continue
        values = separator.join(f"{s.name}: {shown(s.values[i], t, min_group)}" for s in series)
        found.append(f"{label} — {values}")
    return found


def caption_of(title: str, body: Sequence[str], notes: Iterable[str] = ()) -> tuple[str, str]:
    """(caption, full text): the title, the lines and the notes. When that is longer than a
    caption may be, the caption keeps the title, the notes and as many of the latest lines
    as fit, after "…"."""
    extra = list(notes)
    text = "\n".join([title, *body, *extra])
    if utf16_length(text) <= CAPTION_LIMIT:
        return text, text
    kept: list[str] = []
    used = utf16_length("\n".join([title, "…", *extra]))
    for line in reversed(body):
        cost = utf16_length(line) + 1
        if used + cost > CAPTION_LIMIT:
            break
        kept.insert(0, line)
        used += cost
    return "\n".join([title, "…", *kept, *extra]), text
