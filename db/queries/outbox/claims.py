"""Claiming due deliveries: a worker leases what is due, reads what it needs to send it
(address and renderings), and counts what is still waiting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Notice,
    NoticeKind,
    PhoneCode,
    Rendering,
    Resident,
)


@dataclass(frozen=True)
class Claimed:
    id: int
    notice_id: int
    resident_id: int
    chat_id: int | str | None  # a Telegram chat id, or a phone number for SMS
    locale: str
    channel: Channel
    attempts: int


async def claim(
    session: AsyncSession, now: datetime, lease_until: datetime, limit: int, skip_locked: bool
) -> list[Claimed]:
    """Lease up to `limit` due deliveries to this worker.

    A lease, not a lock held for the duration: if the worker dies, the lease runs out and
    another worker (or the restarted one) sends the delivery. On PostgreSQL, SKIP LOCKED lets
    several workers claim side by side without waiting on or taking each other's rows.
    """
    due = (
        select(Delivery.id)
        .where(
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.not_before <= now,
            or_(Delivery.lease_until.is_(None), Delivery.lease_until < now),
        )
        .order_by(Delivery.not_before, Delivery.id)
        .limit(limit)
    )
    if skip_locked:
        due = due.with_for_update(skip_locked=True)
    ids = list((await session.scalars(due)).all())
    if not ids:
        return []
    await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids))
        .values(lease_until=lease_until, attempts=Delivery.attempts + 1)
    )
    rows = await session.execute(
        select(
            Delivery.id,
            Delivery.notice_id,
            Delivery.resident_id,
            Resident.telegram_id,
            Delivery.locale,
            Delivery.channel,
            Delivery.attempts,
            Resident.phone,
            Notice.kind,
            PhoneCode.phone,
        )
        .join(Resident, Resident.id == Delivery.resident_id)
        .join(Notice, Notice.id == Delivery.notice_id)
        .outerjoin(PhoneCode, PhoneCode.resident_id == Delivery.resident_id)
        .where(Delivery.id.in_(ids))
        .order_by(Delivery.not_before, Delivery.id)
    )
    claimed = []
    for r in rows:
        channel = Channel(r[5])
        # STOP drops a resident's waiting SMS and keeps them out of every audience, so what
        # is left for them is the answer to what they sent (the STOP confirmation included).
        # A phone code goes to the number being linked (gone once linked or removed).
        phone = r[9] if r[8] == NoticeKind.PHONE_CODE else r[7]
        address = r[3] if channel is Channel.TELEGRAM else phone
        claimed.append(Claimed(r[0], r[1], r[2], address, r[4], channel, r[6]))
    return claimed


async def renderings(
    session: AsyncSession, keys: set[tuple[int, str, Channel]]
) -> dict[tuple[int, str, Channel], Rendering]:
    if not keys:
        return {}
    notice_ids = {k[0] for k in keys}
    rows = await session.scalars(select(Rendering).where(Rendering.notice_id.in_(notice_ids)))
    return {
        (r.notice_id, r.locale, Channel(r.channel)): r
        for r in rows
        if (r.notice_id, r.locale, Channel(r.channel)) in keys
    }


async def pending_count(session: AsyncSession, now: datetime) -> int:
    result = await session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(and_(Delivery.status == DeliveryStatus.PENDING, Delivery.not_before <= now))
    )
    return int(result or 0)
