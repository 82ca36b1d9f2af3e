"""Recording what became of a delivery: sent, failed, unreachable (the resident blocked the
bot, and then perhaps by SMS instead), an SMS's cost and its gateway's delivery reports; and
the reach figures of a notice read back from those outcomes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Channel, Delivery, DeliveryStatus, Notice, NoticeKind, Resident
from db.queries.outbox.enqueue import add_deliveries

# Delivery reports after which no other is expected (see bot.delivery.outcomes.FINAL_STATUSES).
FINAL_REPORTS = frozenset({"delivered", "failed", "rejected"})


async def mark(session: AsyncSession, delivery_id: int, **values: Any) -> None:
    # A plain UPDATE: no ORM objects of deliveries are loaded, so there is nothing to sync.
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )


async def mark_resident_unreachable(session: AsyncSession, resident_id: int, now: datetime) -> None:
    """Stop sending to someone who blocked the bot: them, and everything still queued for them."""
    await session.execute(
        update(Resident)
        .where(Resident.id == resident_id)
        .values(reachable=False, unreachable_since=now)
    )
    await session.execute(
        update(Delivery)
        .where(
            Delivery.resident_id == resident_id,
            Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.HELD]),
            Delivery.channel == Channel.TELEGRAM,
        )
        .values(status=DeliveryStatus.UNREACHABLE, lease_until=None, error="blocked")
    )


async def drop_waiting_sms(session: AsyncSession, resident_id: int, reason: str) -> None:
    """A resident's SMS not yet sent are not sent at all (after STOP, or a removed number)."""
    await session.execute(
        update(Delivery)
        .where(
            Delivery.resident_id == resident_id,
            Delivery.channel == Channel.SMS,
            Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.HELD]),
        )
        .values(status=DeliveryStatus.FAILED, error=reason, lease_until=None)
    )


async def release_held(session: AsyncSession, resident_id: int, now: datetime) -> None:
    """What was held for a resident's digest is sent as soon as it may be; new events stay
    held for the summary of new events (bot.services.events.summary), which tells them in one
    message rather than one by one."""
    new_event = exists().where(Notice.id == Delivery.notice_id, Notice.kind == NoticeKind.EVENT)
    await session.execute(
        update(Delivery)
        .where(
            Delivery.resident_id == resident_id,
            Delivery.status == DeliveryStatus.HELD,
            ~new_event,
        )
        .values(status=DeliveryStatus.PENDING, not_before=now)
    )


async def fall_back_to_sms(
    session: AsyncSession, resident_id: int, notice_id: int, now: datetime
) -> bool:
    """If the resident chose SMS as a fallback (and may get SMS), queue this notice and
    everything else still waiting for them on Telegram by SMS instead."""
    resident = await session.get(Resident, resident_id)
    if (
        resident is None
        or not resident.sms_fallback
        or resident.phone is None
        or resident.phone_verified_at is None
        or resident.sms_stopped_at is not None
    ):
        return False
    waiting = set(
        await session.scalars(
            select(Delivery.notice_id).where(
                Delivery.resident_id == resident_id,
                Delivery.channel == Channel.TELEGRAM,
                Delivery.status == DeliveryStatus.UNREACHABLE,
                Delivery.error == "blocked",
            )
        )
    )
    have = set(
        await session.scalars(
            select(Delivery.notice_id).where(
                Delivery.resident_id == resident_id, Delivery.channel == Channel.SMS
            )
        )
    )
    rows = [
        {
            "notice_id": n,
            "resident_id": resident_id,
            "channel": Channel.SMS,
            "locale": resident.locale or "nb",
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "not_before": now,
        }
        for n in sorted((waiting | {notice_id}) - have)
    ]
    await add_deliveries(session, rows)
    return bool(rows)


async def record_sms(
    session: AsyncSession, delivery_id: int, segments: int, sent_at: datetime
) -> None:
    """What an SMS cost, recorded the moment the gateway took it: the monthly budget counts
    it from then on, not only once the worker records the outcome a little later."""
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(segments=segments, sent_at=sent_at)
    )


async def record_report(
    session: AsyncSession, delivery_id: int, report: str, final_failure: bool, now: datetime
) -> bool:
    """A gateway's delivery report on one of our SMS; False if we sent no such SMS."""
    values: dict[str, Any] = {"report": report, "reported_at": now}
    if final_failure:
        values.update(status=DeliveryStatus.FAILED, error=f"gateway: {report}")
    ours = and_(Delivery.id == delivery_id, Delivery.channel == Channel.SMS)
    known = await session.scalar(select(func.count()).select_from(Delivery).where(ours))
    if not known:
        return False
    # Reports can arrive out of order, and two at once: "submitted" must never overwrite a
    # "delivered" that came first. One conditional UPDATE decides it in the database.
    condition = ours
    if report not in FINAL_REPORTS:
        condition = and_(
            ours, or_(Delivery.report.is_(None), Delivery.report.not_in(FINAL_REPORTS))
        )
    await session.execute(update(Delivery).where(condition).values(**values))
    return True


async def counts(session: AsyncSession, notice_id: int) -> dict[tuple[str, DeliveryStatus], int]:
    """Deliveries of a notice by (locale, status): the reach figures."""
    rows = await session.execute(
        select(Delivery.locale, Delivery.status, func.count())
        .where(Delivery.notice_id == notice_id)
        .group_by(Delivery.locale, Delivery.status)
    )
    return {(r[0], DeliveryStatus(r[1])): int(r[2]) for r in rows}
