"""What the insight shows: figures (a chart's data, already in the viewer's language, with the
same numbers as text) and key figures, for a scope (all networks, or one) and a period.

Every number here is an aggregate. A group smaller than the configured minimum
(`MIN_GROUP_SIZE`, 5) is None in a series and "< 5" in text: the chart leaves it out, the
caption and the report say "< 5". Builders (`bot.services.insight.building`) make these; the
chart renderer (`bot.services.insight.charts`), the chat (`handlers/insight.py`) and the
monthly report (`bot.services.insight.report`) only read them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date


class FigureKey(enum.StrEnum):
    """The figures, in the order the menu and the report show them."""

    MEMBERS = "members"  # members over time, per network (lines)
    LANGUAGES = "languages"  # members by language, at the end of the period (bars)
    CHANNELS = "channels"  # members by channel: Telegram, SMS only (bars)
    NOTICES = "notices"  # notices sent, delivered, failed per period step (columns)
    HELP = "help"  # help asked vs matched per step (columns); time to match in the text
    EVENTS = "events"  # events held and RSVPs per step (columns)
    POLLS = "polls"  # polls and their answers per step (columns)
    VOLUNTEERING = "volunteering"  # volunteer hours confirmed per step (columns)


class Shape(enum.StrEnum):
    LINES = "lines"  # a line per series over the labels (periods)
    BARS = "bars"  # horizontal bars, one per label (categories), one series
    COLUMNS = "columns"  # grouped vertical columns per label (periods), a colour per series


class Step(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Period:
    """Days from `start` (inclusive) to `end` (exclusive), local calendar days, counted in
    steps of a week (Monday to Sunday) or a month."""

    start: date
    end: date
    step: Step


@dataclass(frozen=True)
class Series:
    name: str  # the legend, in the viewer's language
    values: tuple[int | None, ...]  # one per label; None: fewer than the minimum ("< 5")


@dataclass(frozen=True)
class Figure:
    key: FigureKey
    shape: Shape
    title: str
    labels: tuple[str, ...]  # periods ("uke 45", "nov. 2026") or categories ("Українська")
    series: tuple[Series, ...]
    caption: str  # the same figures as text: for screen readers, the photo's caption, SMS
    explanation: str  # what the figure shows and how it is counted, for the report
    locale: str
    rtl: bool
    # The smallest group shown (`min_group`): a suppressed value is drawn "< {minimum}".
    minimum: int = 5
    # The same figures as text in full: `caption` is this when it fits a photo's caption (1024
    # characters), else the title and the latest steps.
    text: str = ""

    @property
    def empty(self) -> bool:
        """Nothing to draw: every value zero or suppressed."""
        return not any(v for s in self.series for v in s.values)


@dataclass(frozen=True)
class KeyFigure:
    label: str  # "Members", in the viewer's language
    value: str  # formatted: "1 234", "< 5", "2,5 days"


@dataclass(frozen=True)
class Insight:
    """The figures for one scope and period, in one language."""

    title: str  # "All networks" or the network's name
    period: Period
    period_label: str  # "November 2026", "the last 12 weeks"
    figures: tuple[Figure, ...]
    key_figures: tuple[KeyFigure, ...]
    locale: str
    rtl: bool
    # The step the key figures count: the report's month ("November 2026"), the chat's
    # current week ("week 45").
    key_period: str = ""
