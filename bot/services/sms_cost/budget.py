"""The monthly segment budget: what this month has used, the line coordinators read, and the
notice that tells hosts and coordinators once when the budget is used up."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.delivery import outbox
from bot.delivery.messages import Rendered
from bot.i18n import Catalogs, Translator
from bot.services.actors import Actor
from bot.services.sms_cost.costs import (
    SmsCosts,
    month_bounds,
)
from db.models import Channel, NoticeKind
from db.queries import outbox as q
from db.queries import sms_cost as cq
from db.session import session_now


@dataclass(frozen=True)
class Usage:
    used: int
    budget: int | None  # None: no budget

    @property
    def reached(self) -> bool:
        return self.budget is not None and self.used >= self.budget


async def month_usage(session: AsyncSession, costs: SmsCosts, now: datetime | None = None) -> Usage:
    start, end = month_bounds(now or session_now(session), costs.zone)
    return Usage(await cq.segments_used(session, start, end), costs.monthly_segments)


def usage_line(t: Translator, usage: Usage) -> str:
    if usage.budget is None:
        return t.ngettext("SMS this month: {n} segment", "SMS this month: {n} segments", usage.used)
    return t.ngettext(
        "SMS this month: {used} of {n} segment",
        "SMS this month: {used} of {n} segments",
        usage.budget,
        used=t.number(usage.used),
    )


async def coordinator_usage_line(
    session: AsyncSession, actor: Actor, settings: Settings, t: Translator
) -> str | None:
    """The coordinator's reach screen line; None when SMS is not configured."""
    actor.require_coordinator()
    costs = SmsCosts.from_settings(settings)
    if not costs.enabled:
        return None
    return usage_line(t, await month_usage(session, costs))


def budget_notice(catalogs: Catalogs, budget: int, until: datetime) -> outbox.Render:
    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        title = t.gettext("📵 The monthly SMS budget is used up")
        body = t.ngettext(
            "All {n} SMS segment of this month's budget is used. Replies to residents' own "
            "SMS and confirmations still go out; other SMS wait until {date}.",
            "All {n} SMS segments of this month's budget are used. Replies to residents' own "
            "SMS and confirmations still go out; other SMS wait until {date}.",
            budget,
            date=html.escape(t.format_date(until)),
        )
        return Rendered(f"<b>{title}</b>\n\n{body}")

    return render


async def tell_budget_reached(
    session: AsyncSession,
    catalogs: Catalogs,
    coordinator_ids: Iterable[int],
    budget: int,
    zone: ZoneInfo,
    now: datetime,
) -> bool:
    """Tell coordinators and hosts, on Telegram and once a month, that the budget is used up.
    Commits; False if they have been told this month already."""
    start, end = month_bounds(now, zone)
    key = f"sms-budget:{start:%Y-%m}"
    if await q.notice_by_key(session, key) is not None:
        return False
    staff = await cq.staff(session, frozenset(coordinator_ids))
    try:
        await outbox.enqueue(
            session,
            kind=NoticeKind.SMS_BUDGET,
            recipients=[r for r in staff if r.channel is Channel.TELEGRAM],
            render=budget_notice(catalogs, budget, end),
            zone=zone,
            default_locale=catalogs.default_locale,
            dedupe_key=key,
            digest_hold=False,
            now=now,
        )
        await session.commit()
    except IntegrityError:  # another worker told them a moment ago
        await session.rollback()
        return False
    return True
