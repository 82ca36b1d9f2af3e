"""Signups for shifts: signing up (never past a shift's slots, however many press at once),
withdrawing, who is signed up, and who came.

Signing up is the one write that must hold under concurrency: `sign_up_if_room` starts its
transaction with a write on the shift's row (a row lock on PostgreSQL, the write lock on
SQLite) and inserts with a condition on the count in the same statement, so the count is
checked where the row is written."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Resident,
    VolunteerShift,
    VolunteerSignup,
)


async def sign_up_if_room(
    session: AsyncSession,
    shift_id: int,
    resident_id: int,
    *,
    channel: str,
    show_name: bool,
    now: datetime,
) -> bool:
    """Add the signup if the shift has a free slot; False (nothing written) when it is full.

    Call it at the start of a transaction (the caller commits its reads first): the shift's
    row is locked first, and the insert carries the count as its condition, so two
    neighbours taking the last slot at once cannot both get it."""
    # A write that changes nothing, as the transaction's first statement: it takes the
    # shift's row lock (PostgreSQL) or the database's write lock (SQLite, waiting its busy
    # timeout) before the count is read, so no one else's signup slips in between.
    slots = await session.scalar(
        update(VolunteerShift)
        .where(VolunteerShift.id == shift_id)
        .values(slots=VolunteerShift.slots)
        .returning(VolunteerShift.slots)
    )
    if slots is None:
        return False
    count = (
        select(func.count())
        .select_from(VolunteerSignup)
        .where(VolunteerSignup.shift_id == shift_id)
        .scalar_subquery()
    )
    columns = ("shift_id", "resident_id", "channel", "show_name", "created_at")
    source = select(
        literal(shift_id), literal(resident_id), literal(channel), literal(show_name), literal(now)
    ).where(count < slots)
    statement = VolunteerSignup.__table__.insert().from_select(columns, source)  # type: ignore[attr-defined]
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def signup(session: AsyncSession, shift_id: int, resident_id: int) -> VolunteerSignup | None:
    return await session.scalar(
        select(VolunteerSignup).where(
            VolunteerSignup.shift_id == shift_id, VolunteerSignup.resident_id == resident_id
        )
    )


async def last_name_choice(session: AsyncSession, resident_id: int) -> bool | None:
    """Whether the resident let others see their first name the last time they signed up
    (None: they never signed up, so they are asked)."""
    return await session.scalar(
        select(VolunteerSignup.show_name)
        .where(VolunteerSignup.resident_id == resident_id)
        .order_by(VolunteerSignup.created_at.desc(), VolunteerSignup.id.desc())
        .limit(1)
    )


async def withdraw(session: AsyncSession, shift_id: int, resident_id: int) -> bool:
    result = await session.execute(
        delete(VolunteerSignup).where(
            VolunteerSignup.shift_id == shift_id, VolunteerSignup.resident_id == resident_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SignupRow:
    signup_id: int
    resident_id: int | None
    first_name: str | None
    show_name: bool
    attended: bool | None


async def signups(session: AsyncSession, shift_id: int) -> list[SignupRow]:
    """A shift's signups in the order they came, with first names."""
    rows = await session.execute(
        select(
            VolunteerSignup.id,
            VolunteerSignup.resident_id,
            Resident.first_name,
            VolunteerSignup.show_name,
            VolunteerSignup.attended,
        )
        .outerjoin(Resident, Resident.id == VolunteerSignup.resident_id)
        .where(VolunteerSignup.shift_id == shift_id)
        .order_by(VolunteerSignup.created_at, VolunteerSignup.id)
    )
    return [SignupRow(*row) for row in rows.all()]


async def resident_ids(session: AsyncSession, shift_ids: Collection[int]) -> list[int]:
    """Those signed up for any of these shifts, each once."""
    if not shift_ids:
        return []
    rows = await session.scalars(
        select(VolunteerSignup.resident_id)
        .where(
            VolunteerSignup.shift_id.in_(list(shift_ids)),
            VolunteerSignup.resident_id.is_not(None),
        )
        .distinct()
    )
    return [r for r in rows if r is not None]


async def set_attended(session: AsyncSession, shift_id: int, came: Collection[int]) -> None:
    """Mark who of the shift's signups came (signup ids in `came`) and who did not."""
    await session.execute(
        update(VolunteerSignup)
        .where(VolunteerSignup.shift_id == shift_id)
        .values(attended=VolunteerSignup.id.in_(list(came)) if came else False)
    )


async def first_name(session: AsyncSession, resident_id: int) -> str | None:
    return await session.scalar(select(Resident.first_name).where(Resident.id == resident_id))
