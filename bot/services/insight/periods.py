"""The insight's periods: the chat's last 12 weeks, the report's 12 months, their steps and
how each step is named in the reader's language (Babel)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import TypeVar

from babel.dates import format_date

from bot.i18n import Translator, native_digits
from bot.services.errors import InvalidInput
from bot.services.insight.figures import Period, Step

# How many steps a chart shows: twelve weeks in the chat, twelve months in the report.
STEPS = 12

T = TypeVar("T")


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def chat_period(today: date) -> Period:
    """The last 12 weeks by week, Monday to Sunday, ending with the current week."""
    monday = today - timedelta(days=today.weekday())
    return Period(monday - timedelta(weeks=STEPS - 1), monday + timedelta(weeks=1), Step.WEEK)


def month_period(month: date) -> Period:
    """The 12 months ending with `month` (any day of it), by month."""
    first = month.replace(day=1)
    return Period(add_months(first, 1 - STEPS), add_months(first, 1), Step.MONTH)


def steps(period: Period) -> list[tuple[date, date]]:
    """The period's steps as (first day, day after the last); `InvalidInput` for a period
    that does not start and end on its steps' boundaries."""
    aligned = (
        period.start.weekday() == 0 and period.end.weekday() == 0
        if period.step is Step.WEEK
        else period.start.day == 1 and period.end.day == 1
    )
    if not aligned or period.end <= period.start:
        raise InvalidInput("period", "format")
    found = []
    first = period.start
    while first < period.end:
        following = first + timedelta(weeks=1) if period.step is Step.WEEK else add_months(first, 1)
        found.append((first, following))
        first = following
    return found


def fold(
    days: Mapping[date, T],
    bounds: list[tuple[date, date]],
    add: Callable[[T, T], T],
    zero: T,
) -> list[T]:
    """Per-day values added up per step (days outside every step are left out)."""
    starts = [first for first, _ in bounds]
    totals = [zero] * len(bounds)
    for day, value in days.items():
        index = bisect_right(starts, day) - 1
        if index >= 0 and day < bounds[index][1]:
            totals[index] = add(totals[index], value)
    return totals


def step_label(first: date, step: Step, t: Translator) -> str:
    """ "uke 45" or "nov. 2026", in the reader's language."""
    if step is Step.WEEK:
        return t.gettext("week {n}", n=t.number(first.isocalendar().week))
    return native_digits(format_date(first, "MMM y", locale=t.locale), t.locale)


def step_labels(bounds: Iterable[tuple[date, date]], step: Step, t: Translator) -> tuple[str, ...]:
    return tuple(step_label(first, step, t) for first, _ in bounds)


def month_name(first: date, t: Translator) -> str:
    """ "November 2026": a month as a title names it (Babel's stand-alone month name, with a
    capital where the script has them)."""
    return capitalized(native_digits(format_date(first, "LLLL y", locale=t.locale), t.locale))


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def period_label(period: Period, t: Translator) -> str:
    """The whole period: "the last 12 weeks", or the report's month: "November 2026"."""
    bounds = steps(period)
    if period.step is Step.WEEK:
        return t.ngettext("the last {n} week", "the last {n} weeks", len(bounds))
    return month_name(bounds[-1][0], t)


def last_step_label(period: Period, t: Translator) -> str:
    """The step the key figures count: "week 45" or "November 2026"."""
    first = steps(period)[-1][0]
    return step_label(first, Step.WEEK, t) if period.step is Step.WEEK else month_name(first, t)
