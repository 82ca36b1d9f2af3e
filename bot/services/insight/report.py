"""The monthly report: one self-contained HTML page of a month's insight, in one language.

The page holds the key figures for the month, then one section per figure: its title, what it
shows and how it is counted, the chart (a PNG from `bot.services.insight.charts.draw`, inline
as a data URI) and a table of the same numbers, so that the page reads without the pictures
(screen readers, a text browser, a chart that shows nothing yet). It needs nothing from the
network: inline CSS, no scripts, no fonts to fetch; `lang` and `dir` are set on the page, so
Arabic and Dari run right to left; print CSS keeps each section on one A4 page where it fits
(`bot.services.insight.printing` makes the PDF with Chromium).

Everything on it comes from an `Insight`, which holds aggregates only: no name, phone number
or text a resident wrote can reach the page (tests/insight/test_report.py scans for them).
A suppressed count (fewer than the minimum group) reads "< 5", as in the chat."""

from __future__ import annotations

import asyncio
import base64
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.i18n import Translator
from bot.services.actors import Actor
from bot.services.errors import InvalidInput
from bot.services.insight.figures import Figure, FigureKey, Insight, Shape, Step
from bot.services.insight.privacy import shown

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

# A figure drawn as PNG bytes (blocking: run in a thread).
Draw = Callable[[Figure], bytes]

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Report:
    insight: Insight
    month: date  # its first day
    html: str
    charts: int  # how many chart images the page embeds


def parse_month(text: str) -> date:
    """ "2026-11" as the first day of that month; else `InvalidInput("month", "format")`."""
    found = _MONTH.fullmatch(text.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
        raise InvalidInput("month", "format")
    return date(int(found.group(1)), int(found.group(2)), 1)


def file_name(month: date) -> str:
    """The report's file name: the same in every language, so it sorts by month."""
    return f"naboskap-{month:%Y-%m}.html"


def html_lang(locale: str) -> str:
    """A locale as HTML's `lang` wants it: BCP 47, "fa-AF" for our "fa_AF"."""
    return locale.replace("_", "-")


async def month_insight(
    session: AsyncSession,
    t: Translator,
    month: date,
    *,
    min_group: int,
    network_id: int | None = None,
    actor: Actor | None = None,
) -> Insight:
    """The insight for the 12 months ending with `month`, by month: all networks, or one."""
    # Imported here: the builders load the figure queries, which only a report needs.
    from bot.services.insight.building import build, month_period

    return await build(
        session,
        actor or Actor.operator(),
        t,
        month_period(month),
        network_id=network_id,
        min_group=min_group,
    )


async def draw_charts(insight: Insight, draw: Draw | None = None) -> dict[FigureKey, bytes]:
    """Each figure with something to show, drawn one at a time in a worker thread (drawing
    blocks; one at a time keeps a report's memory to one chart's)."""
    if draw is None:
        # Imported here: matplotlib loads only when a chart is drawn.
        from bot.services.insight.charts import draw as draw_figure

        draw = draw_figure
    charts: dict[FigureKey, bytes] = {}
    for figure in insight.figures:
        if not figure.empty:
            charts[figure.key] = await asyncio.to_thread(draw, figure)
    return charts


async def build_report(
    session: AsyncSession,
    t: Translator,
    month: date,
    *,
    min_group: int,
    made: datetime,
    network_id: int | None = None,
    actor: Actor | None = None,
    draw: Draw | None = None,
    municipality: str = "",
) -> Report:
    """The report for `month` in `t`'s language, made at `made`."""
    insight = await month_insight(
        session, t, month, min_group=min_group, network_id=network_id, actor=actor
    )
    charts = await draw_charts(insight, draw)
    page = render_html(
        insight, t, charts, made=made, min_group=min_group, municipality=municipality
    )
    return Report(insight, month, page, len(charts))


def render_html(
    insight: Insight,
    t: Translator,
    charts: Mapping[FigureKey, bytes],
    *,
    made: datetime,
    min_group: int,
    municipality: str = "",
) -> str:
    """The page. `charts` holds a PNG per figure to show as a picture; a figure without one
    (nothing to show yet) has a sentence in its place."""
    e = html.escape
    heading = t.gettext("Monthly report: {period}", period=insight.period_label)
    brand = "Naboskap" + (f" · {municipality}" if municipality else "")
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{e(html_lang(insight.locale))}" dir="{"rtl" if insight.rtl else "ltr"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="Naboskap">',
        f"<title>{e(brand)}: {e(heading)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<p class="brand">{e(brand)}</p>',
        f"<h1>{e(heading)}</h1>",
        f'<p class="scope">{e(insight.title)}</p>',
        '<p class="made">'
        + e(t.gettext("Made on {date}.", date=t.format_date(made, "long")))
        + "</p>",
        "</header>",
        "<main>",
        _contents(insight, t),
        _key_figures(insight, t),
        *(
            _section(figure, t, charts.get(figure.key), insight.period.step)
            for figure in insight.figures
        ),
        _about(t, min_group),
        "</main>",
        "<footer>" + e(t.gettext("Together we create good days.")) + "</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _contents(insight: Insight, t: Translator) -> str:
    e = html.escape
    # The words first: the catalog extractor skips a call inside an f-string.
    key_figures, about = t.gettext("Key figures"), t.gettext("About these figures")
    items = [f'<li><a href="#key-figures">{e(key_figures)}</a></li>']
    items += [
        f'<li><a href="#figure-{figure.key.value}">{e(figure.title)}</a></li>'
        for figure in insight.figures
    ]
    items.append(f'<li><a href="#about">{e(about)}</a></li>')
    label = e(t.gettext("Contents"))
    return f'<nav aria-label="{label}"><h2>{label}</h2><ol>{"".join(items)}</ol></nav>'


def _key_figures(insight: Insight, t: Translator) -> str:
    e = html.escape
    title = t.gettext("Key figures: {period}", period=insight.key_period or insight.period_label)
    if not insight.key_figures:
        none = t.gettext("There are no figures for this month yet.")
        body = f"<p>{e(none)}</p>"
    else:
        body = (
            "<dl>"
            + "".join(
                f"<div><dt>{e(k.label)}</dt><dd>{e(k.value)}</dd></div>"
                for k in insight.key_figures
            )
            + "</dl>"
        )
    return f'<section id="key-figures" class="key-figures"><h2>{e(title)}</h2>{body}</section>'


def _section(figure: Figure, t: Translator, png: bytes | None, step: Step) -> str:
    e = html.escape
    key = figure.key.value
    parts = [
        f'<section id="figure-{key}" class="figure figure-{key}">',
        f"<h2>{e(figure.title)}</h2>",
        f'<p class="explanation">{e(figure.explanation)}</p>',
    ]
    if png is None or figure.empty:
        if any(value is None for series in figure.series for value in series.values):
            # Nothing to draw, yet something there: groups too small to show, "< 5".
            small = t.gettext(
                "Every group here is smaller than {n}, so no chart is drawn; the table shows "
                "them as “< {n}”.",
                n=t.number(figure.minimum),
            )
            parts.append(f'<p class="nothing">{e(small)}</p>')
            parts.append(_table(figure, t, step))
        else:
            nothing = t.gettext("Nothing to show here for this period yet.")
            parts.append(f'<p class="nothing">{e(nothing)}</p>')
    else:
        data = base64.b64encode(png).decode("ascii")
        described = t.gettext("The numbers are in the table below the chart.")
        parts.append(
            "<figure>"
            f'<img src="data:image/png;base64,{data}" width="1000" height="600" '
            f'alt="{e(figure.title)}. {e(described)}">'
            "</figure>"
        )
        parts.append(_table(figure, t, step))
    parts.append("</section>")
    return "".join(parts)


def _table(figure: Figure, t: Translator, step: Step) -> str:
    """The figure's numbers: a row per label (a period or a category), a column per series."""
    e = html.escape
    head = "".join(f'<th scope="col">{e(series.name)}</th>' for series in figure.series)
    corner = ""  # categories (languages, channels) need no name over them
    if figure.shape is not Shape.BARS:
        corner = t.gettext("Month") if step is Step.MONTH else t.gettext("Week")
    rows = []
    for index, label in enumerate(figure.labels):
        cells = "".join(
            f"<td>{e(shown(series.values[index], t, figure.minimum))}</td>"
            for series in figure.series
        )
        rows.append(f'<tr><th scope="row">{e(label)}</th>{cells}</tr>')
    return (
        f"<table><caption>{e(figure.title)}</caption>"
        f'<thead><tr><th scope="col">{e(corner)}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _about(t: Translator, min_group: int) -> str:
    e = html.escape
    lines = [
        t.gettext(
            "Every figure here is a count: how many people or things, never who. No name, "
            "phone number or message written by a resident appears in this report."
        ),
        t.gettext(
            "A group of fewer than {n} people is shown as “< {n}”, so that nobody can be "
            "picked out. Where a total is shown, one more small group is hidden with it, so "
            "that the hidden one cannot be worked out by subtraction.",
            n=t.number(min_group),
        ),
        t.gettext(
            "Months are calendar months in the municipality's time zone. A resident who is "
            "a member of several networks counts once in the totals."
        ),
    ]
    body = "".join(f"<p>{e(line)}</p>" for line in lines)
    title = e(t.gettext("About these figures"))
    return f'<section id="about" class="about"><h2>{title}</h2>{body}</section>'


# Inline, so the file stands alone. Logical properties (inline-start) follow `dir`, so the same
# rules lay out Arabic and Dari from the right. Print: A4, no contents list, a section kept on
# one page where it fits, the charts as wide as the page.
STYLE = """
:root { color-scheme: light; --ink: #1d2733; --muted: #5b6775; --line: #d5dde5;
  --accent: #2f6f9f; --soft: #eef4f9; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1080px; padding: 24px 20px 48px; color: var(--ink);
  background: #fff; line-height: 1.5;
  font-family: "Noto Sans", "Noto Sans Arabic", "Noto Sans Ethiopic", "DejaVu Sans",
    system-ui, sans-serif; }
header { border-block-end: 3px solid var(--accent); margin-block-end: 24px; }
.brand { margin: 0; color: var(--accent); font-weight: 700; letter-spacing: .02em; }
h1 { margin: 4px 0 4px; font-size: 1.9rem; }
.scope { margin: 0; font-size: 1.15rem; }
.made { margin: 4px 0 16px; color: var(--muted); }
h2 { font-size: 1.35rem; margin: 0 0 8px; }
nav ol { margin: 0; padding-inline-start: 1.4em; columns: 2; }
nav { margin-block-end: 24px; }
section { margin-block-end: 36px; }
.key-figures dl { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
  gap: 12px; margin: 0; }
.key-figures dl > div { background: var(--soft); border-radius: 8px; padding: 12px 14px; }
.key-figures dt { color: var(--muted); font-size: .95rem; }
.key-figures dd { margin: 2px 0 0; font-size: 1.6rem; font-weight: 700; }
.explanation { margin: 0 0 12px; max-width: 70ch; }
figure { margin: 0 0 12px; }
figure img { display: block; width: 100%; max-width: 1000px; height: auto;
  border: 1px solid var(--line); border-radius: 6px; }
.nothing { color: var(--muted); font-style: italic; }
table { border-collapse: collapse; font-size: .9rem; margin-block-start: 4px; }
caption { text-align: start; color: var(--muted); padding-block-end: 4px; }
th, td { padding: 3px 10px; border-block-end: 1px solid var(--line); text-align: end; }
th[scope="row"], thead th:first-child { text-align: start; font-weight: 400; }
thead th { font-weight: 700; }
.about p { max-width: 75ch; }
footer { margin-block-start: 24px; color: var(--muted); text-align: center; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav { display: none; }
  section { break-inside: avoid; page-break-inside: avoid; }
  .key-figures dl { grid-template-columns: repeat(3, 1fr); }
  figure img { max-width: 100%; border: none; }
  a { color: inherit; text-decoration: none; }
}
"""
