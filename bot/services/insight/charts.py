"""An insight figure as a chart: a PNG of 1000×600 pixels, whatever the figure holds, so the
chat, the monthly report and its PDF can lay it out without measuring it.

Three shapes (`Shape`): lines over the periods (members per network), horizontal bars per
category (members by language, by channel) and grouped columns per period (notices, help,
events, polls, volunteering). A suppressed value (None: a group smaller than the minimum) is
left out of the drawing and marked "< 5" where it would have been; a zero is drawn as zero.
Right-to-left languages (Arabic, Dari) get the mirror image: the title on the right, time
running from right to left, the scale on the right. Every number is in the viewer's digits.
The drawing itself is `bot.charts`'; the figure comes ready in the viewer's language
(`bot.services.insight.building`)."""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING

from bot import charts
from bot.services.insight.figures import Figure, Shape

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as Canvas

WIDTH, HEIGHT = 1000, 600
# Okabe and Ito's colours, told apart by people with any common colour blindness; past eight
# series the lines repeat them dashed.
COLOURS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#7F7F7F",
    "#000000",
)
SUPPRESSED = "#7F7F7F"
GRID = "#DDDDDD"
TITLE_SIZE = 15
LABEL_SIZE = 10
LEGEND_WIDTH = 0.21  # of the width, beside the plot, when there is more than one series
BAR_SLOTS = 6  # the room of this many bars at least, so two bars are not two slabs
LEGEND_CHARACTERS = 20  # a series' name in the legend is cut to this
COLUMN_VALUES_MAX = 24  # columns in all up to which each gets its number above it


def draw(figure: Figure) -> bytes:
    """The figure's chart as PNG bytes (blocking: `render` from async code)."""
    return picture(figure).content


async def render(figure: Figure) -> bytes:
    """`draw` in a worker thread, so the event loop keeps serving others meanwhile."""
    return await asyncio.to_thread(draw, figure)


def picture(figure: Figure) -> charts.Png:
    """The chart, with the characters no font could draw (none, for the shipped scripts)."""
    return charts.png(compose(figure))


def compose(figure: Figure) -> Canvas:
    """The chart laid out on its canvas, not yet drawn to pixels."""
    canvas = charts.canvas(WIDTH, HEIGHT)
    rtl = figure.rtl
    canvas.text(
        0.97 if rtl else 0.03,
        0.96,
        charts.lines(figure.title, 80, 2, rtl),
        ha="right" if rtl else "left",
        va="top",
        fontweight="bold",
        **charts.font(TITLE_SIZE),
    )
    legend = len(figure.series) > 1
    if figure.shape is Shape.BARS:
        axes = _axes(canvas, figure, legend, room=0.25, bottom=0.06)
        _bars(axes, figure)
    else:
        tilted = _tilted(figure.labels)
        axes = _axes(canvas, figure, legend, room=0.07, bottom=0.2 if tilted else 0.1)
        if figure.shape is Shape.LINES:
            _lines(axes, figure)
        else:
            _columns(axes, figure)
        _periods(axes, figure, tilted)
    if legend:
        axes.legend(
            loc="upper right" if rtl else "upper left",
            bbox_to_anchor=(-0.02, 1.0) if rtl else (1.02, 1.0),
            frameon=False,
            markerfirst=not rtl,
            alignment="right" if rtl else "left",
            handlelength=1.2,
            prop=charts.legend_font(9 if len(figure.series) > 8 else LABEL_SIZE),
        )
    return canvas


def _axes(canvas: Canvas, figure: Figure, legend: bool, room: float, bottom: float) -> Axes:
    """The plot's area: below the title, `room` kept for the labels on the scale's side (left,
    or right for right-to-left), and the legend's width on the other side."""
    side = LEGEND_WIDTH if legend else 0.03
    left, right = (side, room) if figure.rtl else (room, side)
    top = 0.83 if "\n" in charts.lines(figure.title, 80, 2, False) else 0.87
    return canvas.add_axes((left, bottom, 1 - left - right, top - bottom))


def _legend(name: str, rtl: bool) -> str:
    return charts.visual(charts.short(name, LEGEND_CHARACTERS), rtl)


def _colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def _below(figure: Figure) -> str:
    """How a suppressed value is marked: "< 5", in the viewer's digits."""
    return charts.visual("< " + charts.number(figure.minimum, figure.locale), figure.rtl)


def _top(figure: Figure) -> float:
    """The largest value shown, at least the minimum (so the "< 5" marks have room)."""
    shown = [v for s in figure.series for v in s.values if v is not None]
    return float(max([*shown, figure.minimum, 1]))


def _scale(axes: Axes, figure: Figure, top: float) -> None:
    """A few whole-number ticks from 0, labelled in the viewer's digits, with light grid lines."""
    from matplotlib.ticker import MaxNLocator

    ticks = [t for t in MaxNLocator(nbins=5, integer=True).tick_values(0, top) if 0 <= t <= top]
    labels = [charts.number(int(t), figure.locale) for t in ticks]
    axes.set_ylim(0, top * 1.15)
    axes.set_yticks(ticks, labels, **charts.font(LABEL_SIZE))
    if figure.rtl:
        axes.yaxis.tick_right()
    axes.grid(axis="y", color=GRID, linewidth=0.8)
    axes.set_axisbelow(True)
    axes.tick_params(length=0)


def _tilted(labels: tuple[str, ...]) -> bool:
    """Whether the period labels are too long to stand side by side under the plot."""
    return len(labels) * max((len(label) for label in labels), default=0) > 84


def _periods(axes: Axes, figure: Figure, tilted: bool) -> None:
    """The period labels under the plot; time runs as the text does (right to left in Arabic
    and Dari)."""
    rtl = figure.rtl
    shown = [charts.visual(charts.short(label, 18), rtl) for label in figure.labels]
    positions = list(range(len(shown)))
    if tilted:
        axes.set_xticks(
            positions,
            shown,
            rotation=-40 if rtl else 40,
            ha="left" if rtl else "right",
            rotation_mode="anchor",
            **charts.font(LABEL_SIZE - 1),
        )
    else:
        axes.set_xticks(positions, shown, **charts.font(LABEL_SIZE))
    axes.set_xlim(-0.6, len(shown) - 0.4)
    if rtl:
        axes.invert_xaxis()
    charts.plain(axes, keep=("bottom",))


def _mark(axes: Axes, figure: Figure, x: float, index: int, colour: str) -> None:
    """ "< 5" at the foot of where a suppressed value would be, one above another per series."""
    axes.annotate(
        _below(figure),
        xy=(x, 0),
        xytext=(0, 3 + 11 * index),
        textcoords="offset points",
        ha="center",
        va="bottom",
        color=colour,
        **charts.font(7 if figure.shape is Shape.COLUMNS else 8),
    )


def _lines(axes: Axes, figure: Figure) -> None:
    for index, series in enumerate(figure.series):
        colour = _colour(index)
        values = [math.nan if v is None else v for v in series.values]
        axes.plot(
            range(len(values)),
            values,
            color=colour,
            linestyle="-" if index < len(COLOURS) else "--",
            linewidth=2,
            marker="o",
            markersize=4,
            label=_legend(series.name, figure.rtl),
        )
        for x, value in enumerate(series.values):
            if value is None:
                _mark(axes, figure, x, index, colour)
    _scale(axes, figure, _top(figure))


def _columns(axes: Axes, figure: Figure) -> None:
    count = max(len(figure.series), 1)
    width = 0.8 / count
    numbered = len(figure.labels) * count <= COLUMN_VALUES_MAX
    for index, series in enumerate(figure.series):
        colour = _colour(index)
        offset = (index - (count - 1) / 2) * width
        shown = [(x + offset, v) for x, v in enumerate(series.values) if v is not None]
        bars = axes.bar(
            [x for x, _ in shown],
            [v for _, v in shown],
            width=width * 0.92,
            color=colour,
            label=_legend(series.name, figure.rtl),
        )
        if numbered:
            axes.bar_label(
                bars,
                labels=[charts.number(v, figure.locale) if v else "" for _, v in shown],
                padding=2,
                **charts.font(8),
            )
        for x, value in enumerate(series.values):
            if value is None:
                _mark(axes, figure, x + offset, 0, SUPPRESSED)
    _scale(axes, figure, _top(figure))


def _bars(axes: Axes, figure: Figure) -> None:
    """Categories top to bottom, each value written at its bar's end ("< 5" where hidden)."""
    rtl = figure.rtl
    count = max(len(figure.series), 1)
    height = 0.7 / count
    top = _top(figure)
    for index, series in enumerate(figure.series):
        colour = _colour(index)
        offset = (index - (count - 1) / 2) * height
        for y, value in enumerate(series.values):
            if value is not None:
                axes.barh(y + offset, value, height=height * 0.92, color=colour)
            axes.text(
                (value or 0) + top * 0.015,
                y + offset,
                _below(figure) if value is None else charts.number(value, figure.locale),
                va="center",
                ha="right" if rtl else "left",
                color=SUPPRESSED if value is None else "#222222",
                **charts.font(LABEL_SIZE),
            )
        # The legend's entry (a bar per category would give one entry per category).
        axes.barh([], [], color=colour, label=_legend(series.name, rtl))
    positions = list(range(len(figure.labels)))
    axes.set_yticks(
        positions,
        [charts.visual(charts.short(label, 30), rtl) for label in figure.labels],
        **charts.font(LABEL_SIZE + 1),
    )
    # The first category on top; a few categories keep the bars' usual thickness.
    axes.set_ylim(max(len(positions), BAR_SLOTS) - 0.5, -0.5)
    axes.set_xlim(0, top * 1.25)
    axes.set_xticks([])  # each bar has its number written beside it
    axes.tick_params(length=0)
    if rtl:
        axes.invert_xaxis()  # bars grow from the right, as the text runs
        axes.yaxis.tick_right()
    charts.plain(axes, keep=("right",) if rtl else ("left",))
