"""Shared rate limits: sending slots every worker process draws from, so the global rate
holds however many workers run."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import RateSlot


async def reserve_slots(
    session: AsyncSession, name: str, now: datetime, count: int, interval: float
) -> datetime:
    """Reserve `count` sending slots of a shared rate limit; returns when the first is free.

    One row per limit, advanced atomically, so every worker process draws from the same
    budget (the global rate holds however many workers run)."""
    row = await session.get(RateSlot, name, with_for_update=True)
    if row is None:
        row = RateSlot(name=name, next_at=now)
        session.add(row)
    start = max(row.next_at, now)
    row.next_at = start + timedelta(seconds=interval * count)
    await session.flush()
    return start
