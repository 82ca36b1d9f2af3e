"""Calendar feeds: the tokens in their URLs, and the events a feed serves, a page at a time."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Event, EventStatus, MemberRole, Membership, Network, Resident


async def resident_token(session: AsyncSession, resident_id: int) -> str | None:
    return await session.scalar(select(Resident.calendar_token).where(Resident.id == resident_id))


async def network_token(session: AsyncSession, network_id: int) -> str | None:
    return await session.scalar(select(Network.calendar_token).where(Network.id == network_id))


async def set_resident_token(session: AsyncSession, resident_id: int, token: str | None) -> None:
    resident = await session.get(Resident, resident_id)
    if resident is not None:
        resident.calendar_token = token


async def set_network_token(session: AsyncSession, network_id: int, token: str | None) -> None:
    network = await session.get(Network, network_id)
    if network is not None:
        network.calendar_token = token


async def resident_by_token(session: AsyncSession, token: str) -> Resident | None:
    return await session.scalar(select(Resident).where(Resident.calendar_token == token))


async def network_by_token(session: AsyncSession, token: str) -> Network | None:
    """The network whose feed this is; an archived network's feed is gone."""
    return await session.scalar(
        select(Network).where(Network.calendar_token == token, Network.archived_at.is_(None))
    )


async def member_network_ids(session: AsyncSession, resident_id: int) -> list[int]:
    """The live networks the resident is in."""
    rows = await session.scalars(
        select(Membership.network_id)
        .join(Network, Network.id == Membership.network_id)
        .where(Membership.resident_id == resident_id, Network.archived_at.is_(None))
        .order_by(Membership.network_id)
    )
    return list(rows)


async def hosted_networks(
    session: AsyncSession, resident_id: int, *, any_role: bool
) -> list[tuple[int, str | None]]:
    """(id, feed token) of the live networks the resident hosts; with `any_role` (a
    coordinator, who manages every network), of every live network they are in."""
    mine = select(Membership.network_id).where(Membership.resident_id == resident_id)
    if not any_role:
        mine = mine.where(Membership.role == MemberRole.HOST)
    rows = await session.execute(
        select(Network.id, Network.calendar_token)
        .where(Network.archived_at.is_(None), Network.id.in_(mine))
        .order_by(Network.id)
    )
    return [(int(i), t) for i, t in rows]


# What a feed shows: published events, and cancelled ones so that a subscribed calendar
# marks them cancelled instead of dropping them without a word. Drafts never.
_SHOWN = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


async def feed_page(
    session: AsyncSession,
    network_ids: Collection[int],
    since: datetime,
    until: datetime,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[Event]:
    """Events of these networks that end after `since` and start before `until`, by start
    (then id), the page after `after` (the last one's start and id): keyset paging, so a
    long feed costs the same per page wherever the page is."""
    if not network_ids:
        return []
    query = select(Event).where(
        Event.network_id.in_(network_ids),
        Event.status.in_(_SHOWN),
        func.coalesce(Event.ends_at, Event.starts_at) >= since,
        Event.starts_at < until,
    )
    if after is not None:
        starts, event_id = after
        query = query.where(
            (Event.starts_at > starts) | ((Event.starts_at == starts) & (Event.id > event_id))
        )
    rows = await session.scalars(query.order_by(Event.starts_at, Event.id).limit(limit))
    return list(rows)
