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
    NoticeKind,
    NotifyMode,
    PhoneCode,
    Preferences,
    RateSlot,
    Rendering,
    Resident,
)

# Delivery reports after which no other is expected (see bot.delivery.outcomes.FINAL_STATUSES).
FINAL_REPORTS = frozenset({"delivered", "failed", "rejected"})

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
    phone: str | None = None
    on_telegram: bool = True  # False: has blocked the bot (or has no Telegram)

    @property
    def channel(self) -> Channel:
        """Telegram for those we reach there; SMS for SMS-only residents and for those who
        chose it as a fallback once Telegram could not reach them."""
        return (
            Channel.TELEGRAM if self.telegram_id is not None and self.on_telegram else Channel.SMS
        )


def _recipient_query() -> Any:
    return (
        select(
            Resident.id,
            Resident.telegram_id,
            Resident.locale,
            Preferences.notify_mode,
            Preferences.quiet_start,
            Preferences.quiet_end,
            Resident.phone,
            Resident.reachable,
        )
        .outerjoin(Preferences, Preferences.resident_id == Resident.id)
        .where(
            Resident.privacy_accepted_at.is_not(None),
            or_(
                and_(Resident.telegram_id.is_not(None), Resident.reachable.is_(True)),
                and_(
                    sms_reachable(),
                    or_(Resident.telegram_id.is_(None), Resident.sms_fallback.is_(True)),
                ),
            ),
        )
    )


def sms_reachable() -> Any:
    """Residents we may write to by SMS: a number that is theirs, and no STOP."""
    return and_(
        Resident.phone.is_not(None),
        Resident.phone_verified_at.is_not(None),
        Resident.sms_stopped_at.is_(None),
    )


def _rows(rows: Sequence[Any]) -> list[RecipientRow]:
    return [
        RecipientRow(
            r[0], r[1], r[2], NotifyMode(r[3] or NotifyMode.INSTANT), r[4], r[5], r[6], bool(r[7])
        )
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
                "channel": r.channel,
                "locale": r.locale or "nb",
                "status": DeliveryStatus.PENDING,
                "attempts": 0,
                "not_before": now,
            }
            for r in missing
        ],
    )
    return missing


async def rendered(session: AsyncSession, notice_id: int) -> set[tuple[str, Channel]]:
    """The languages and channels a notice is already rendered in."""
    rows = await session.execute(
        select(Rendering.locale, Rendering.channel).where(Rendering.notice_id == notice_id)
    )
    return {(locale, Channel(channel)) for locale, channel in rows}


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
