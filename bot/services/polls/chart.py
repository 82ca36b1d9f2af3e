"""A poll's results as a bar chart (PNG), in the reader's language.

Drawn with the shared primitives of `bot.charts` (matplotlib's Agg canvas, fonts for every
script we ship, Arabic script shaped and right to left), 800×500 pixels.

`ChartFiles` resolves a rendering's attachment `poll-chart:<poll id>:<locale>` to the PNG, as
the Telegram senders' `attachments` callable; a closed poll's chart does not change, so each
is drawn once per language and kept (a few dozen, least recently used first out)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot import charts
from bot.i18n import Catalogs, Translator
from bot.services.made_files import MadeFiles
from bot.services.polls.results import PollResults, compute, percent
from bot.services.polls.views import load_views
from db.queries import polls as q

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from bot.machine_translation.service import MachineTranslation

WIDTH, HEIGHT = 800, 500
PREFIX = "poll-chart"
KEPT = 64  # charts kept by one resolver


def attachment_name(poll_id: int, locale: str) -> str:
    """The rendering's attachment for a poll's chart in `locale` (at most 40 characters)."""
    return f"{PREFIX}:{poll_id}:{locale}"


def parse_attachment(name: str) -> tuple[int, str] | None:
    parts = name.split(":")
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1].isdecimal():
        return None
    return int(parts[1]), parts[2]


@dataclass(frozen=True)
class ChartData:
    """What the chart shows, already in the reader's language."""

    title: str
    labels: tuple[str, ...]
    counts: tuple[int, ...]
    values: tuple[str, ...]  # "12 (40 %)", in the reader's digits
    footer: str
    rtl: bool


def chart_data(t: Translator, results: PollResults) -> ChartData:
    texts = results.view.texts_for(t.locale)
    labels = list(texts.options)
    counts = list(results.counts)
    if results.view.allow_other:
        labels.append(t.gettext("Other"))
        counts.append(results.others)
    values = tuple(f"{t.number(c)} ({percent(t, results.share(c))})" for c in counts)
    footer = t.ngettext("{n} answer", "{n} answers", results.ballots)
    return ChartData(texts.question, tuple(labels), tuple(counts), values, footer, t.rtl)


def draw(data: ChartData) -> bytes:
    """The chart as PNG bytes (blocking: call it in a thread from async code)."""
    rtl = data.rtl
    figure = charts.canvas(WIDTH, HEIGHT)
    axes = figure.add_subplot()
    positions = list(range(len(data.counts)))
    axes.barh(positions, data.counts, color="#2f6f9f", height=0.6)
    axes.set_yticks(
        positions,
        [charts.visual(charts.short(label, 34), rtl) for label in data.labels],
        **charts.font(11),
    )
    axes.invert_yaxis()  # the first option on top
    top = max(data.counts, default=0)
    axes.set_xlim(0, max(top, 1) * 1.3)
    for y, (count, value) in enumerate(zip(data.counts, data.values, strict=True)):
        axes.text(
            count + max(top, 1) * 0.02,
            y,
            charts.visual(value, rtl),
            va="center",
            ha="right" if rtl else "left",  # beyond the bar's end, whichever way it grows
            **charts.font(10),
        )
    if rtl:
        axes.invert_xaxis()  # bars grow from the right, as the text runs
        axes.yaxis.tick_right()
    axes.set_xticks([])
    charts.plain(axes)
    axes.set_title(
        charts.lines(data.title, 60, 3, rtl), **charts.font(13), loc="right" if rtl else "left"
    )
    figure.text(
        0.98 if rtl else 0.02,
        0.02,
        charts.visual(data.footer, rtl),
        ha="right" if rtl else "left",
        **charts.font(10),
    )
    figure.subplots_adjust(left=0.06 if rtl else 0.32, right=0.68 if rtl else 0.94, top=0.82)
    return charts.png(figure).content


async def chart_for(
    session: AsyncSession,
    catalogs: Catalogs,
    poll_id: int,
    locale: str,
    machine: MachineTranslation | None = None,
) -> bytes | None:
    """The chart of a poll's results for readers of `locale`, or None if there is no poll."""
    poll = await q.get(session, poll_id)
    if poll is None:
        return None
    view = (await load_views(session, [poll], machine=machine, readers=[locale]))[0]
    results = await compute(session, view)
    data = chart_data(catalogs.translator(locale), results)
    return await asyncio.to_thread(draw, data)


class ChartFiles:
    """The senders' `attachments` for poll charts: `poll-chart:<id>:<locale>` → a PNG file."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        catalogs: Catalogs,
        machine: MachineTranslation | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.catalogs = catalogs
        self.machine = machine
        self._files = MadeFiles(KEPT)

    async def __call__(self, name: str) -> tuple[str, bytes] | None:
        parsed = parse_attachment(name)
        if parsed is None:
            return None
        poll_id, locale = parsed

        async def draw_it() -> bytes | None:
            async with self.sessionmaker() as session:
                return await chart_for(session, self.catalogs, poll_id, locale, self.machine)

        found = await self._files.get(name, draw_it)
        return None if found is None else (f"poll-{poll_id}.png", found)
