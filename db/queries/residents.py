"""Residents: lookup, creation, and the privacy export/erase."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Membership, Network, Resident


async def by_telegram_id(session: AsyncSession, telegram_id: int) -> Resident | None:
    return await session.scalar(select(Resident).where(Resident.telegram_id == telegram_id))


async def by_id(session: AsyncSession, resident_id: int) -> Resident | None:
    return await session.get(Resident, resident_id)


async def get_or_create_by_telegram_id(session: AsyncSession, telegram_id: int) -> Resident:
    resident = await by_telegram_id(session, telegram_id)
    if resident is None:
        resident = Resident(telegram_id=telegram_id, is_coordinator=False, reachable=True)
        session.add(resident)
        await session.flush()
    return resident


async def set_reachable(
    session: AsyncSession, telegram_id: int, reachable: bool, since: datetime | None
) -> int:
    result = await session.execute(
        update(Resident)
        .where(Resident.telegram_id == telegram_id)
        .values(reachable=reachable, unreachable_since=since)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def memberships_of(
    session: AsyncSession, resident_id: int
) -> list[tuple[Membership, Network]]:
    rows = await session.execute(
        select(Membership, Network)
        .join(Network, Network.id == Membership.network_id)
        .where(Membership.resident_id == resident_id)
        .order_by(Network.name)
    )
    return [(m, n) for m, n in rows]


async def delete_resident(session: AsyncSession, resident_id: int) -> None:
    # Memberships go by ON DELETE CASCADE; deleting them explicitly as well keeps this correct
    # on a SQLite connection that was opened without foreign keys.
    await session.execute(delete(Membership).where(Membership.resident_id == resident_id))
    await session.execute(delete(Resident).where(Resident.id == resident_id))
