"""The per-resident rate limits' counts: when a resident did something recently, and
forgetting what is older than any window counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import RateEvent, RateKind


async def times_since(
    session: AsyncSession, resident_id: int, kind: RateKind, since: datetime
) -> list[datetime]:
    """When the resident did `kind` after `since`, earliest first."""
    rows = await session.scalars(
        select(RateEvent.at)
        .where(RateEvent.resident_id == resident_id, RateEvent.kind == kind, RateEvent.at > since)
        .order_by(RateEvent.at)
    )
    return list(rows)


async def forget_before(
    session: AsyncSession, resident_id: int, kind: RateKind, before: datetime
) -> None:
    """Drop what no window counts any more (kept per resident, so it uses the index)."""
    await session.execute(
        delete(RateEvent).where(
            RateEvent.resident_id == resident_id, RateEvent.kind == kind, RateEvent.at <= before
        )
    )


async def forget_all_before(session: AsyncSession, before: datetime) -> int:
    """Drop everyone's counts from before `before` (for residents who have not acted since);
    returns how many went."""
    result = await session.execute(delete(RateEvent).where(RateEvent.at <= before))
    return int(getattr(result, "rowcount", 0) or 0)
