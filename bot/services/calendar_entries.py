"""What a calendar file holds, as the import sees it: its events and those left out, with why.

Apart from `calendar_files`, which reads the files, so that the events service can take a
report without loading icalendar (publishing one event from the command line stays light).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# An occurrence's UID is its series' UID, "/", and its original start in UTC in this format.
OCCURRENCE_UID_FORMAT = "%Y%m%dT%H%M%SZ"


class Repeat(enum.Enum):
    """How a series repeats (db.models.Repeat has the same values); DATES is a list of dates:
    RDATE alone, or a rule too intricate to say in a line, which residents read as a count."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"
    DATES = "dates"


@dataclass(frozen=True)
class SeriesInfo:
    """The recurring event an occurrence belongs to, as residents are told of it: "every
    Wednesday at 19:00, from 3 March"."""

    uid: str  # the calendar's UID of the whole series
    repeat: Repeat
    interval: int = 1
    weekdays: tuple[int, ...] = ()  # of a weekly rule, Monday = 0
    first_start: datetime | None = None  # the series' first start (UTC): its day and time
    last_start: datetime | None = None  # the last, for a series that ends (UNTIL, COUNT)
    all_day: bool = False


@dataclass(frozen=True)
class CalendarEvent:
    """One event (or one occurrence of a recurring event), times in UTC."""

    uid: str
    title: str
    starts_at: datetime  # timezone-aware UTC
    ends_at: datetime | None  # timezone-aware UTC
    place: str = ""
    description: str = ""
    all_day: bool = False
    cancelled: bool = False  # STATUS:CANCELLED
    series: SeriesInfo | None = None  # an occurrence of a recurring event
    # An occurrence the calendar changed on its own (a RECURRENCE-ID override): its change
    # concerns everyone coming to it, not only to that date.
    own_change: bool = False


class SkipReason(enum.Enum):
    """Why an event of the file is not imported; the value is how an operator reads it."""

    NO_TITLE = "it has no title"
    NO_START = "it has no start"
    UNPARSEABLE = "it cannot be read"
    DUPLICATE = "another event in the file has the same id"
    PAST = "it is in the past"
    BEYOND_HORIZON = "it is beyond the horizon"
    # Found by the import, not the reader: it needs the network's events to know.
    STARTED = "it has already started"
    CANCELLED = "it is cancelled and was never imported"


@dataclass(frozen=True)
class Skipped:
    """An event left out: `where` is its UID, or "event 7" (its place in the file) without one."""

    where: str
    title: str
    reason: SkipReason
    detail: str = ""  # what exactly cannot be read (UNPARSEABLE), in operator English


@dataclass(frozen=True)
class CalendarReport:
    """What a calendar file holds: the events to import (sorted by start) and those left out."""

    events: list[CalendarEvent]
    skipped: list[Skipped]
    encoding: str = "UTF-8"  # how the file's text was read
    horizon_days: int = 400


def occurrence_day(uid: str, zone: ZoneInfo) -> date | None:
    """The local day an occurrence's UID says the series first had it (None for a UID that
    is not an occurrence's): a series whose time changes keeps its dates by their day."""
    _, slash, written = uid.rpartition("/")
    if not slash:
        return None
    try:
        original = datetime.strptime(written, OCCURRENCE_UID_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
    return original.astimezone(zone).date()
