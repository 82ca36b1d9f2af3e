"""The ledger of handled Telegram updates (bot.update_ledger's DatabaseLedger, PostgreSQL):
each statement one that a concurrent instance cannot make succeed twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import UpdateClaim


def _this(bot_id: int, update_id: int) -> ColumnElement[bool]:
    this: ColumnElement[bool] = (UpdateClaim.bot_id == bot_id) & (
        UpdateClaim.update_id == update_id
    )
    return this


async def claim_new(
    session: AsyncSession, bot_id: int, update_id: int, holder: str, until: datetime
) -> bool:
    """Claim an update nobody has claimed yet; False if someone has (or had)."""
    inserted = await session.execute(
        postgresql.insert(UpdateClaim)
        .values(bot_id=bot_id, update_id=update_id, holder=holder, done=False, expires_at=until)
        .on_conflict_do_nothing(index_elements=[UpdateClaim.bot_id, UpdateClaim.update_id])
        .returning(UpdateClaim.update_id)
    )
    return inserted.first() is not None


async def take_lapsed(
    session: AsyncSession,
    bot_id: int,
    update_id: int,
    holder: str,
    now: datetime,
    until: datetime,
) -> bool:
    """Take over a claim past its time (its holder died, or a handled update long forgotten);
    only one taker's UPDATE matches."""
    taken = await session.execute(
        update(UpdateClaim)
        .where(_this(bot_id, update_id), UpdateClaim.expires_at < now)
        .values(holder=holder, done=False, expires_at=until)
        .returning(UpdateClaim.done)
    )
    return taken.first() is not None


async def is_done(session: AsyncSession, bot_id: int, update_id: int) -> bool:
    done = await session.scalar(select(UpdateClaim.done).where(_this(bot_id, update_id)))
    return bool(done)


async def renew(
    session: AsyncSession, bot_id: int, update_id: int, holder: str, until: datetime
) -> None:
    """Extend `holder`'s claim, if it is still theirs and not done."""
    await session.execute(
        update(UpdateClaim)
        .where(_this(bot_id, update_id), UpdateClaim.holder == holder, UpdateClaim.done.is_(False))
        .values(expires_at=until)
    )


async def mark_done(session: AsyncSession, bot_id: int, update_id: int, until: datetime) -> None:
    await session.execute(
        update(UpdateClaim).where(_this(bot_id, update_id)).values(done=True, expires_at=until)
    )
