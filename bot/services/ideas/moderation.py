"""Ideas under the existing report and hide tools: a member reports an idea to the network's
hosts (at most one open report per reporter and idea; the hosts hear once per idea), it waits
in /reports with the help requests' reports, and a host hides it: hidden ideas vanish from the
lists and the digest, and their reports count as handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import RateLimits
from bot.delivery import outbox
from bot.delivery.messages import Rendered
from bot.i18n import Catalogs
from bot.services.actors import Actor
from bot.services.errors import InvalidInput
from bot.services.ideas.access import hosted_idea, open_idea_as_member
from bot.services.rate_limits import DEFAULT_LIMITS
from bot.services.rate_limits import check as check_limit
from bot.services.rate_limits import record as record_limit
from db.models import Channel, IdeaStatus, NoticeKind, RateKind, Report
from db.queries import ideas as iq
from db.queries import networks as nq
from db.queries import outbox as oq
from db.session import session_now


async def report(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    idea_id: int,
    reason: str = "",
    *,
    now: datetime | None = None,
    limits: RateLimits = DEFAULT_LIMITS,
) -> bool:
    """Report an idea to its network's hosts. False, adding nothing, when the reporter's
    report of it is still open (the reports' unique index leaves ideas out, since their
    `request_id` is empty: the check is here)."""
    now = now or session_now(session)
    idea, me = await open_idea_as_member(session, actor, idea_id)
    reporters = await iq.open_reporters(session, idea.id)
    if me in reporters:
        return False
    await check_limit(session, me, RateKind.REPORT, limits.reports, now)
    session.add(
        Report(
            reporter_id=me,
            network_id=idea.network_id,
            idea_id=idea.id,
            about_resident=False,
            reason=reason.strip()[:500],
            created_at=now,
        )
    )
    await record_limit(session, me, RateKind.REPORT, limits.reports, now)
    hosts = await nq.host_ids(session, idea.network_id)
    if hosts and not reporters:

        def render(locale: str, channel: Channel) -> Rendered:
            t = catalogs.translator(locale)
            return Rendered(t.gettext("⚠️ An idea in your network was reported. /reports shows it."))

        await outbox.enqueue(
            session,
            kind=NoticeKind.REPORT,
            recipients=await oq.residents(session, hosts),
            render=render,
            zone=catalogs.zone,
            default_locale=catalogs.default_locale,
            network_id=idea.network_id,
            digest_hold=False,
            now=now,
        )
    await session.commit()
    return True


async def hide(
    session: AsyncSession, actor: Actor, idea_id: int, now: datetime | None = None
) -> None:
    """Hide an idea (hosts of its network, coordinators); its reports count as handled."""
    now = now or session_now(session)
    idea = await hosted_idea(session, actor, idea_id)
    if idea.status is IdeaStatus.MERGED:
        raise InvalidInput("idea", "closed")
    idea.status, idea.updated_at = IdeaStatus.HIDDEN, now
    for row in await iq.open_reports_on(session, idea.id):
        row.handled_at = now
    await session.commit()
