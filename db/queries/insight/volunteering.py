"""Volunteering by the local day a shift started: how many came (as the host confirmed) and
their hours. Cancelled calls are left out, as in the coordinators' month report."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CallStatus, VolunteerCall, VolunteerShift, VolunteerSignup
from db.queries.insight.local_days import Window, as_date


async def volunteer_days(
    session: AsyncSession, window: Window, network_id: int | None = None
) -> dict[date, tuple[int, float]]:
    """Day -> (people who came, their hours). One row per confirmed shift, read to add up
    the hours (a difference of timestamps, which the two databases spell differently)."""
    came = func.count(VolunteerSignup.id)
    day = window.day(VolunteerShift.starts_at).label("day")
    query = (
        select(day, VolunteerShift.starts_at, VolunteerShift.ends_at, came)
        .join(VolunteerCall, VolunteerCall.id == VolunteerShift.call_id)
        .join(VolunteerSignup, VolunteerSignup.shift_id == VolunteerShift.id)
        .where(
            window.contains(VolunteerShift.starts_at),
            VolunteerCall.status == CallStatus.OPEN,
            VolunteerShift.confirmed_at.is_not(None),
            VolunteerSignup.attended.is_(True),
        )
        .group_by(VolunteerShift.id, VolunteerShift.starts_at, VolunteerShift.ends_at)
    )
    if network_id is not None:
        query = query.where(VolunteerCall.network_id == network_id)
    found: dict[date, tuple[int, float]] = {}
    for d, starts, ends, n in await session.execute(query):
        people, hours = found.get(as_date(d), (0, 0.0))
        length = max((ends - starts).total_seconds(), 0.0) / 3600
        found[as_date(d)] = (people + int(n), hours + length * int(n))
    return found
