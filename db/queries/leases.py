"""Leases in the database: a name, who holds it, and until when."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Lease


async def take(
    session: AsyncSession, name: str, holder: str, now: datetime, length: timedelta
) -> bool:
    """Take or renew the lease if it is free, expired or already ours. Commits."""
    result = await session.execute(
        update(Lease)
        .where(Lease.name == name, or_(Lease.holder == holder, Lease.expires_at < now))
        .values(holder=holder, expires_at=now + length)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        await session.commit()
        return True
    try:
        session.add(Lease(name=name, holder=holder, expires_at=now + length))
        await session.commit()
    except IntegrityError:
        # Someone holds it (or made the row a moment before us).
        await session.rollback()
        return False
    return True


async def release(session: AsyncSession, name: str, holder: str) -> None:
    await session.execute(
        update(Lease)
        .where(Lease.name == name, Lease.holder == holder)
        .values(expires_at=datetime(2000, 1, 1).astimezone())
        .execution_options(synchronize_session=False)
    )
    await session.commit()
