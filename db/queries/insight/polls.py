"""Polls by the local day they were published (withdrawn ones left out) and the ballots cast
in them. A coordinator's poll to everyone (no network) counts for all networks together."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Poll, PollBallot, PollStatus
from db.queries.insight.local_days import Window, as_date


async def poll_days(
    session: AsyncSession, window: Window, network_id: int | None = None
) -> dict[date, tuple[int, int]]:
    """Day -> (polls, ballots)."""
    ballots = (
        select(PollBallot.poll_id, func.count().label("n")).group_by(PollBallot.poll_id).subquery()
    )
    day = window.day(Poll.created_at).label("day")
    query = (
        select(day, func.count(), func.coalesce(func.sum(ballots.c.n), 0))
        .select_from(Poll)
        .outerjoin(ballots, ballots.c.poll_id == Poll.id)
        .where(window.contains(Poll.created_at), Poll.status != PollStatus.HIDDEN)
        .group_by(day)
    )
    if network_id is not None:
        query = query.where(Poll.network_id == network_id)
    return {as_date(d): (int(p), int(b)) for d, p, b in await session.execute(query)}
