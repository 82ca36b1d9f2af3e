"""Drawing charts as PNG in every script we ship: what a poll's results chart and the insight
charts share.

matplotlib's Agg canvas is used directly (no pyplot: no global figure state, safe in a worker
thread), and no rcParams are changed: each text is given its fonts, so two charts drawn at
once in two threads cannot disturb each other. The font list covers Latin, Cyrillic (Noto
Sans), Arabic script (Noto Sans Arabic) and Ge'ez (Noto Sans Ethiopic), each glyph taken from
the first font that has it. Arabic and Dari must be shaped and put in visual order: matplotlib
3.11 and later does it (libraqm); before it, Agg drew characters as they came, so they are
shaped (arabic_reshaper) and reordered (python-bidi) here. matplotlib loads only when a
chart is drawn: the bot and the CLI start without it."""

from __future__ import annotations

import functools
import io
import re
import textwrap
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from babel.numbers import format_decimal

from bot.i18n import native_digits

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 100
FONTS = ("Noto Sans", "Noto Sans Arabic", "Noto Sans Ethiopic", "DejaVu Sans")
# matplotlib's warning for a character no font in the list has: it is drawn as a box.
_MISSING = re.compile(r"Glyph \d+ \((.+?)\) missing from font")


@dataclass(frozen=True)
class Png:
    """A drawn chart, and the characters no font had (each drawn as an empty box)."""

    content: bytes
    missing: frozenset[str]


@functools.cache
def _lays_out_itself() -> bool:
    """Whether matplotlib shapes text and orders it right to left itself: from 3.11 it lays
    text out with libraqm, and text shaped and reordered beforehand would come out backwards
    in unjoined letters."""
    from matplotlib import ft2font

    return getattr(ft2font, "__libraqm_version__", None) is not None


def visual(text: str, rtl: bool) -> str:
    """Text as Agg must be given it: Arabic script shaped and in visual order, where
    matplotlib does not do that itself."""
    if not rtl and not any("\u0600" <= c <= "\u06ff" for c in text):
        return text
    if _lays_out_itself():
        return text
    import arabic_reshaper  # type: ignore[import-untyped]
    from bidi.algorithm import get_display  # type: ignore[import-untyped]

    return str(get_display(arabic_reshaper.reshape(text)))


def short(text: str, width: int) -> str:
    """`text` cut to `width` characters, with … where it was cut."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def lines(text: str, width: int, most: int, rtl: bool) -> str:
    """`text` wrapped to at most `most` lines of `width` characters, each line ready to draw
    (a blank when there is no text: an empty title would shift the layout)."""
    wrapped = textwrap.wrap(text, width)
    if len(wrapped) > most:
        wrapped = [*wrapped[: most - 1], short(" ".join(wrapped[most - 1 :]), width)]
    return "\n".join(visual(line, rtl) for line in wrapped) or " "


def number(value: int | float, locale: str) -> str:
    """A number as the locale writes it, in its own digits (Dari: ۱٬۲۳۴)."""
    return native_digits(
        str(format_decimal(value, locale=locale, numbering_system="default")), locale
    )


def canvas(width: int, height: int) -> Figure:
    """An empty figure of `width`×`height` pixels on its own Agg canvas."""
    from matplotlib import font_manager  # noqa: F401 - loads the font cache once
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def font(size: float) -> dict[str, Any]:
    """The keyword arguments that give a text the script-covering fonts at `size` points."""
    return {"fontfamily": list(FONTS), "fontsize": size}


def legend_font(size: float) -> dict[str, Any]:
    """The same for a legend, which takes its font as `prop`."""
    return {"family": list(FONTS), "size": size}


def plain(axes: Axes, keep: tuple[str, ...] = ()) -> None:
    """Take away the box around the plot, but for the sides in `keep`."""
    for side in ("top", "right", "bottom", "left"):
        axes.spines[side].set_visible(side in keep)


def png(figure: Figure) -> Png:
    """The figure as PNG bytes, at its own size (blocking: call it in a thread from async
    code), with the characters that had no glyph in any of the fonts."""
    buffer = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        # A glyph no font has (an emoji in a poll's option) is drawn as a box: not worth a
        # warning in the log, but the caller learns which (tests hold every script to it).
        warnings.simplefilter("always")
        figure.savefig(buffer, format="png", dpi=DPI)
    missing = {
        found.group(1) for w in caught if (found := _MISSING.search(str(w.message))) is not None
    }
    return Png(buffer.getvalue(), frozenset(missing))
