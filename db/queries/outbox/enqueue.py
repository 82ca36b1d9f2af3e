"""Writing to the outbox: a notice, its renderings (one per language and channel) and one
delivery per recipient, in bulk. Nothing here commits: the caller's transaction holds the
change that caused the notice and the notice itself together."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Channel, Delivery, DeliveryStatus, Notice, Rendering
from db.queries.outbox.recipients import RecipientRow, residents

# Rows per INSERT statement: large enough to amortise round trips, small enough for SQLite's
# limit on bound parameters.
CHUNK = 500
# Rows per executemany of deliveries: every row is its own execution (no limit on parameters),
# so a batch only bounds the memory of one call; fewer, larger batches save the round trips
# through the driver (aiosqlite's thread, asyncpg's pipeline).
DELIVERY_BATCH = 5000


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


async def add_notices(session: AsyncSession, rows: list[dict[str, object]]) -> list[int]:
    """Insert notices and return their ids in the order given."""
    if not rows:  # an empty parameter list would insert one row of defaults
        return []
    result = await session.execute(
        insert(Notice).returning(Notice.id, sort_by_parameter_order=True), rows
    )
    return list(result.scalars())


async def add_renderings(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(Rendering), rows)


async def add_deliveries(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert delivery rows (the columns of `deliveries` by name). Through the table, not the
    ORM's bulk insert: nothing here needs the ORM, whose per-row bookkeeping was a fifth of a
    town's broadcast."""
    if session.get_bind().dialect.name == "postgresql" and all(r.keys() == _NEW for r in rows):
        for start in range(0, len(rows), DELIVERY_BATCH):
            await _unnest_deliveries(session, rows[start : start + DELIVERY_BATCH])
        return
    table = cast(Table, Delivery.__table__)
    for start in range(0, len(rows), DELIVERY_BATCH):
        await session.execute(insert(table), rows[start : start + DELIVERY_BATCH])


# A new delivery's columns, as the outbox writes them.
_NEW = frozenset(
    {"notice_id", "resident_id", "channel", "locale", "status", "attempts", "not_before"}
)
# PostgreSQL: one statement for a whole batch, its columns as arrays. asyncpg's executemany runs
# the INSERT once per row, and for a town's broadcast the server's share of that was most of
# the enqueue. Enums are stored as their values (db.models.base.enum_column).
_UNNEST = text(
    "INSERT INTO deliveries (notice_id, resident_id, channel, locale, status, attempts, "
    "not_before) SELECT * FROM unnest(CAST(:notice_id AS INTEGER[]), "
    "CAST(:resident_id AS INTEGER[]), CAST(:channel AS VARCHAR[]), CAST(:locale AS VARCHAR[]), "
    "CAST(:status AS VARCHAR[]), CAST(:attempts AS INTEGER[]), "
    "CAST(:not_before AS TIMESTAMP WITH TIME ZONE[]))"
)


def utc(moment: datetime) -> datetime:
    """A moment for an array parameter, which bypasses the column type's own conversion."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the database; use UTC-aware values")
    return moment.astimezone(UTC)


async def _unnest_deliveries(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await session.execute(
        _UNNEST,
        {
            "notice_id": [r["notice_id"] for r in rows],
            "resident_id": [r["resident_id"] for r in rows],
            "channel": [Channel(r["channel"]).value for r in rows],
            "locale": [r["locale"] for r in rows],
            "status": [DeliveryStatus(r["status"]).value for r in rows],
            "attempts": [r["attempts"] for r in rows],
            "not_before": [utc(r["not_before"]) for r in rows],
        },
    )
