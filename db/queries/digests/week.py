"""What the week holds for every digest: the coming events, the open help requests, the
networks' news (their names in every language come from `db.queries.networks.names`). Read
once per round, however many residents there are."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Event, EventStatus, HelpRequest, Membership, Network, RequestStatus
from db.queries.events import next_of_series


async def events_between(session: AsyncSession, start: datetime, end: datetime) -> list[Event]:
    """Published events in live networks that start in [start, end), soonest first; of a
    series, only its next date (the digest tells of the series once)."""
    rows = await session.scalars(
        select(Event)
        .join(Network, Network.id == Event.network_id)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at >= start,
            Event.starts_at < end,
            Network.archived_at.is_(None),
            next_of_series(start),
        )
        .order_by(Event.starts_at, Event.id)
    )
    return list(rows)


async def events_by_id(session: AsyncSession, ids: Sequence[int]) -> list[Event]:
    if not ids:
        return []
    return list(await session.scalars(select(Event).where(Event.id.in_(ids))))


async def open_requests(session: AsyncSession, now: datetime) -> list[HelpRequest]:
    rows = await session.scalars(
        select(HelpRequest)
        .join(Network, Network.id == HelpRequest.network_id)
        .where(
            HelpRequest.status == RequestStatus.OPEN,
            HelpRequest.expires_at > now,
            Network.archived_at.is_(None),
        )
        .order_by(HelpRequest.created_at.desc())
    )
    return list(rows)


async def news(session: AsyncSession, since: datetime) -> dict[int, tuple[int, int]]:
    """Per network since `since`: members who joined, and requests completed."""
    found: dict[int, tuple[int, int]] = {}
    joined = await session.execute(
        select(Membership.network_id, func.count())
        .where(Membership.joined_at >= since)
        .group_by(Membership.network_id)
    )
    for network_id, n in joined:
        found[network_id] = (int(n), 0)
    done = await session.execute(
        select(HelpRequest.network_id, func.count())
        .where(HelpRequest.status == RequestStatus.DONE, HelpRequest.closed_at >= since)
        .group_by(HelpRequest.network_id)
    )
    for network_id, n in done:
        found[network_id] = (found.get(network_id, (0, 0))[0], int(n))
    return found
