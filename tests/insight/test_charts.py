"""The insight charts: every shape a PNG of 1000×600 in every script we ship, with no glyph
missing; suppressed values left out of the drawing and marked "< 5" where they would be, zero
drawn as zero; right to left mirrored; numbers in the viewer's digits."""

from __future__ import annotations

import asyncio
import math

import pytest
from matplotlib import ft2font
from matplotlib.container import BarContainer
from matplotlib.text import Text

from bot.services.insight.charts import compose, draw, picture, render
from bot.services.insight.figures import Figure, FigureKey, Series, Shape
from tests.support.polls import png_size

KEYS = {Shape.LINES: FigureKey.MEMBERS, Shape.BARS: FigureKey.LANGUAGES}


def _figure(
    shape: Shape,
    title: str,
    labels: tuple[str, ...],
    series: tuple[Series, ...],
    locale: str = "nb",
    rtl: bool = False,
    minimum: int = 5,
) -> Figure:
    return Figure(
        key=KEYS.get(shape, FigureKey.NOTICES),
        shape=shape,
        title=title,
        labels=labels,
        series=series,
        caption=title,
        explanation="",
        locale=locale,
        rtl=rtl,
        minimum=minimum,
    )


# Each shipped script in titles, labels and series names as the builders give them.
SCRIPTS = {
    "nb": ("Medlemmer over tid: Østre Halsen og Tjølling", "uke {n}", ("Sendt", "Levert")),
    "pl": ("Członkowie według języka: Łódź", "tydzień {n}", ("Wysłane", "Dostarczone")),
    "lt": ("Savanorių valandos", "savaitė {n}", ("Išsiųsta", "Pristatyta")),
    "uk": ("Учасники з часом", "тиждень {n}", ("Надіслано", "Доставлено")),
    "ar": ("الإشعارات المرسلة والمستلمة", "الأسبوع {n}", ("أرسلت", "وصلت")),
    "fa_AF": ("اعضا بر اساس زبان", "هفتهٔ {n}", ("فرستاده شد", "رسید")),
    "so": ("Xubnaha waqti ka dib", "toddobaadka {n}", ("La diray", "La gaarsiiyay")),
    "ti": ("ኣባላት ብቋንቋ", "ሰሙን {n}", ("ዝተላእከ", "ዝበጽሐ")),
}
RTL = {"ar", "fa_AF"}


def _in(locale: str, shape: Shape) -> Figure:
    title, week, names = SCRIPTS[locale]
    labels = tuple(week.format(n=n) for n in range(34, 46))
    if shape is Shape.BARS:
        labels = ("Norsk bokmål", "Українська", "العربية", "ትግርኛ", "Polski", "دری")
        names = names[:1]
    values = tuple((None if i % 5 == 1 else i * 3) for i in range(len(labels)))
    series = tuple(Series(name, values[::-1] if n else values) for n, name in enumerate(names))
    return _figure(shape, title, labels, series, locale, locale in RTL)


@pytest.mark.parametrize("shape", list(Shape))
@pytest.mark.parametrize("locale", list(SCRIPTS))
def test_every_shape_is_a_png_of_1000_by_600_in_every_script(locale: str, shape: Shape):
    drawn = picture(_in(locale, shape))
    assert png_size(drawn.content) == (1000, 600)
    assert drawn.missing == frozenset(), f"drawn as boxes: {sorted(drawn.missing)}"


def test_a_character_no_font_has_is_reported():
    """The check above can fail: a Thai digit is in none of the fonts."""
    figure = _figure(Shape.BARS, "Members ๑", ("Telegram",), (Series("Members", (7,)),))
    assert picture(figure).missing


@pytest.mark.parametrize("shape", list(Shape))
def test_the_longest_texts_and_many_series_keep_the_size(shape: Shape):
    labels = tuple("y" * 100 for _ in range(12))
    series = tuple(Series(f"Nettverk {n} " + "z" * 80, tuple(range(12))) for n in range(15))
    if shape is Shape.BARS:
        series = series[:1]
    png = draw(_figure(shape, "x" * 300, labels, series))
    assert png_size(png) == (1000, 600)


def test_nothing_yet_still_draws_a_chart_of_the_size():
    """The report shows every figure, also one with nothing in it (the chat says so in words)."""
    figure = _figure(Shape.COLUMNS, "Polls", ("uke 1", "uke 2"), (Series("Polls", (0, 0)),))
    assert figure.empty and png_size(draw(figure)) == (1000, 600)


def _texts(figure: Figure) -> list[str]:
    canvas = compose(figure)
    return [t.get_text() for t in canvas.findobj(Text)]


def test_columns_leave_out_what_is_suppressed_and_mark_it():
    sent = Series("Sendt", (12, None, 0, 40))
    failed = Series("Feilet", (None, None, 0, 6))
    figure = _figure(Shape.COLUMNS, "Varsler", ("uke 1", "uke 2", "uke 3", "uke 4"), (sent, failed))
    canvas = compose(figure)
    axes = canvas.axes[0]
    drawn = [c for c in axes.containers if isinstance(c, BarContainer)]
    assert [len(c.patches) for c in drawn] == [3, 2]  # a column for 12, 0, 40; for 0, 6
    assert sorted(round(p.get_height()) for c in drawn for p in c.patches) == [0, 0, 6, 12, 40]
    texts = [t.get_text() for t in canvas.findobj(Text)]
    assert texts.count("< 5") == 3  # one where each suppressed value would be
    assert {"12", "40", "6"} <= set(texts)  # each column's number above it


def test_lines_break_where_a_value_is_suppressed():
    series = Series("Torstrand", (None, None, 5, 7))
    figure = _figure(Shape.LINES, "Medlemmer", ("uke 1", "uke 2", "uke 3", "uke 4"), (series,))
    canvas = compose(figure)
    (line,) = canvas.axes[0].get_lines()
    ys = list(line.get_ydata())
    assert math.isnan(ys[0]) and math.isnan(ys[1]) and ys[2:] == [5, 7]
    assert [t.get_text() for t in canvas.findobj(Text)].count("< 5") == 2


def test_bars_write_each_value_and_the_minimum_is_the_figures():
    members = Series("Members", (120, None, 0, None))
    figure = _figure(
        Shape.BARS,
        "By language",
        ("Norsk", "Polski", "Lietuvių", "Soomaali"),
        (members,),
        minimum=10,
    )
    canvas = compose(figure)
    bars = [p for c in canvas.axes[0].containers for p in c.patches]
    assert sorted(round(p.get_width()) for p in bars) == [0, 120]
    texts = [t.get_text() for t in canvas.findobj(Text)]
    assert texts.count("< 10") == 2 and "120" in texts and "0" in texts


def test_right_to_left_is_mirrored_and_numbers_are_in_the_viewers_digits():
    for shape in Shape:
        dari = compose(_in("fa_AF", shape))
        norsk = compose(_in("nb", shape))
        assert dari.axes[0].xaxis_inverted() and not norsk.axes[0].xaxis_inverted()
        title = dari.texts[0]
        assert title.get_horizontalalignment() == "right"
        assert norsk.texts[0].get_horizontalalignment() == "left"
    # matplotlib 3.11 shapes Arabic script and lays it out right to left itself (libraqm):
    # text shaped and reordered beforehand came out backwards, in unjoined letters.
    if getattr(ft2font, "__libraqm_version__", None):
        arabic = _in("ar", Shape.LINES)
        assert compose(arabic).texts[0].get_text() == arabic.title
    dari_columns = compose(_in("fa_AF", Shape.COLUMNS))
    scale = [t.get_text() for t in dari_columns.axes[0].get_yticklabels()]
    assert scale[0] == "۰" and all(not any(c in "0123456789" for c in s) for s in scale)
    assert "< ۵" in [t.get_text() for t in dari_columns.findobj(Text)]


async def test_charts_render_in_worker_threads_side_by_side():
    figures = [_in(locale, Shape.COLUMNS) for locale in ("nb", "ar", "ti")]
    drawn = await asyncio.gather(*(render(f) for f in figures))
    assert [png_size(png) for png in drawn] == [(1000, 600)] * 3
    assert drawn[0] != drawn[1]
