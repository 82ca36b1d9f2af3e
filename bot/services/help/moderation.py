"""Moderation by the network's hosts (and coordinators): residents report a request or the
person behind it, hosts see open reports, hide requests and suspend members from asking and
helping in their network."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import RateLimits
from bot.delivery import outbox
from bot.delivery.messages import Rendered
from bot.i18n import Catalogs
from bot.services.actors import Actor
from bot.services.help.access import member_id, other_side, require_host
from bot.services.help.views import first_name, get_request
from bot.services.rate_limits import DEFAULT_LIMITS
from bot.services.rate_limits import check as check_limit
from bot.services.rate_limits import record as record_limit
from db.models import Channel, NoticeKind, RateKind, Report, RequestStatus, Suspension
from db.queries import help as hq
from db.queries import ideas as iq
from db.queries import networks as nq
from db.queries import outbox as oq
from db.session import session_now


async def report(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    request_id: int,
    reason: str = "",
    about_resident: bool = False,
    now: datetime | None = None,
    limits: RateLimits = DEFAULT_LIMITS,
) -> bool:
    """Report a request (or the person on the other side of it) to the network's hosts.

    Returns False, adding nothing, when the reporter's report of the same item is still open.
    The hosts hear once per item: a report of something already reported (by someone else)
    waits in /reports without a new notice. A resident who has reported many items lately
    (`limits.reports`) is refused with `RateLimited`, and nothing is added."""
    now = now or session_now(session)
    request = await get_request(session, request_id)
    me = await member_id(session, actor, request.network_id)
    reporters = await hq.open_reporters(session, request.id, about_resident)
    if me in reporters:
        return False
    await check_limit(session, me, RateKind.REPORT, limits.reports, now)
    # Only the sides of a request report each other: anyone else pressing a forged "report
    # the person" would otherwise file a report about the requester.
    reported = await other_side(session, request, me) if about_resident else None
    try:
        # A savepoint: a second press racing this one trips the unique index, not the update.
        async with session.begin_nested():
            session.add(
                Report(
                    reporter_id=me,
                    network_id=request.network_id,
                    request_id=request.id,
                    reported_id=reported,
                    about_resident=about_resident,
                    reason=reason.strip()[:500],
                    created_at=now,
                )
            )
    except IntegrityError:
        return False
    await record_limit(session, me, RateKind.REPORT, limits.reports, now)
    hosts = await nq.host_ids(session, request.network_id)
    if hosts and not reporters:

        def render(locale: str, channel: Channel) -> Rendered:
            t = catalogs.translator(locale)
            return Rendered(
                t.gettext("⚠️ A request in your network was reported. /reports shows it.")
            )

        await outbox.enqueue(
            session,
            kind=NoticeKind.REPORT,
            recipients=await oq.residents(session, hosts),
            render=render,
            zone=catalogs.zone,
            default_locale=catalogs.default_locale,
            network_id=request.network_id,
            digest_hold=False,
            now=now,
        )
    await session.commit()
    return True


@dataclass(frozen=True)
class ReportView:
    id: int
    network_id: int
    request_id: int | None
    request_text: str  # the reported request's words, or the reported idea's
    reported_name: str | None
    reason: str
    created_at: datetime
    idea_id: int | None = None  # a report of an idea (issue 15) rather than of a request


async def reports(session: AsyncSession, actor: Actor) -> list[ReportView]:
    """Open reports: a host sees their networks', a coordinator all."""
    if not actor.is_coordinator:
        actor.require_resident()
    rows = await hq.open_reports(session, None if actor.is_coordinator else actor.resident_id)
    ideas = await iq.texts_of(session, [r.idea_id for r, _ in rows if r.idea_id is not None])
    return [
        ReportView(
            r.id,
            r.network_id,
            r.request_id,
            text or (ideas.get(r.idea_id, "") if r.idea_id is not None else ""),
            await first_name(session, r.reported_id) or None,
            r.reason,
            r.created_at,
            r.idea_id,
        )
        for r, text in rows
    ]


async def hide(
    session: AsyncSession, actor: Actor, request_id: int, now: datetime | None = None
) -> None:
    """Hide a request (hosts of its network, coordinators); its reports count as handled."""
    request = await get_request(session, request_id)
    await require_host(session, actor, request.network_id)
    request.status, request.closed_at = RequestStatus.HIDDEN, now or session_now(session)
    for row in await hq.open_reports_on(session, request_id):
        row.handled_at = now or session_now(session)
    await session.commit()


async def suspend(
    session: AsyncSession, actor: Actor, network_id: int, resident_id: int, suspended: bool = True
) -> None:
    """Stop (or allow again) a member asking and helping in a network."""
    await require_host(session, actor, network_id)
    existing = await session.get(Suspension, (network_id, resident_id))
    if suspended and existing is None:
        session.add(
            Suspension(network_id=network_id, resident_id=resident_id, created_by=actor.resident_id)
        )
    elif not suspended and existing is not None:
        await session.delete(existing)
    await session.commit()


async def suspend_requester(session: AsyncSession, actor: Actor, request_id: int) -> None:
    """Suspend the person who posted a (reported) request from its network, and hide it."""
    request = await get_request(session, request_id)
    await suspend(session, actor, request.network_id, request.requester_id)
    await hide(session, actor, request_id)
