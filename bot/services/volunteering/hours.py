"""Volunteer hours per network per month: the figures a municipality reports on voluntary work.
Aggregates only (calls, shifts, signups, people who came, hours), never who; coordinators
only. A month is a calendar month in the municipality's zone, and a shift counts in the month
it started."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.actors import Actor
from bot.services.errors import InvalidInput
from db.queries import volunteering as q
from db.queries.volunteering import MonthRow

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> tuple[int, int]:
    """ "2026-06" as (2026, 6); else `InvalidInput`."""
    found = _MONTH.match(text.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
        raise InvalidInput("month", "format")
    return int(found.group(1)), int(found.group(2))


def month_bounds(year: int, month: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start, end


async def month_report(
    session: AsyncSession, actor: Actor, year: int, month: int, zone: ZoneInfo
) -> list[MonthRow]:
    """Each network's volunteering in the month (networks without any are left out)."""
    actor.require_coordinator()
    start, end = month_bounds(year, month, zone)
    return await q.month(session, start, end)


async def operator_list(
    session: AsyncSession, actor: Actor, since: datetime
) -> list[dict[str, object]]:
    """Calls with a shift ending after `since`, for the command line: counts only, no names."""
    actor.require_coordinator()
    fields = ("id", "network", "title", "status", "first_shift", "shifts", "slots", "signups")
    return [dict(zip(fields, row, strict=True)) for row in await q.listing(session, since)]
