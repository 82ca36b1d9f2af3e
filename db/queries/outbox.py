"""The outbox tables: bulk writes for enqueueing, claiming due deliveries, recording outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Membership,
    Notice,
    NotifyMode,
    Preferences,
    RateSlot,
    Rendering,
    Resident,
)

# Rows per INSERT statement: large enough to amortise round trips, small enough for SQLite's
# limit on bound parameters.
CHUNK = 500


@dataclass(frozen=True)
class RecipientRow:
    resident_id: int
    telegram_id: int | None
    locale: str | None
    notify_mode: NotifyMode
    quiet_start: int | None
    quiet_end: int | None


def _recipient_query() -> Any:
    return (
        select(
            Resident.id,
            Resident.telegram_id,
            Resident.locale,
            Preferences.notify_mode,
            Preferences.quiet_start,
            Preferences.quiet_end,
        )
        .outerjoin(Preferences, Preferences.resident_id == Resident.id)
        .where(
            Resident.reachable.is_(True),
            Resident.privacy_accepted_at.is_not(None),
            Resident.telegram_id.is_not(None),
        )
    )


def _rows(rows: Sequence[Any]) -> list[RecipientRow]:
    return [
        RecipientRow(r[0], r[1], r[2], NotifyMode(r[3] or NotifyMode.INSTANT), r[4], r[5])
        for r in rows
    ]


async def network_members(session: AsyncSession, network_id: int) -> list[RecipientRow]:
    """Members of a network we can reach on Telegram, with their notice preferences."""
    query = _recipient_query().join(Membership, Membership.resident_id == Resident.id)
    return _rows((await session.execute(query.where(Membership.network_id == network_id))).all())


async def residents(session: AsyncSession, resident_ids: Sequence[int]) -> list[RecipientRow]:
    query = _recipient_query().where(Resident.id.in_(resident_ids))
    return _rows((await session.execute(query)).all())


async def everyone(session: AsyncSession) -> list[RecipientRow]:
    """Everyone in at least one live network (a coordinator's broadcast to all)."""
    members = select(Membership.resident_id).distinct()
    query = _recipient_query().where(Resident.id.in_(members))
    return _rows((await session.execute(query)).all())


async def notice(session: AsyncSession, notice_id: int) -> Notice | None:
    return await session.get(Notice, notice_id)


async def notice_by_key(session: AsyncSession, key: str) -> Notice | None:
    return await session.scalar(select(Notice).where(Notice.dedupe_key == key))


async def add_missing_deliveries(
    session: AsyncSession, notice: Notice, resident_ids: Sequence[int], now: datetime
) -> list[RecipientRow]:
    """Deliveries of an existing notice for residents who do not have one yet; returns them
    (the caller renders any language the notice did not need before)."""
    have = set(
        await session.scalars(select(Delivery.resident_id).where(Delivery.notice_id == notice.id))
    )
    missing = [r for r in await residents(session, [i for i in resident_ids if i not in have])]
    if not missing:
        return []
    await add_deliveries(
        session,
        [
            {
                "notice_id": notice.id,
                "resident_id": r.resident_id,
                "channel": Channel.TELEGRAM,
                "locale": r.locale or "nb",
                "status": DeliveryStatus.PENDING,
                "attempts": 0,
                "not_before": now,
            }
            for r in missing
        ],
    )
    return missing


async def rendered_locales(session: AsyncSession, notice_id: int) -> set[str]:
    return set(
        await session.scalars(select(Rendering.locale).where(Rendering.notice_id == notice_id))
    )


async def add_notice(session: AsyncSession, values: dict[str, Any]) -> int:
    result = await session.execute(insert(Notice).values(**values).returning(Notice.id))
    return int(result.scalar_one())


async def add_renderings(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(Rendering), rows)


async def add_deliveries(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(Delivery), rows[start : start + CHUNK])


@dataclass(frozen=True)
class Claimed:
    id: int
    notice_id: int
    resident_id: int
    chat_id: int | None
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
        )
        .join(Resident, Resident.id == Delivery.resident_id)
        .where(Delivery.id.in_(ids))
        .order_by(Delivery.not_before, Delivery.id)
    )
    return [Claimed(r[0], r[1], r[2], r[3], r[4], Channel(r[5]), r[6]) for r in rows]


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


async def counts(session: AsyncSession, notice_id: int) -> dict[tuple[str, DeliveryStatus], int]:
    """Deliveries of a notice by (locale, status): the reach figures."""
    rows = await session.execute(
        select(Delivery.locale, Delivery.status, func.count())
        .where(Delivery.notice_id == notice_id)
        .group_by(Delivery.locale, Delivery.status)
    )
    return {(r[0], DeliveryStatus(r[1])): int(r[2]) for r in rows}


async def pending_count(session: AsyncSession, now: datetime) -> int:
    result = await session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(and_(Delivery.status == DeliveryStatus.PENDING, Delivery.not_before <= now))
    )
    return int(result or 0)


async def reserve_slots(
    session: AsyncSession, name: str, now: datetime, count: int, interval: float
) -> datetime:
    """Reserve `count` sending slots of a shared rate limit; returns when the first is free.

    One row per limit, advanced atomically, so every worker process draws from the same
    budget (the global rate holds however many workers run)."""
    from datetime import timedelta

    row = await session.get(RateSlot, name, with_for_update=True)
    if row is None:
        row = RateSlot(name=name, next_at=now)
        session.add(row)
    start = max(row.next_at, now)
    row.next_at = start + timedelta(seconds=interval * count)
    await session.flush()
    return start
