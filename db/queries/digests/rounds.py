"""A digest round's records: the row per resident and week that makes a digest once only,
held deliveries told by a digest, and the `digest_runs` row per week that lets a missed round
be caught up once."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, exists, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Delivery,
    DeliveryStatus,
    Digest,
    DigestRun,
    Notice,
    NoticeKind,
    Preferences,
)
from db.queries.outbox import CHUNK
from db.queries.outbox.enqueue import DELIVERY_BATCH, utc


async def count_done(session: AsyncSession, week: str) -> int:
    query = select(func.count()).select_from(Digest).where(Digest.week == week)
    return int(await session.scalar(query) or 0)


async def add_digests(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert `digests` rows: an executemany through the table (no limit on parameters, and
    none of the ORM's per-row bookkeeping, which nothing here needs); on PostgreSQL one
    statement per batch with each column as an array, as for deliveries (asyncpg's executemany
    runs the INSERT once per row)."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    table = cast(Table, Digest.__table__)
    for start in range(0, len(rows), DELIVERY_BATCH):
        batch = rows[start : start + DELIVERY_BATCH]
        if postgresql and all(r.keys() == _DIGEST_COLUMNS for r in batch):
            await session.execute(
                _UNNEST_DIGESTS,
                {
                    "resident_id": [r["resident_id"] for r in batch],
                    "week": [r["week"] for r in batch],
                    "notice_id": [r["notice_id"] for r in batch],
                    "created_at": [utc(r["created_at"]) for r in batch],
                },
            )
        else:
            await session.execute(insert(table), batch)


_DIGEST_COLUMNS = frozenset({"resident_id", "week", "notice_id", "created_at"})
_UNNEST_DIGESTS = text(
    "INSERT INTO digests (resident_id, week, notice_id, created_at) "
    "SELECT * FROM unnest(CAST(:resident_id AS INTEGER[]), CAST(:week AS VARCHAR[]), "
    "CAST(:notice_id AS INTEGER[]), CAST(:created_at AS TIMESTAMP WITH TIME ZONE[]))"
)


async def mark_held_sent(
    session: AsyncSession, delivery_ids: list[int], week: str, now: datetime
) -> None:
    """Held deliveries told in a digest count as delivered, by that week's digest."""
    for start in range(0, len(delivery_ids), CHUNK):
        await session.execute(
            update(Delivery)
            .where(
                Delivery.id.in_(delivery_ids[start : start + CHUNK]),
                Delivery.status == DeliveryStatus.HELD,
            )
            .values(status=DeliveryStatus.SENT, sent_at=now, external_id=f"digest:{week}")
        )


async def release_held_without_digest(session: AsyncSession, now: datetime) -> int:
    """Residents who turned the digest off get what was held for them one by one instead:
    nothing held is ever lost. Not new events: the daily cap held those back for the
    summary of new events (bot.services.events.summary), which tells them all in one."""
    off = select(Preferences.resident_id).where(Preferences.digest.is_(False))
    new_event = exists().where(Notice.id == Delivery.notice_id, Notice.kind == NoticeKind.EVENT)
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.status == DeliveryStatus.HELD,
            Delivery.resident_id.in_(off),
            ~new_event,
        )
        .values(status=DeliveryStatus.PENDING, not_before=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def run_state(session: AsyncSession, week: str) -> DigestRun | None:
    return await session.get(DigestRun, week)


async def start_run(session: AsyncSession, week: str, now: datetime) -> None:
    if await session.get(DigestRun, week) is not None:
        return
    try:
        async with session.begin_nested():
            await session.execute(insert(DigestRun).values(week=week, started_at=now))
    except IntegrityError:
        pass  # another process started the same round a moment ago


async def finish_run(session: AsyncSession, week: str, now: datetime) -> None:
    await session.execute(
        update(DigestRun)
        .where(DigestRun.week == week, DigestRun.finished_at.is_(None))
        .values(finished_at=now)
    )


async def forget_week(session: AsyncSession, week: str) -> None:
    """For tests and benchmarks: let a week's digest run again."""
    await session.execute(delete(Digest).where(Digest.week == week))
    await session.execute(delete(DigestRun).where(DigestRun.week == week))
