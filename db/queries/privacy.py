"""The rows behind a resident's rights of access and erasure: what /mydata reads beyond the
resident row itself, and the steps /forget takes before the resident row goes (the foreign keys'
cascades take the rest). Kept apart from `residents` because these reach into every aggregate."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Block,
    Delivery,
    DeliveryStatus,
    Digest,
    HelperSettings,
    HelpOffer,
    HelpRequest,
    HelpResponse,
    Network,
    Notice,
    NoticeKind,
    Rendering,
    Report,
    RequestStatus,
    Resident,
    Suspension,
)

# Notices that carry a neighbour's first name or words to someone else (see `notices.author_id`).
PERSONAL_KINDS = (
    NoticeKind.HELP_REQUEST,
    NoticeKind.HELP_OFFERED,
    NoticeKind.HELP_MATCHED,
    NoticeKind.HELP_RELAY,
    NoticeKind.HELP_DONE,
    NoticeKind.HELP_NUDGE,
    NoticeKind.HELP_EXPIRED,
    # An idea's words (issue 15): to its hosts, its supporters, the coordinators.
    NoticeKind.IDEA,
    NoticeKind.IDEA_STATUS,
    NoticeKind.IDEA_FORWARDED,
    # "Kari withdrew from the shift" (issue 15): to the hosts of a volunteer call.
    NoticeKind.SHIFT_CHANGED,
)


_CHUNK = 1000


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def help_requests_of(session: AsyncSession, resident_id: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(HelpRequest, Network.name)
        .join(Network, Network.id == HelpRequest.network_id)
        .where(HelpRequest.requester_id == resident_id)
        .order_by(HelpRequest.created_at, HelpRequest.id)
    )
    return [
        {
            "network": name,
            "category": r.category.value,
            "description": r.description,
            "needed_on": _iso(r.needed_on),
            "status": r.status.value,
            "created_at": _iso(r.created_at),
            "closed_at": _iso(r.closed_at),
        }
        for r, name in rows
    ]


async def help_given_by(session: AsyncSession, resident_id: int) -> list[dict[str, Any]]:
    """The requests a resident said "I can help" to, and whether they were chosen."""
    rows = await session.execute(
        select(HelpResponse.created_at, HelpRequest.category, HelpRequest.helper_id, Network.name)
        .join(HelpRequest, HelpRequest.id == HelpResponse.request_id)
        .join(Network, Network.id == HelpRequest.network_id)
        .where(HelpResponse.helper_id == resident_id)
        .order_by(HelpResponse.created_at)
    )
    return [
        {
            "network": name,
            "category": category.value,
            "offered_at": _iso(when),
            "chosen": helper == resident_id,
        }
        for when, category, helper, name in rows
    ]


async def help_offers_of(session: AsyncSession, resident_id: int) -> dict[str, Any]:
    rows = await session.execute(
        select(Network.name, HelpOffer.category)
        .join(Network, Network.id == HelpOffer.network_id)
        .where(HelpOffer.resident_id == resident_id)
        .order_by(Network.name, HelpOffer.category)
    )
    settings = await session.get(HelperSettings, resident_id)
    return {
        "categories": [{"network": name, "category": c.value} for name, c in rows],
        "frequency": settings.frequency.value if settings else None,
        "paused": settings.paused if settings else None,
    }


async def blocks_by(session: AsyncSession, resident_id: int) -> list[dict[str, Any]]:
    """Whom a resident blocked, by the first name they were shown."""
    rows = await session.execute(
        select(Resident.first_name, Block.created_at)
        .join(Resident, Resident.id == Block.blocked_id)
        .where(Block.blocker_id == resident_id)
        .order_by(Block.created_at)
    )
    return [{"neighbour": name or "", "since": _iso(when)} for name, when in rows]


async def reports_by(session: AsyncSession, resident_id: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Report, Network.name)
        .join(Network, Network.id == Report.network_id)
        .where(Report.reporter_id == resident_id)
        .order_by(Report.created_at, Report.id)
    )
    return [
        {
            "network": name,
            "about_a_person": r.reported_id is not None,
            "reason": r.reason,
            "created_at": _iso(r.created_at),
            "handled_at": _iso(r.handled_at),
        }
        for r, name in rows
    ]


async def reports_about(session: AsyncSession, resident_id: int) -> int:
    """How many reports name the resident (who reported them, and why, is the reporter's)."""
    count = await session.scalar(
        select(func.count()).select_from(Report).where(Report.reported_id == resident_id)
    )
    return int(count or 0)


async def suspensions_of(session: AsyncSession, resident_id: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Network.name, Suspension.created_at)
        .join(Network, Network.id == Suspension.network_id)
        .where(Suspension.resident_id == resident_id)
        .order_by(Network.name)
    )
    return [{"network": name, "since": _iso(when)} for name, when in rows]


async def relayed_by(session: AsyncSession, resident_id: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Notice.body, Notice.created_at)
        .where(Notice.author_id == resident_id, Notice.kind == NoticeKind.HELP_RELAY)
        .order_by(Notice.created_at, Notice.id)
    )
    return [{"text": body, "sent_at": _iso(when)} for body, when in rows]


async def digest_weeks(session: AsyncSession, resident_id: int) -> list[str]:
    rows = await session.scalars(
        select(Digest.week).where(Digest.resident_id == resident_id).order_by(Digest.week)
    )
    return list(rows)


async def neutralise_authored(
    session: AsyncSession, resident_id: int, neutral: Callable[[str], str]
) -> None:
    """The notices that carry the resident's name or words to others: what was not delivered
    is not sent any more (a notice left with no delivery goes), and what was delivered keeps
    only a neutral text, `neutral(locale)`, in storage."""
    authored = select(Notice.id).where(
        Notice.author_id == resident_id, Notice.kind.in_(PERSONAL_KINDS)
    )
    await session.execute(
        delete(Delivery).where(
            Delivery.notice_id.in_(authored), Delivery.status != DeliveryStatus.SENT
        )
    )
    await _drop_undelivered(session, list(await session.scalars(authored)))
    rows = await session.execute(
        select(Rendering.notice_id, Rendering.locale, Rendering.channel).where(
            Rendering.notice_id.in_(authored)
        )
    )
    for notice_id, locale, channel in rows.all():
        await session.execute(
            update(Rendering)
            .where(
                Rendering.notice_id == notice_id,
                Rendering.locale == locale,
                Rendering.channel == channel,
            )
            .values(text=neutral(locale), markup=None, attachment=None)
        )
    await session.execute(
        update(Notice)
        .where(Notice.author_id == resident_id, Notice.kind.in_(PERSONAL_KINDS))
        .values(author_id=None, body="")
    )


async def drop_received(session: AsyncSession, resident_id: int) -> None:
    """The resident's deliveries, and the notices that were for them alone (a code, an answer
    to their SMS, an offer of help, their own digest)."""
    received = list(
        await session.scalars(
            select(Delivery.notice_id).where(Delivery.resident_id == resident_id).distinct()
        )
    )
    await session.execute(delete(Delivery).where(Delivery.resident_id == resident_id))
    await _drop_undelivered(session, received)


async def _drop_undelivered(session: AsyncSession, notice_ids: Collection[int]) -> None:
    ids = sorted(set(notice_ids))
    for start in range(0, len(ids), _CHUNK):  # bound the number of query parameters
        chunk = ids[start : start + _CHUNK]
        kept = set(
            await session.scalars(
                select(Delivery.notice_id).where(Delivery.notice_id.in_(chunk)).distinct()
            )
        )
        gone = [i for i in chunk if i not in kept]
        if not gone:
            continue
        # The cascades do this too; said here so it holds without foreign keys (SQLite).
        await session.execute(
            update(Digest).where(Digest.notice_id.in_(gone)).values(notice_id=None)
        )
        await session.execute(delete(Rendering).where(Rendering.notice_id.in_(gone)))
        await session.execute(delete(Notice).where(Notice.id.in_(gone)))


async def digest_renderings_with(session: AsyncSession, text: str) -> list[Rendering]:
    """Digest renderings that quote `text` (a request's excerpt)."""
    rows = await session.scalars(
        select(Rendering)
        .join(Notice, Notice.id == Rendering.notice_id)
        .where(Notice.kind == NoticeKind.DIGEST, Rendering.text.contains(text, autoescape=True))
    )
    return list(rows)


async def release_as_helper(session: AsyncSession, resident_id: int) -> None:
    """Requests the resident was chosen to help with open again for others."""
    await session.execute(
        update(HelpRequest)
        .where(
            and_(
                HelpRequest.helper_id == resident_id,
                HelpRequest.status == RequestStatus.MATCHED,
            )
        )
        .values(status=RequestStatus.OPEN, helper_id=None)
    )


async def clear_report_reasons(session: AsyncSession, resident_id: int) -> None:
    """A report stays for the hosts (the request was reported), without the reporter's words."""
    await session.execute(update(Report).where(Report.reporter_id == resident_id).values(reason=""))
