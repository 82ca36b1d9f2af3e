"""Neighbour help: offers, requests, reports and the figures coordinators see. The rules
(who may ask, offer, see or moderate) live in `bot.services.help`; this module only reads and
writes the rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    HelpCategory,
    HelperSettings,
    HelpFrequency,
    HelpOffer,
    HelpRequest,
    MemberRole,
    Membership,
    Report,
    RequestStatus,
    Suspension,
)


async def drop_offers(session: AsyncSession, resident_id: int, network_id: int) -> None:
    """Forget what a resident offers in one network (before writing the new choice)."""
    await session.execute(
        delete(HelpOffer).where(
            HelpOffer.resident_id == resident_id, HelpOffer.network_id == network_id
        )
    )


async def offers_of(session: AsyncSession, resident_id: int) -> list[tuple[int, HelpCategory]]:
    """(network id, category) for everything a resident offers."""
    rows = await session.execute(
        select(HelpOffer.network_id, HelpOffer.category).where(HelpOffer.resident_id == resident_id)
    )
    return [(int(network_id), HelpCategory(category)) for network_id, category in rows]


async def helpers_for(
    session: AsyncSession, network_id: int, category: HelpCategory
) -> list[tuple[int, HelpFrequency | None, bool | None]]:
    """(resident id, frequency, paused) of everyone offering `category` in a network; the
    last two are None for a helper who never chose them."""
    rows = await session.execute(
        select(HelpOffer.resident_id, HelperSettings.frequency, HelperSettings.paused)
        .outerjoin(HelperSettings, HelperSettings.resident_id == HelpOffer.resident_id)
        .where(HelpOffer.network_id == network_id, HelpOffer.category == category)
    )
    return [(int(resident_id), frequency, paused) for resident_id, frequency, paused in rows]


async def suspended_in(session: AsyncSession, network_id: int) -> set[int]:
    """The residents suspended from neighbour help in a network."""
    rows = await session.scalars(
        select(Suspension.resident_id).where(Suspension.network_id == network_id)
    )
    return set(rows)


async def open_for_helper(session: AsyncSession, resident_id: int) -> list[HelpRequest]:
    """Open requests in the networks and categories a resident offers, not their own and not
    in a network where they are suspended; newest first."""
    offers = (
        select(HelpOffer.network_id, HelpOffer.category)
        .where(HelpOffer.resident_id == resident_id)
        .subquery()
    )
    suspended = select(Suspension.network_id).where(Suspension.resident_id == resident_id)
    rows = await session.scalars(
        select(HelpRequest)
        .join(
            offers,
            (offers.c.network_id == HelpRequest.network_id)
            & (offers.c.category == HelpRequest.category),
        )
        .where(
            HelpRequest.status == RequestStatus.OPEN,
            HelpRequest.requester_id != resident_id,
            HelpRequest.network_id.not_in(suspended),
        )
        .order_by(HelpRequest.created_at.desc())
    )
    return list(rows)


async def requests_by(session: AsyncSession, resident_id: int) -> list[HelpRequest]:
    """Every request a resident posted, newest first."""
    rows = await session.scalars(
        select(HelpRequest)
        .where(HelpRequest.requester_id == resident_id)
        .order_by(HelpRequest.created_at.desc())
    )
    return list(rows)


async def open_expiring_by(session: AsyncSession, until: datetime) -> list[HelpRequest]:
    """Open requests that expire at or before `until`."""
    rows = await session.scalars(
        select(HelpRequest).where(
            HelpRequest.status == RequestStatus.OPEN, HelpRequest.expires_at <= until
        )
    )
    return list(rows)


async def open_reports(
    session: AsyncSession, host_id: int | None
) -> list[tuple[Report, str | None]]:
    """Reports not yet handled, oldest first, with the reported request's description: all of
    them (`host_id` None) or those in the networks `host_id` hosts."""
    query = (
        select(Report, HelpRequest.description)
        .outerjoin(HelpRequest, HelpRequest.id == Report.request_id)
        .where(Report.handled_at.is_(None))
    )
    if host_id is not None:
        hosted = select(Membership.network_id).where(
            Membership.resident_id == host_id, Membership.role == MemberRole.HOST
        )
        query = query.where(Report.network_id.in_(hosted))
    rows = await session.execute(query.order_by(Report.created_at))
    return [(report, text) for report, text in rows]


async def open_reports_on(session: AsyncSession, request_id: int) -> list[Report]:
    """The reports about one request that are not yet handled."""
    rows = await session.scalars(
        select(Report).where(Report.request_id == request_id, Report.handled_at.is_(None))
    )
    return list(rows)


async def open_reporters(session: AsyncSession, request_id: int, about_resident: bool) -> set[int]:
    """Who has an open report of one item (a request, or the person on the other side of it);
    a reporter who has since been forgotten shows as 0."""
    rows = await session.scalars(
        select(Report.reporter_id).where(
            Report.request_id == request_id,
            Report.about_resident == about_resident,
            Report.handled_at.is_(None),
        )
    )
    return {reporter_id or 0 for reporter_id in rows}


async def request_counts(
    session: AsyncSession,
) -> list[tuple[int, HelpCategory, RequestStatus, int]]:
    """How many requests each network has, by category and status."""
    rows = await session.execute(
        select(
            HelpRequest.network_id, HelpRequest.category, HelpRequest.status, func.count()
        ).group_by(HelpRequest.network_id, HelpRequest.category, HelpRequest.status)
    )
    return [
        (int(network_id), HelpCategory(category), RequestStatus(status), int(count))
        for network_id, category, status, count in rows
    ]


async def active_helper_counts(session: AsyncSession) -> dict[int, int]:
    """How many residents offer help, not paused, in each network that has any."""
    rows = await session.execute(
        select(HelpOffer.network_id, func.count(func.distinct(HelpOffer.resident_id)))
        .outerjoin(HelperSettings, HelperSettings.resident_id == HelpOffer.resident_id)
        .where(func.coalesce(HelperSettings.paused, False).is_(False))
        .group_by(HelpOffer.network_id)
    )
    return {int(network_id): int(count) for network_id, count in rows}
