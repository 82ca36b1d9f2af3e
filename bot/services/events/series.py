"""Recurring events: a calendar's series (RRULE, RDATE) is one event to residents. Its dates
are events of their own (`Event.series_id`), each with its time, answers and reminder, so a
moved or cancelled date concerns only those coming to it; the series is announced once, listed
by its next date, and told in words ("Every week on Wednesday at 19:00, from 3 March").

Residents answer one date (an `Rsvp`) or every date (a `SeriesRsvp`); a date's own answer wins
over the series' there, so "coming every time, but not on the 10th" is two taps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_skeleton
from babel.lists import format_list
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator, native_digits
from bot.services.actors import Actor
from bot.services.calendar_entries import SeriesInfo
from bot.services.errors import NotFound
from db.models import Answer, EventSeries, Repeat
from db.queries import events as q
from db.queries import networks as nq


@dataclass(frozen=True)
class SeriesView:
    """How a series repeats, for its card line; `my_answer` is the reader's answer to every
    date (None when they answered none, or only single dates)."""

    id: int
    repeat: Repeat
    interval: int
    weekdays: tuple[int, ...]
    first_start: datetime
    last_start: datetime | None
    all_day: bool
    my_answer: Answer | None = None


def series_label(t: Translator, series: SeriesView) -> str:
    """The button that answers every date, or takes that answer back."""
    if series.my_answer is Answer.YES:
        return t.gettext("🔁 Not every time after all")
    return t.gettext("🔁 Coming every time")


def series_view(row: EventSeries, my_answer: Answer | None = None) -> SeriesView:
    return SeriesView(
        id=row.id,
        repeat=Repeat(row.repeat),
        interval=max(row.interval or 1, 1),
        weekdays=tuple(int(day) for day in row.weekdays.split(",") if day.strip().isdigit()),
        first_start=row.first_start,
        last_start=row.last_start,
        all_day=bool(row.all_day),
        my_answer=my_answer,
    )


def _month_day(t: Translator, moment: datetime) -> str:
    """ "3 March", "3. mars", "3 березня": CLDR's day-and-month for the locale."""
    text = format_skeleton("MMMMd", moment, tzinfo=t.zone, locale=t.locale)
    return native_digits(text, t.locale)


def _how_often(t: Translator, series: SeriesView) -> str:
    n = series.interval
    match series.repeat:
        case Repeat.DAILY:
            if n == 1:
                return t.gettext("Every day")
            return t.ngettext("Every {n} day", "Every {n} days", n)
        case Repeat.WEEKLY:
            days = format_list([t.weekday_name(day) for day in series.weekdays], locale=t.locale)
            if n == 1:
                return t.gettext("Every week on {weekdays}", weekdays=days)
            return t.ngettext(
                "Every {n} week on {weekdays}", "Every {n} weeks on {weekdays}", n, weekdays=days
            )
        case Repeat.MONTHLY:
            if n == 1:
                return t.gettext("Every month")
            return t.ngettext("Every {n} month", "Every {n} months", n)
        case Repeat.YEARLY:
            if n == 1:
                return t.gettext("Every year")
            return t.ngettext("Every {n} year", "Every {n} years", n)
    return t.gettext("On several dates")


def repeat_text(t: Translator, series: SeriesView, shown: datetime) -> str:
    """How the series repeats, in the reader's language, next to its date `shown`: "Every
    week on Wednesday at 19:00, from 3 March" when that is its first date; "… until 16 June"
    for a later date of a series that ends; no span for one that goes on (the card's date
    says when next)."""
    rule = _how_often(t, series)
    if not series.all_day and series.repeat is not Repeat.DATES:
        rule = t.gettext("{repeat} at {time}", repeat=rule, time=t.format_time(series.first_start))
    first_day = series.first_start.astimezone(t.zone).date()
    if first_day >= shown.astimezone(t.zone).date():
        return t.gettext("{rule}, from {date}", rule=rule, date=_month_day(t, series.first_start))
    if series.last_start is not None:
        return t.gettext("{rule}, until {date}", rule=rule, date=_month_day(t, series.last_start))
    return rule


async def keep_series(
    session: AsyncSession, network_id: int, info: SeriesInfo, now: datetime
) -> tuple[EventSeries, bool]:
    """The network's series for `info` (by the calendar's UID), its rule brought up to date;
    True when it is new (its first date to be imported is the one announced)."""
    row = await q.series_by_uid(session, network_id, info.uid)
    fields = {
        "repeat": info.repeat.value,
        "interval": info.interval,
        "weekdays": ",".join(str(day) for day in info.weekdays),
        "first_start": info.first_start,
        "last_start": info.last_start,
        "all_day": info.all_day,
    }
    if row is None:
        row = EventSeries(
            network_id=network_id, uid=info.uid, created_at=now, updated_at=now, **fields
        )
        session.add(row)
        await session.flush()
        return row, True
    # How it repeats is shown, not announced: a changed rule is told through its dates.
    if any(getattr(row, name) != value for name, value in fields.items()):
        for name, value in fields.items():
            setattr(row, name, value)
        row.updated_at = now
    return row, False


async def answer_series(
    session: AsyncSession,
    actor: Actor,
    series_id: int,
    reply: Answer | None,
) -> SeriesView:
    """Coming to every date of a series (or, with None, no longer), for a member of its
    network; the dates they answered one by one keep those answers."""
    resident_id = actor.require_resident()
    row = (await q.series(session, [series_id])).get(series_id)
    if row is None or await nq.membership(session, resident_id, row.network_id) is None:
        raise NotFound()
    await q.set_series_answer(session, series_id, resident_id, reply)
    await session.commit()
    return series_view(row, reply)
