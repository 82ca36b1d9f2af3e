"""Counting by local calendar day in SQL: the municipality's day (Europe/Oslo by default), not
UTC's, so that a notice sent at 00:30 on a Monday counts in that Monday's week.

PostgreSQL converts a timestamp to the zone itself. SQLite knows no zones, so the UTC offsets
in force during the window (a year holds two changes of summer time) become a CASE over their
boundaries, each shifting the stored UTC text to its local date: exact for any zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, case, cast, func, literal
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import UTCDateTime
from db.session import session_zone


@dataclass(frozen=True)
class Window:
    """Local days from `first` (inclusive) to `end` (exclusive) in `zone`."""

    first: date
    end: date
    zone: ZoneInfo
    dialect: str

    @classmethod
    def of(cls, session: AsyncSession, first: date, end: date) -> Window:
        return cls(first, end, session_zone(session), session.get_bind().dialect.name)

    @property
    def start_utc(self) -> datetime:
        return local_midnight(self.first, self.zone)

    @property
    def end_utc(self) -> datetime:
        return local_midnight(self.end, self.zone)

    def contains(self, column: Any) -> ColumnElement[bool]:
        """`column` (a UTC timestamp) falls on a day of the window."""
        inside: ColumnElement[bool] = (column >= self.start_utc) & (column < self.end_utc)
        return inside

    def day(self, column: Any) -> ColumnElement[Any]:
        """The local day of `column` (a UTC timestamp inside the window), as SQL; read the
        result with `as_date`."""
        if self.dialect == "postgresql":
            return cast(func.timezone(self.zone.key, column), Date)
        spans = offsets(self.start_utc, self.end_utc, self.zone)
        shifted = [_sqlite_local_day(column, offset) for _, offset in spans]
        if len(spans) == 1:
            return shifted[0]
        whens = [
            (column < literal(until, UTCDateTime), expression)
            for (until, _), expression in zip(spans[1:], shifted[:-1], strict=True)
        ]
        return case(*whens, else_=shifted[-1])


def _sqlite_local_day(column: Any, offset: timedelta) -> ColumnElement[Any]:
    """The local day of a UTC time stored as SQLite text ("2026-11-30 23:15:00.000000") at a
    fixed offset. Most times fall on the same day in both, and taking the text's first ten
    characters is far cheaper than SQLite's date(): only the times that cross midnight (at or
    after 23:00 UTC for +01:00) are shifted by date(). Over millions of deliveries, this is
    most of a query's time."""
    minutes = int(offset.total_seconds() // 60)
    utc_day = func.substr(column, 1, 10)
    if minutes == 0:
        return utc_day
    clock = func.substr(column, 12, 5)  # "HH:MM"
    shifted = func.date(column, f"{minutes:+d} minutes")
    if minutes > 0:
        crossing = clock >= f"{(24 * 60 - minutes) // 60:02d}:{(24 * 60 - minutes) % 60:02d}"
    else:
        crossing = clock < f"{-minutes // 60:02d}:{-minutes % 60:02d}"
    return case((crossing, shifted), else_=utc_day)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def as_date(value: object) -> date:
    """A day as the database hands it back: a date (PostgreSQL) or its ISO text (SQLite)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def offsets(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[datetime, timedelta]]:
    """The zone's UTC offsets between two UTC moments: (from when, offset) in order, the
    first from `start`. Changes are found day by day, then to the minute by halving."""

    def offset(moment: datetime) -> timedelta:
        return moment.astimezone(zone).utcoffset() or timedelta(0)

    found = [(start, offset(start))]
    moment = start
    while moment < end:
        following = min(moment + timedelta(days=1), end)
        if offset(following) != found[-1][1]:
            low, high = moment, following  # offset(low) is the old one, offset(high) the new
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if offset(middle) == found[-1][1]:
                    low = middle
                else:
                    high = middle
            found.append((high.replace(second=0, microsecond=0), offset(high)))
        moment = following
    return found
