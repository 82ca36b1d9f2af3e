"""What volunteering leaves on record: the month's figures per network (aggregates only), the
operator's list of calls, a resident's signups for /mydata, what /forget removes, and what
retention deletes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    CallStatus,
    Network,
    VolunteerCall,
    VolunteerShift,
    VolunteerSignup,
)


@dataclass(frozen=True)
class MonthRow:
    """A network's volunteering in a month: aggregates only, never who."""

    network_id: int
    network: str
    calls: int
    shifts: int
    signups: int
    came: int
    hours: float


async def month(session: AsyncSession, start: datetime, end: datetime) -> list[MonthRow]:
    """Per network, the shifts that started in [start, end) of calls not cancelled: how many
    calls and shifts, signups, people who came (confirmed) and their hours."""
    rows = await session.execute(
        select(
            Network.id,
            Network.name,
            VolunteerShift.call_id,
            VolunteerShift.id,
            VolunteerShift.starts_at,
            VolunteerShift.ends_at,
            func.count(VolunteerSignup.id),
            func.count(VolunteerSignup.id).filter(
                and_(VolunteerShift.confirmed_at.is_not(None), VolunteerSignup.attended.is_(True))
            ),
        )
        .join(VolunteerCall, VolunteerCall.id == VolunteerShift.call_id)
        .join(Network, Network.id == VolunteerCall.network_id)
        .outerjoin(VolunteerSignup, VolunteerSignup.shift_id == VolunteerShift.id)
        .where(
            VolunteerCall.status == CallStatus.OPEN,
            VolunteerShift.starts_at >= start,
            VolunteerShift.starts_at < end,
        )
        .group_by(
            Network.id,
            Network.name,
            VolunteerShift.call_id,
            VolunteerShift.id,
            VolunteerShift.starts_at,
            VolunteerShift.ends_at,
        )
    )
    totals: dict[int, dict[str, object]] = {}
    for network_id, name, call_id, _shift, starts, ends, signed, came in rows.all():
        row = totals.setdefault(
            network_id,
            {"name": name, "calls": set(), "shifts": 0, "signups": 0, "came": 0, "hours": 0.0},
        )
        row["calls"].add(call_id)  # type: ignore[attr-defined]
        row["shifts"] = int(row["shifts"]) + 1  # type: ignore[call-overload]
        row["signups"] = int(row["signups"]) + int(signed)  # type: ignore[call-overload]
        row["came"] = int(row["came"]) + int(came)  # type: ignore[call-overload]
        hours = (ends - starts).total_seconds() / 3600 * int(came)
        row["hours"] = float(row["hours"]) + hours  # type: ignore[arg-type]
    return sorted(
        (
            MonthRow(
                network_id,
                str(row["name"]),
                len(row["calls"]),  # type: ignore[arg-type]
                int(row["shifts"]),  # type: ignore[call-overload]
                int(row["signups"]),  # type: ignore[call-overload]
                int(row["came"]),  # type: ignore[call-overload]
                round(float(row["hours"]), 2),  # type: ignore[arg-type]
            )
            for network_id, row in totals.items()
        ),
        key=lambda r: r.network.casefold(),
    )


@dataclass(frozen=True)
class KeptSignup:
    """A signup as /mydata shows it."""

    call: str
    network: str
    starts_at: datetime
    ends_at: datetime
    show_name: bool
    attended: bool | None
    confirmed: bool


async def of_resident(session: AsyncSession, resident_id: int) -> list[KeptSignup]:
    rows = await session.execute(
        select(
            VolunteerCall.title,
            Network.name,
            VolunteerShift.starts_at,
            VolunteerShift.ends_at,
            VolunteerSignup.show_name,
            VolunteerSignup.attended,
            VolunteerShift.confirmed_at.is_not(None),
        )
        .join(VolunteerShift, VolunteerShift.id == VolunteerSignup.shift_id)
        .join(VolunteerCall, VolunteerCall.id == VolunteerShift.call_id)
        .join(Network, Network.id == VolunteerCall.network_id)
        .where(VolunteerSignup.resident_id == resident_id)
        .order_by(VolunteerShift.starts_at, VolunteerSignup.id)
    )
    return [KeptSignup(*row) for row in rows.all()]


async def drop_uncounted(session: AsyncSession, resident_id: int) -> None:
    """For /forget: the resident's signups that count no hours (not confirmed, still to come,
    or confirmed as not come) go, so their slots are free again; a confirmed "came" stays
    and loses its resident when the resident row goes (the foreign key sets it to NULL)."""
    counted = (
        select(VolunteerSignup.id)
        .join(VolunteerShift, VolunteerShift.id == VolunteerSignup.shift_id)
        .where(
            VolunteerSignup.resident_id == resident_id,
            VolunteerShift.confirmed_at.is_not(None),
            VolunteerSignup.attended.is_(True),
        )
    )
    await session.execute(
        delete(VolunteerSignup).where(
            VolunteerSignup.resident_id == resident_id, VolunteerSignup.id.not_in(counted)
        )
    )


async def calls_created_by(session: AsyncSession, resident_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(VolunteerCall)
            .where(VolunteerCall.created_by == resident_id)
        )
        or 0
    )


async def old_calls(session: AsyncSession, before: datetime) -> int:
    """Delete calls whose last shift ended before `before` (their shifts and signups go with
    them by cascade): history, like past events. Returns how many calls went."""
    last = (
        select(VolunteerShift.call_id)
        .group_by(VolunteerShift.call_id)
        .having(func.max(VolunteerShift.ends_at) < before)
    )
    result = await session.execute(delete(VolunteerCall).where(VolunteerCall.id.in_(last)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def listing(session: AsyncSession, since: datetime) -> list[Sequence[object]]:
    """Calls with a shift after `since` for the operator's list: id, network, title, status,
    shifts, slots, signups (no names)."""
    slots = (
        select(
            VolunteerShift.call_id,
            func.count(VolunteerShift.id).label("shifts"),
            func.sum(VolunteerShift.slots).label("slots"),
            func.min(VolunteerShift.starts_at).label("first"),
        )
        .group_by(VolunteerShift.call_id)
        .having(func.max(VolunteerShift.ends_at) > since)
        .subquery()
    )
    signed = (
        select(VolunteerShift.call_id, func.count(VolunteerSignup.id).label("signups"))
        .join(VolunteerSignup, VolunteerSignup.shift_id == VolunteerShift.id)
        .group_by(VolunteerShift.call_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            VolunteerCall.id,
            Network.slug,
            VolunteerCall.title,
            VolunteerCall.status,
            slots.c.first,
            slots.c.shifts,
            slots.c.slots,
            func.coalesce(signed.c.signups, 0),
        )
        .join(slots, slots.c.call_id == VolunteerCall.id)
        .join(Network, Network.id == VolunteerCall.network_id)
        .outerjoin(signed, signed.c.call_id == VolunteerCall.id)
        .order_by(slots.c.first, VolunteerCall.id)
    )
    return [tuple(row) for row in rows.all()]
