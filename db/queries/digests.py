"""The weekly digest's reads and writes. Residents are read in id order, a page at a time, and
everything per resident is loaded for that page only, so memory does not grow with their
number. What the whole week shares (events, open requests, network news) is read once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Block,
    Delivery,
    DeliveryStatus,
    Digest,
    DigestRun,
    Event,
    EventStatus,
    HelpCategory,
    HelperSettings,
    HelpOffer,
    HelpRequest,
    Membership,
    Network,
    Notice,
    NoticeKind,
    Preferences,
    RequestStatus,
    Resident,
    Suspension,
)
from db.queries.outbox import CHUNK, sms_reachable


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


async def count_done(session: AsyncSession, week: str) -> int:
    query = select(func.count()).select_from(Digest).where(Digest.week == week)
    return int(await session.scalar(query) or 0)


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


async def events_between(session: AsyncSession, start: datetime, end: datetime) -> list[Event]:
    """Published events in live networks that start in [start, end), soonest first."""
    rows = await session.scalars(
        select(Event)
        .join(Network, Network.id == Event.network_id)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at >= start,
            Event.starts_at < end,
            Network.archived_at.is_(None),
        )
        .order_by(Event.starts_at, Event.id)
    )
    return list(rows)


async def events_by_id(session: AsyncSession, ids: Sequence[int]) -> list[Event]:
    if not ids:
        return []
    return list(await session.scalars(select(Event).where(Event.id.in_(ids))))


async def open_requests(session: AsyncSession, now: datetime) -> list[HelpRequest]:
    rows = await session.scalars(
        select(HelpRequest)
        .join(Network, Network.id == HelpRequest.network_id)
        .where(
            HelpRequest.status == RequestStatus.OPEN,
            HelpRequest.expires_at > now,
            Network.archived_at.is_(None),
        )
        .order_by(HelpRequest.created_at.desc())
    )
    return list(rows)


async def network_names(session: AsyncSession) -> dict[int, str]:
    return {i: n for i, n in await session.execute(select(Network.id, Network.name))}


async def news(session: AsyncSession, since: datetime) -> dict[int, tuple[int, int]]:
    """Per network since `since`: members who joined, and requests completed."""
    found: dict[int, tuple[int, int]] = {}
    joined = await session.execute(
        select(Membership.network_id, func.count())
        .where(Membership.joined_at >= since)
        .group_by(Membership.network_id)
    )
    for network_id, n in joined:
        found[network_id] = (int(n), 0)
    done = await session.execute(
        select(HelpRequest.network_id, func.count())
        .where(HelpRequest.status == RequestStatus.DONE, HelpRequest.closed_at >= since)
        .group_by(HelpRequest.network_id)
    )
    for network_id, n in done:
        found[network_id] = (found.get(network_id, (0, 0))[0], int(n))
    return found


# ---- writing -----------------------------------------------------------------------------------


async def add_notices(session: AsyncSession, rows: list[dict[str, object]]) -> list[int]:
    """Insert notices and return their ids in the order given."""
    if not rows:  # an empty parameter list would insert one row of defaults
        return []
    result = await session.execute(
        insert(Notice).returning(Notice.id, sort_by_parameter_order=True), rows
    )
    return list(result.scalars())


async def add_digests(session: AsyncSession, rows: list[dict[str, object]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(Digest), rows[start : start + CHUNK])


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
    nothing held is ever lost."""
    off = select(Preferences.resident_id).where(Preferences.digest.is_(False))
    result = await session.execute(
        update(Delivery)
        .where(Delivery.status == DeliveryStatus.HELD, Delivery.resident_id.in_(off))
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
