"""Who gets this week's digest, and what is theirs. Residents are read in id order, a page at
a time, and everything per resident (networks, offers, blocks, held notices) is loaded for that
page only, so memory does not grow with their number."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Block,
    Delivery,
    DeliveryStatus,
    Digest,
    HelpCategory,
    HelperSettings,
    HelpOffer,
    Membership,
    Network,
    Notice,
    NoticeKind,
    Preferences,
    Resident,
    Suspension,
)
from db.queries.outbox import sms_reachable


@dataclass(frozen=True)
class DigestResident:
    id: int
    telegram_id: int | None
    phone: str | None
    locale: str | None
    quiet_start: int | None
    quiet_end: int | None


@dataclass(frozen=True)
class HeldRow:
    delivery_id: int
    resident_id: int
    kind: NoticeKind
    network_id: int | None
    event_id: int | None
    body: str


def _among(column: Any, ids: Sequence[int]) -> Any:
    """Rows for a page of residents. Pages are id ranges, so a BETWEEN (with the few others
    in the range dropped by the caller) is much cheaper than an IN list of hundreds."""
    return column.between(min(ids), max(ids))


def _digest_on() -> Any:
    return or_(Preferences.digest.is_(None), Preferences.digest.is_(True))


def _residents() -> Any:
    """The columns of a DigestResident."""
    return select(
        Resident.id,
        Resident.telegram_id,
        Resident.phone,
        Resident.locale,
        Preferences.quiet_start,
        Preferences.quiet_end,
    ).outerjoin(Preferences, Preferences.resident_id == Resident.id)


def _due(week: str) -> Any:
    """Residents who should get this week's digest and have not had it."""
    already = exists().where(Digest.resident_id == Resident.id, Digest.week == week)
    return _residents().where(
        Resident.privacy_accepted_at.is_not(None),
        Resident.reachable.is_(True),
        or_(Resident.telegram_id.is_not(None), sms_reachable()),
        _digest_on(),
        ~already,
    )


async def count_due(session: AsyncSession, week: str) -> int:
    return int(await session.scalar(select(func.count()).select_from(_due(week).subquery())) or 0)


async def due_page(
    session: AsyncSession, week: str, after_id: int, limit: int
) -> list[DigestResident]:
    rows = await session.execute(
        _due(week).where(Resident.id > after_id).order_by(Resident.id).limit(limit)
    )
    return [DigestResident(*row) for row in rows]


async def resident_for_preview(
    session: AsyncSession, *, telegram_id: int | None = None, phone: str | None = None
) -> DigestResident | None:
    query = _residents().where(
        Resident.telegram_id == telegram_id if phone is None else Resident.phone == phone
    )
    row = (await session.execute(query)).first()
    return DigestResident(*row) if row else None


async def memberships(session: AsyncSession, ids: Sequence[int]) -> dict[int, list[int]]:
    """Live networks of each resident."""
    found: dict[int, list[int]] = {}
    rows = await session.execute(
        select(Membership.resident_id, Membership.network_id)
        .join(Network, Network.id == Membership.network_id)
        .where(_among(Membership.resident_id, ids), Network.archived_at.is_(None))
    )
    wanted = set(ids)
    for resident_id, network_id in rows:
        if resident_id in wanted:
            found.setdefault(resident_id, []).append(network_id)
    return found


async def offers(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, set[tuple[int, HelpCategory]]]:
    """What each resident offers, leaving out paused helpers and networks they are suspended
    from: the digest lists requests they could actually answer."""
    suspended = exists().where(
        Suspension.resident_id == HelpOffer.resident_id,
        Suspension.network_id == HelpOffer.network_id,
    )
    rows = await session.execute(
        select(HelpOffer.resident_id, HelpOffer.network_id, HelpOffer.category)
        .outerjoin(HelperSettings, HelperSettings.resident_id == HelpOffer.resident_id)
        .where(
            _among(HelpOffer.resident_id, ids),
            or_(HelperSettings.paused.is_(None), HelperSettings.paused.is_(False)),
            ~suspended,
        )
    )
    found: dict[int, set[tuple[int, HelpCategory]]] = {}
    wanted = set(ids)
    for resident_id, network_id, category in rows:
        if resident_id not in wanted:
            continue
        found.setdefault(resident_id, set()).add((network_id, HelpCategory(category)))
    return found


async def blocks(session: AsyncSession, ids: Sequence[int]) -> dict[int, set[int]]:
    """Whom each resident blocked or was blocked by: neither side hears of the other."""
    found: dict[int, set[int]] = {}
    rows = await session.execute(
        select(Block.blocker_id, Block.blocked_id).where(
            or_(_among(Block.blocker_id, ids), _among(Block.blocked_id, ids))
        )
    )
    # Extra rows for residents outside the page do no harm: they are never looked up.
    for blocker, blocked in rows:
        found.setdefault(blocker, set()).add(blocked)
        found.setdefault(blocked, set()).add(blocker)
    return found


async def held(session: AsyncSession, ids: Sequence[int]) -> list[HeldRow]:
    rows = await session.execute(
        select(
            Delivery.id,
            Delivery.resident_id,
            Notice.kind,
            Notice.network_id,
            Notice.event_id,
            Notice.body,
        )
        .join(Notice, Notice.id == Delivery.notice_id)
        .where(_among(Delivery.resident_id, ids), Delivery.status == DeliveryStatus.HELD)
        .order_by(Delivery.id)
    )
    wanted = set(ids)
    return [
        HeldRow(r[0], r[1], NoticeKind(r[2]), r[3], r[4], r[5] or "")
        for r in rows
        if r[1] in wanted
    ]
