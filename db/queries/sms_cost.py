"""What SMS cost: segments sent in a period, a notice's SMS figures, who hears about the budget."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    MemberRole,
    Membership,
    Network,
    Notice,
    NoticeKind,
    Resident,
)
from db.queries import outbox as q


async def segments_used(session: AsyncSession, start: datetime, end: datetime) -> int:
    """Segments of the SMS sent in [start, end): what the gateway bills for the period."""
    result = await session.scalar(
        select(func.coalesce(func.sum(Delivery.segments), 0)).where(
            Delivery.channel == Channel.SMS,
            Delivery.sent_at.is_not(None),
            Delivery.sent_at >= start,
            Delivery.sent_at < end,
        )
    )
    return int(result or 0)


async def notice_kind(session: AsyncSession, notice_id: int) -> NoticeKind | None:
    kind = await session.scalar(select(Notice.kind).where(Notice.id == notice_id))
    return None if kind is None else NoticeKind(kind)


async def notice_sms(
    session: AsyncSession, notice_id: int
) -> tuple[dict[DeliveryStatus, int], int]:
    """A notice's SMS deliveries by status, and the segments those sent have cost."""
    rows = await session.execute(
        select(Delivery.status, func.count(), func.coalesce(func.sum(Delivery.segments), 0))
        .where(Delivery.notice_id == notice_id, Delivery.channel == Channel.SMS)
        .group_by(Delivery.status)
    )
    by_status: dict[DeliveryStatus, int] = {}
    segments = 0
    for status, n, used in rows:
        by_status[DeliveryStatus(status)] = int(n)
        segments += int(used or 0)
    return by_status, segments


async def staff(session: AsyncSession, coordinator_ids: Collection[int]) -> list[q.RecipientRow]:
    """Coordinators (by role or by configured Telegram id) and the hosts of live networks."""
    hosts = (
        select(Membership.resident_id)
        .join(Network, Network.id == Membership.network_id)
        .where(Membership.role == MemberRole.HOST, Network.archived_at.is_(None))
    )
    ids = await session.scalars(
        select(Resident.id).where(
            or_(
                Resident.is_coordinator.is_(True),
                Resident.telegram_id.in_(list(coordinator_ids)),
                Resident.id.in_(hosts),
            )
        )
    )
    return await q.residents(session, list(ids))
