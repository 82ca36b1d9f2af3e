"""Calendar feeds: the URLs networks follow, which are due, and the events each brought."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CalendarFeed, Event, EventStatus

CHUNK = 500


async def get(session: AsyncSession, feed_id: int) -> CalendarFeed | None:
    return await session.get(CalendarFeed, feed_id)


async def by_url(session: AsyncSession, network_id: int, url: str) -> CalendarFeed | None:
    return await session.scalar(
        select(CalendarFeed).where(CalendarFeed.network_id == network_id, CalendarFeed.url == url)
    )


async def listed(session: AsyncSession, network_id: int | None = None) -> list[CalendarFeed]:
    query = select(CalendarFeed).order_by(CalendarFeed.network_id, CalendarFeed.id)
    if network_id is not None:
        query = query.where(CalendarFeed.network_id == network_id)
    return list(await session.scalars(query))


async def due(session: AsyncSession, now: datetime, limit: int) -> list[int]:
    """The feeds whose next check has come, soonest first."""
    rows = await session.scalars(
        select(CalendarFeed.id)
        .where(CalendarFeed.next_check_at <= now)
        .order_by(CalendarFeed.next_check_at, CalendarFeed.id)
        .limit(limit)
    )
    return list(rows)


async def claim(session: AsyncSession, feed_id: int, seen_next: datetime, until: datetime) -> bool:
    """Move the feed's next check to `until` if it is still `seen_next`: of two processes that
    found it due, one syncs it."""
    result = await session.execute(
        update(CalendarFeed)
        .where(CalendarFeed.id == feed_id, CalendarFeed.next_check_at == seen_next)
        .values(next_check_at=until)
    )
    return bool(getattr(result, "rowcount", 0))


async def mark_events(
    session: AsyncSession, network_id: int, feed_id: int, uids: Collection[str]
) -> None:
    """Note which feed the network's events with these UIDs came from."""
    ordered = list(uids)
    for start in range(0, len(ordered), CHUNK):  # within any database's limit on parameters
        await session.execute(
            update(Event)
            .where(Event.network_id == network_id, Event.uid.in_(ordered[start : start + CHUNK]))
            .values(feed_id=feed_id)
        )


async def gone_from_feed(
    session: AsyncSession, feed_id: int, present: Collection[str], now: datetime
) -> list[Event]:
    """The feed's published events still to come whose UID the feed no longer lists."""
    rows = await session.scalars(
        select(Event).where(
            Event.feed_id == feed_id,
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at >= now,
        )
    )
    return [event for event in rows if event.uid not in present]
