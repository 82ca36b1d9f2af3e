"""When the digest goes out: the ISO week a moment falls in, the latest scheduled slot, and
which week's round is due. Pure functions of a moment and the schedule, so the scheduler, the
playground's clock and the CLI count weeks the same way."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CATCH_UP = timedelta(days=2)  # a round missed by downtime is still worth sending this late


def week_of(moment: datetime, zone: ZoneInfo) -> str:
    """The ISO week ("2026-W48") that `moment` falls in, on the local calendar."""
    year, week, _ = moment.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def _wall(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time as a UTC moment. A time skipped by the spring DST change is
    taken as the first moment after the gap; a repeated autumn time as its first occurrence."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def latest_slot(now: datetime, zone: ZoneInfo, weekday: int, at: time) -> datetime:
    """The most recent scheduled digest moment at or before `now` (UTC)."""
    local = now.astimezone(zone)
    back = (local.weekday() - weekday) % 7
    slot = _wall(local.date() - timedelta(days=back), at, zone)
    return slot if slot <= now else _wall(local.date() - timedelta(days=back + 7), at, zone)


def due_week(now: datetime, zone: ZoneInfo, weekday: int, at: time) -> str | None:
    """The week whose digest round is due now: that of the latest slot, while it is recent
    enough to catch up after downtime; None when no round is due."""
    slot = latest_slot(now, zone, weekday, at)
    return week_of(slot, zone) if now - slot <= CATCH_UP else None
