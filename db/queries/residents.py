"""Residents: lookup, creation, and the privacy export/erase."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from db.models import (
    Answer,
    Delivery,
    Event,
    MemberRole,
    Membership,
    Network,
    NotifyMode,
    Preferences,
    Resident,
    Rsvp,
    SeriesRsvp,
)
from db.queries import networks
from db.session import session_now


@dataclass(frozen=True)
class Identity:
    """The few columns every update needs, read without loading an ORM object."""

    id: int
    locale: str | None
    is_coordinator: bool
    privacy_accepted: bool


_IDENTITY = select(
    Resident.id, Resident.locale, Resident.is_coordinator, Resident.privacy_accepted_at
).where(Resident.telegram_id == bindparam("telegram_id"))


async def identity(session: AsyncSession, telegram_id: int) -> Identity | None:
    row = (await session.execute(_IDENTITY, {"telegram_id": telegram_id})).first()
    if row is None:
        return None
    return Identity(row[0], row[1], bool(row[2]), row[3] is not None)


async def create(
    session: AsyncSession, telegram_id: int, locale: str | None, first_name: str | None
) -> int:
    """Insert a resident and return their id (IntegrityError if the Telegram id exists)."""
    result = await session.execute(
        insert(Resident)
        .values(
            telegram_id=telegram_id,
            locale=locale,
            first_name=first_name,
            is_coordinator=False,
            reachable=True,
            created_at=session_now(session),
        )
        .returning(Resident.id)
    )
    return int(result.scalar_one())


async def update_profile(
    session: AsyncSession, telegram_id: int, locale: str, first_name: str | None
) -> int:
    values: dict[str, object] = {"locale": locale, "reachable": True, "unreachable_since": None}
    if first_name is not None:
        values["first_name"] = first_name
    result = await session.execute(
        update(Resident).where(Resident.telegram_id == telegram_id).values(**values)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def mark_privacy_accepted(session: AsyncSession, resident_id: int) -> int:
    result = await session.execute(
        update(Resident)
        .where(Resident.id == resident_id, Resident.privacy_accepted_at.is_(None))
        .values(privacy_accepted_at=session_now(session))
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def by_telegram_id(session: AsyncSession, telegram_id: int) -> Resident | None:
    return await session.scalar(select(Resident).where(Resident.telegram_id == telegram_id))


async def by_phone(session: AsyncSession, phone: str) -> Resident | None:
    """The resident with this number (E.164), verified or not."""
    return await session.scalar(select(Resident).where(Resident.phone == phone))


async def by_id(session: AsyncSession, resident_id: int) -> Resident | None:
    return await session.get(Resident, resident_id)


async def get_or_create_by_telegram_id(session: AsyncSession, telegram_id: int) -> Resident:
    resident = await by_telegram_id(session, telegram_id)
    if resident is None:
        resident = Resident(telegram_id=telegram_id, is_coordinator=False, reachable=True)
        session.add(resident)
        await session.flush()
    return resident


async def set_reachable(
    session: AsyncSession, telegram_id: int, reachable: bool, since: datetime | None
) -> int:
    result = await session.execute(
        update(Resident)
        .where(Resident.telegram_id == telegram_id)
        .values(reachable=reachable, unreachable_since=since)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def memberships_of(
    session: AsyncSession, resident_id: int
) -> list[tuple[Membership, Network]]:
    rows = await session.execute(
        select(Membership, Network)
        .join(Network, Network.id == Membership.network_id)
        .where(Membership.resident_id == resident_id)
        .order_by(Network.name)
    )
    return [(m, n) for m, n in rows]


async def delete_resident(session: AsyncSession, resident_id: int) -> None:
    # Memberships go by ON DELETE CASCADE; deleting them explicitly as well keeps this correct
    # on a SQLite connection that was opened without foreign keys.
    # Their networks count them as gone today: the member count over time stays true.
    for network_id in await session.scalars(
        select(Membership.network_id).where(Membership.resident_id == resident_id)
    ):
        await networks.count_members(session, network_id, left=1)
    await session.execute(delete(Membership).where(Membership.resident_id == resident_id))
    await session.execute(delete(Resident).where(Resident.id == resident_id))


async def preferences_of(session: AsyncSession, resident_id: int) -> dict[str, object]:
    row = await session.get(Preferences, resident_id)
    if row is None:
        return {}
    return {
        "notices": NotifyMode(row.notify_mode).value,
        "quiet_hours": f"{row.quiet_start // 60:02d}:{row.quiet_start % 60:02d}-"
        f"{row.quiet_end // 60:02d}:{row.quiet_end % 60:02d}",
        "weekly_digest": "on" if row.digest else "off",
    }


async def event_answers_of(session: AsyncSession, resident_id: int) -> list[dict[str, object]]:
    rows = await session.execute(
        select(Event.title, Event.starts_at, Rsvp.answer, Rsvp.updated_at)
        .join(Rsvp, Rsvp.event_id == Event.id)
        .where(Rsvp.resident_id == resident_id)
        .order_by(Event.starts_at)
    )
    answers: list[dict[str, object]] = [
        {
            "event": title,
            "starts_at": starts.isoformat(),
            "answer": Answer(answer).value,
            "answered_at": when.isoformat(),
        }
        for title, starts, answer, when in rows
    ]
    return answers + await _series_answers_of(session, resident_id)


async def _series_answers_of(session: AsyncSession, resident_id: int) -> list[dict[str, object]]:
    """Answers to every date of a recurring event: named by its first date still stored."""
    rows = await session.execute(
        select(
            SeriesRsvp.series_id,
            Event.title,
            Event.starts_at,
            SeriesRsvp.answer,
            SeriesRsvp.updated_at,
        )
        .join(SeriesRsvp, SeriesRsvp.series_id == Event.series_id)
        .where(SeriesRsvp.resident_id == resident_id)
        .order_by(SeriesRsvp.series_id, Event.starts_at)
    )
    found: dict[int, dict[str, object]] = {}
    for series_id, title, starts, answer, when in rows:
        found.setdefault(
            int(series_id),
            {
                "event": title,
                "starts_at": starts.isoformat(),
                "every_date": True,
                "answer": Answer(answer).value,
                "answered_at": when.isoformat(),
            },
        )
    return list(found.values())


async def deliveries_count(session: AsyncSession, resident_id: int) -> int:
    count = await session.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.resident_id == resident_id)
    )
    return int(count or 0)


@dataclass(frozen=True)
class Listed:
    """A resident as the operator's lists show them: who, not what they wrote."""

    id: int
    telegram_id: int | None
    phone: str | None
    first_name: str | None
    locale: str | None
    is_coordinator: bool
    created_at: datetime
    networks: tuple[str, ...]  # slugs, in order
    role: MemberRole | None = None  # in the one network listed, when one is


async def listing_page(
    session: AsyncSession,
    *,
    after_id: int,
    limit: int,
    network_id: int | None = None,
    sms_only: bool | None = None,
) -> list[Listed]:
    """Up to `limit` residents with an id above `after_id`, by id: a page of a list read by
    keyset (the next page starts after the last id), so page 50 costs what page 1 does and
    nothing holds the whole list. With `network_id` only its members (and their role there);
    with `sms_only` those with no Telegram account (True) or with one (False)."""
    query = (
        select(
            Resident.id,
            Resident.telegram_id,
            Resident.phone,
            Resident.first_name,
            Resident.locale,
            Resident.is_coordinator,
            Resident.created_at,
        )
        .where(Resident.id > after_id)
        .order_by(Resident.id)
        .limit(limit)
    )
    if network_id is not None:
        query = query.add_columns(Membership.role).join(
            Membership,
            (Membership.resident_id == Resident.id) & (Membership.network_id == network_id),
        )
    if sms_only is not None:
        query = query.where(
            Resident.telegram_id.is_(None) if sms_only else Resident.telegram_id.is_not(None)
        )
    # Rows, not typed tuples: the role column is there only with `network_id`.
    rows: list[Any] = list((await session.execute(query)).all())
    if not rows:
        return []
    slugs: dict[int, list[str]] = {}
    found = await session.execute(
        select(Membership.resident_id, Network.slug)
        .join(Network, Network.id == Membership.network_id)
        .where(Membership.resident_id.in_([row[0] for row in rows]))
        .order_by(Membership.resident_id, Network.slug)
    )
    for resident_id, slug in found:
        slugs.setdefault(int(resident_id), []).append(slug)
    return [
        Listed(
            id=int(row[0]),
            telegram_id=row[1],
            phone=row[2],
            first_name=row[3],
            locale=row[4],
            is_coordinator=bool(row[5]),
            created_at=row[6],
            networks=tuple(slugs.get(int(row[0]), ())),
            role=MemberRole(row[7]) if network_id is not None else None,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class HostRow:
    network_slug: str
    resident_id: int
    telegram_id: int | None
    first_name: str | None
    locale: str | None
    joined_at: datetime


async def hosts(session: AsyncSession, network_id: int | None = None) -> list[HostRow]:
    """The hosts of one network, or of every live one, by network and name. A few per network:
    read whole."""
    query = (
        select(
            Network.slug,
            Resident.id,
            Resident.telegram_id,
            Resident.first_name,
            Resident.locale,
            Membership.joined_at,
        )
        .join(Membership, Membership.network_id == Network.id)
        .join(Resident, Resident.id == Membership.resident_id)
        .where(Membership.role == MemberRole.HOST)
        .order_by(Network.slug, Resident.first_name, Resident.id)
    )
    if network_id is None:
        query = query.where(Network.archived_at.is_(None))
    else:
        query = query.where(Network.id == network_id)
    return [
        HostRow(slug, int(rid), tid, name, locale, joined)
        for slug, rid, tid, name, locale, joined in await session.execute(query)
    ]


@dataclass(frozen=True)
class CoordinatorRow:
    resident_id: int
    telegram_id: int | None
    first_name: str | None
    locale: str | None
    is_coordinator: bool  # the role as stored; COORDINATOR_IDS grants it too


async def coordinators(
    session: AsyncSession, telegram_ids: Collection[int]
) -> list[CoordinatorRow]:
    """Residents with the coordinator role stored, and those whose Telegram id is one of
    `telegram_ids` (the COORDINATOR_IDS setting), by Telegram id."""
    condition: ColumnElement[bool] = Resident.is_coordinator.is_(True)
    if telegram_ids:
        condition = or_(condition, Resident.telegram_id.in_(sorted(telegram_ids)))
    rows = await session.execute(
        select(
            Resident.id,
            Resident.telegram_id,
            Resident.first_name,
            Resident.locale,
            Resident.is_coordinator,
        )
        .where(condition)
        .order_by(Resident.telegram_id, Resident.id)
    )
    return [
        CoordinatorRow(int(rid), tid, name, locale, bool(flag))
        for rid, tid, name, locale, flag in rows
    ]
