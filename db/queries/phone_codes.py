"""Codes sent by SMS to link a phone number: how many went out lately, dropping one still
waiting to be sent, forgetting a resident's pending code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Channel, Delivery, DeliveryStatus, Notice, NoticeKind, PhoneCode


async def codes_sent_since(session: AsyncSession, resident_id: int, since: datetime) -> int:
    """Phone codes queued for the resident since `since` (each an SMS that costs money)."""
    found = await session.scalar(
        select(func.count())
        .select_from(Delivery)
        .join(Notice, Notice.id == Delivery.notice_id)
        .where(
            Delivery.resident_id == resident_id,
            Notice.kind == NoticeKind.PHONE_CODE,
            Notice.created_at > since,
        )
    )
    return found or 0


async def drop_waiting_codes(session: AsyncSession, resident_id: int, reason: str) -> None:
    """Fail the resident's phone codes not sent yet (they would go to the number being
    replaced)."""
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
    """The resident's pending code, if any, gone."""
    await session.execute(delete(PhoneCode).where(PhoneCode.resident_id == resident_id))
