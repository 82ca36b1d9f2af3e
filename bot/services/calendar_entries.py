"""What a calendar file holds, as the import sees it: its events and those left out, with why.

Apart from `calendar_files`, which reads the files, so that the events service can take a
report without loading icalendar (publishing one event from the command line stays light).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


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
