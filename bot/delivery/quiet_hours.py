"""Quiet hours: instant notices wait until the resident's morning."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_START = 22 * 60
DEFAULT_END = 8 * 60


def release_time(now: datetime, zone: ZoneInfo, start: int, end: int) -> datetime:
    """`now` if it is outside the quiet window [start, end) (minutes after local midnight,
    possibly across midnight), else the end of the window. Aware in, aware (UTC-able) out."""
    if start == end:
        return now
    local = now.astimezone(zone)
    minute = local.hour * 60 + local.minute
    quiet = start <= minute < end if start < end else (minute >= start or minute < end)
    if not quiet:
        return now
    day = local.date() if minute < end else local.date() + timedelta(days=1)
    # Built from the wall clock in the zone, so a DST change in the night is handled.
    return datetime.combine(day, time(end // 60, end % 60), tzinfo=zone)
