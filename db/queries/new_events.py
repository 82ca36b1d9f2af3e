"""The flood guard's reads and writes: how many new-event notices a network has had today, and
the new-event deliveries held back for a resident's summary (bot.services.events.summary)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Delivery, DeliveryStatus, Notice, NoticeKind, NotifyMode, Preferences
from db.queries.outbox import CHUNK


@dataclass(frozen=True)
class HeldEvent:
    delivery_id: int
    resident_id: int
    network_id: int | None
    event_id: int | None


async def event_notices_since(
    session: AsyncSession, network_id: int, since: datetime, kind: NoticeKind = NoticeKind.EVENT
) -> int:
    """Notices of `kind` (new events; volunteer calls and polls have caps of their own)
    written for the network since `since`, announced or held back: the flood guard's count."""
    query = (
        select(func.count())
        .select_from(Notice)
        .where(
            Notice.kind == kind,
            Notice.network_id == network_id,
            Notice.created_at >= since,
        )
    )
    return int(await session.scalar(query) or 0)


def _held(before: datetime) -> Any:
    """Held new-event deliveries that are the summary's: of events published before `before`
    (the summary's moment), to residents who did not choose "digest only" (theirs wait for the
    weekly digest, as they asked)."""
    return (
        select(Delivery.id, Delivery.resident_id, Notice.network_id, Notice.event_id)
        .join(Notice, Notice.id == Delivery.notice_id)
        .outerjoin(Preferences, Preferences.resident_id == Delivery.resident_id)
        .where(
            Delivery.status == DeliveryStatus.HELD,
            Notice.kind == NoticeKind.EVENT,
            Notice.created_at < before,
            or_(Preferences.notify_mode.is_(None), Preferences.notify_mode != NotifyMode.DIGEST),
        )
    )


async def residents_with_held(
    session: AsyncSession, before: datetime, after_id: int, limit: int
) -> list[int]:
    """A page of residents (in id order, after `after_id`) with held new-event deliveries."""
    held = _held(before).subquery()
    rows = await session.scalars(
        select(held.c.resident_id)
        .where(held.c.resident_id > after_id)
        .distinct()
        .order_by(held.c.resident_id)
        .limit(limit)
    )
    return list(rows)


async def held(
    session: AsyncSession, resident_ids: Sequence[int], before: datetime
) -> list[HeldEvent]:
    found: list[HeldEvent] = []
    for start in range(0, len(resident_ids), CHUNK):
        chunk = resident_ids[start : start + CHUNK]
        rows = await session.execute(
            _held(before).where(Delivery.resident_id.in_(chunk)).order_by(Delivery.id)
        )
        found += [HeldEvent(*row) for row in rows]
    return found


async def existing_keys(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Which of these notice dedupe keys are taken (summaries already written)."""
    found: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        rows = await session.scalars(
            select(Notice.dedupe_key).where(Notice.dedupe_key.in_(keys[start : start + CHUNK]))
        )
        found.update(key for key in rows if key is not None)
    return found


async def mark_summarized(
    session: AsyncSession, delivery_ids: Sequence[int], now: datetime, note: str
) -> int:
    """Held deliveries told in a summary count as delivered by it (`note` says which), as the
    digest does with what it tells. Only rows still held change: the number changed tells the
    caller whether another round (or the digest) got there first."""
    changed = 0
    for start in range(0, len(delivery_ids), CHUNK):
        result = await session.execute(
            update(Delivery)
            .where(
                Delivery.id.in_(delivery_ids[start : start + CHUNK]),
                Delivery.status == DeliveryStatus.HELD,
            )
            .values(status=DeliveryStatus.SENT, sent_at=now, external_id=note)
            .execution_options(synchronize_session=False)
        )
        changed += int(getattr(result, "rowcount", 0) or 0)
    return changed
