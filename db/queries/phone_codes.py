"""Phone codes: the pending code of a resident linking a number, and the SMS that carry codes
(counted for the hourly limit, dropped when a new code replaces an old one)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Channel, Delivery, DeliveryStatus, Notice, NoticeKind, PhoneCode


async def sent_since(session: AsyncSession, resident_id: int, since: datetime) -> int:
    """How many codes were queued for a resident after `since`."""
    count = await session.scalar(
        select(func.count())
        .select_from(Delivery)
        .join(Notice, Notice.id == Delivery.notice_id)
        .where(
            Delivery.resident_id == resident_id,
            Notice.kind == NoticeKind.PHONE_CODE,
            Notice.created_at > since,
        )
    )
    return int(count or 0)


async def drop_unsent(session: AsyncSession, resident_id: int, reason: str) -> None:
    """A resident's codes still waiting to go out by SMS are not sent at all."""
    codes = select(Notice.id).where(Notice.kind == NoticeKind.PHONE_CODE)
    await session.execute(
        update(Delivery)
        .where(
            Delivery.resident_id == resident_id,
            Delivery.channel == Channel.SMS,
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.notice_id.in_(codes),
        )
        .values(status=DeliveryStatus.FAILED, error=reason, lease_until=None)
    )


async def forget(session: AsyncSession, resident_id: int) -> None:
    """Delete a resident's pending code, if any."""
    await session.execute(delete(PhoneCode).where(PhoneCode.resident_id == resident_id))
