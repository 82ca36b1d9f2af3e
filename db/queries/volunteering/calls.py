"""Volunteer calls and their shifts as residents, hosts, the digest and the reminders read
them, and the flood guard's count of call notices."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    CallStatus,
    MemberRole,
    Membership,
    Network,
    VolunteerCall,
    VolunteerShift,
    VolunteerSignup,
)


async def shifts_of(
    session: AsyncSession, call_ids: Collection[int]
) -> dict[int, list[VolunteerShift]]:
    """Each call's shifts, soonest first."""
    if not call_ids:
        return {}
    rows = await session.scalars(
        select(VolunteerShift)
        .where(VolunteerShift.call_id.in_(list(call_ids)))
        .order_by(VolunteerShift.starts_at, VolunteerShift.id)
    )
    found: dict[int, list[VolunteerShift]] = {}
    for shift in rows:
        found.setdefault(shift.call_id, []).append(shift)
    return found


async def taken(session: AsyncSession, shift_ids: Collection[int]) -> dict[int, int]:
    """Signups per shift (an erased resident's confirmed signup still counts)."""
    if not shift_ids:
        return {}
    rows = await session.execute(
        select(VolunteerSignup.shift_id, func.count())
        .where(VolunteerSignup.shift_id.in_(list(shift_ids)))
        .group_by(VolunteerSignup.shift_id)
    )
    return {shift_id: int(n) for shift_id, n in rows.all()}


async def mine(session: AsyncSession, resident_id: int, shift_ids: Collection[int]) -> set[int]:
    """Which of these shifts the resident is signed up for."""
    if not shift_ids:
        return set()
    rows = await session.scalars(
        select(VolunteerSignup.shift_id).where(
            VolunteerSignup.resident_id == resident_id,
            VolunteerSignup.shift_id.in_(list(shift_ids)),
        )
    )
    return set(rows)


async def open_calls(
    session: AsyncSession, network_ids: Collection[int], now: datetime
) -> list[VolunteerCall]:
    """Open calls in live networks among `network_ids` with a shift still to start, the one
    whose next shift comes first first."""
    if not network_ids:
        return []
    upcoming = (
        select(VolunteerShift.call_id, func.min(VolunteerShift.starts_at).label("next"))
        .where(VolunteerShift.starts_at > now)
        .group_by(VolunteerShift.call_id)
        .subquery()
    )
    rows = await session.scalars(
        select(VolunteerCall)
        .join(upcoming, upcoming.c.call_id == VolunteerCall.id)
        .join(Network, Network.id == VolunteerCall.network_id)
        .where(
            VolunteerCall.status == CallStatus.OPEN,
            VolunteerCall.network_id.in_(list(network_ids)),
            Network.archived_at.is_(None),
        )
        .order_by(upcoming.c.next, VolunteerCall.id)
    )
    return list(rows)


async def all_open_calls(session: AsyncSession, now: datetime) -> list[VolunteerCall]:
    """Every open call in a live network with a shift still to start (the digest's week)."""
    network_ids = await session.scalars(select(Network.id).where(Network.archived_at.is_(None)))
    return await open_calls(session, list(network_ids), now)


async def hosted_calls(
    session: AsyncSession, network_ids: Collection[int], since: datetime
) -> list[VolunteerCall]:
    """Calls in these networks with a shift that ended after `since` or is still to come
    (open or not): a host's own list, where attendance is confirmed after the day."""
    if not network_ids:
        return []
    recent = select(VolunteerShift.call_id).where(VolunteerShift.ends_at > since)
    rows = await session.scalars(
        select(VolunteerCall)
        .where(
            VolunteerCall.network_id.in_(list(network_ids)),
            VolunteerCall.id.in_(recent),
        )
        .order_by(VolunteerCall.created_at.desc(), VolunteerCall.id.desc())
    )
    return list(rows)


async def hosted_network_ids(
    session: AsyncSession, resident_id: int | None, *, everyone: bool = False
) -> list[int]:
    """The live networks `resident_id` hosts (every live network with `everyone`)."""
    query = select(Network.id).where(Network.archived_at.is_(None))
    if not everyone:
        if resident_id is None:
            return []
        query = query.join(Membership, Membership.network_id == Network.id).where(
            Membership.resident_id == resident_id, Membership.role == MemberRole.HOST
        )
    return list(await session.scalars(query.order_by(Network.id)))


async def starting_between(
    session: AsyncSession, start: datetime, end: datetime
) -> list[VolunteerShift]:
    """Shifts of open calls starting in [start, end) that someone signed up for."""
    rows = await session.scalars(
        select(VolunteerShift)
        .join(VolunteerCall, VolunteerCall.id == VolunteerShift.call_id)
        .where(
            VolunteerCall.status == CallStatus.OPEN,
            VolunteerShift.starts_at >= start,
            VolunteerShift.starts_at < end,
            exists().where(VolunteerSignup.shift_id == VolunteerShift.id),
        )
        .order_by(VolunteerShift.starts_at, VolunteerShift.id)
    )
    return list(rows)
