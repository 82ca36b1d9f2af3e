"""What one build of the insight counts and how it speaks: the window of local days, the
steps, the network (None: all), the reader's translator and the smallest group shown; and
how a figure and its key figures are put into words from that."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from babel.numbers import format_percent

from bot.i18n import Translator, native_digits
from bot.services.insight.captions import caption_of, lines
from bot.services.insight.figures import Figure, FigureKey, Period, Series, Shape
from bot.services.insight.privacy import shown, suppress
from db.queries.insight import Window


@dataclass(frozen=True)
class Scope:
    """One build's reader, period and scope."""

    t: Translator
    period: Period
    bounds: list[tuple[date, date]]
    labels: tuple[str, ...]
    window: Window
    network_id: int | None
    min_group: int

    def figure(
        self,
        key: FigureKey,
        shape: Shape,
        title: str,
        series: list[Series],
        explanation: str,
        labels: tuple[str, ...] | None = None,
        notes: tuple[str, ...] = (),
    ) -> Figure:
        shown_labels = self.labels if labels is None else labels
        body = lines(shape, shown_labels, series, self.t, self.min_group)
        caption, text = caption_of(title, body, notes)
        privacy = self.t.gettext(
            "Groups of fewer than {n} people are shown as “< {n}”, so that no one can be "
            "picked out.",
            n=self.t.number(self.min_group),
        )
        return Figure(
            key=key,
            shape=shape,
            title=title,
            labels=shown_labels,
            series=tuple(series),
            caption=caption,
            explanation=f"{explanation} {privacy}",
            locale=self.t.locale,
            rtl=self.t.rtl,
            minimum=self.min_group,
            text=text,
        )

    def count(self, value: int) -> str:
        """A key figure's count, "< 5" when the group is too small."""
        return shown(suppress(value, self.min_group), self.t, self.min_group)

    def too_few(self) -> str:
        return self.t.gettext("too few to show")

    def percent(self, part: int, whole: int) -> str:
        """`part` of `whole` as a percentage; hidden when `whole` is a small group."""
        if whole == 0:
            return "—"
        if whole < self.min_group:
            return self.too_few()
        text = format_percent(part / whole, locale=self.t.locale, numbering_system="default")
        return native_digits(str(text), self.t.locale)

    def duration(self, hours: float) -> str:
        """A wait as people say it: "less than an hour", "5 hours", "3 days"."""
        if hours < 1:
            return self.t.gettext("less than an hour")
        if hours < 48:
            return self.t.ngettext("{n} hour", "{n} hours", round(hours))
        return self.t.ngettext("{n} day", "{n} days", round(hours / 24))

    def median_wait(self, waits: list[float]) -> str:
        """The median of the waits, or "too few to show" for a small group."""
        if not waits:
            return "—"
        if len(waits) < self.min_group:
            return self.too_few()
        return self.duration(statistics.median(waits))
