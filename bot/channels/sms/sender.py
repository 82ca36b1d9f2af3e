"""Sending outbox deliveries by SMS through the configured gateway."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.sms.gateway import SmsGateway
from bot.delivery.messages import Rendered
from bot.delivery.outcomes import Deferred, Outcome, Permanent, Sent
from bot.delivery.quiet_hours import DEFAULT_END, DEFAULT_START, release_time
from bot.i18n import Catalogs
from bot.services import actions, sms_cost
from bot.services.actions import Action
from bot.sms_segments import count
from bot.sms_texts import to_sms
from db.models import NoticeKind
from db.queries import outbox as q
from db.queries import sms as sq
from db.queries import sms_cost as cq
from db.session import clock_of, session_now

log = logging.getLogger("naboskap.sms")


@dataclass(frozen=True)
class SmsBudget:
    """`SMS_MONTHLY_SEGMENTS`: once a calendar month (in `zone`) has used this many segments,
    non-essential SMS wait for the next month, and hosts and coordinators are told."""

    monthly_segments: int
    zone: ZoneInfo
    coordinator_ids: frozenset[int] = field(default_factory=frozenset)


class SmsSender:
    """Turns a rendering into its SMS version in the delivery's language, sends it with our
    delivery id (which comes back in the gateway's reports), and records what it cost and, for
    a message with numbered choices, what a bare "1" or "2" from the resident will mean."""

    def __init__(
        self,
        gateway: SmsGateway,
        catalogs: Catalogs,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        budget: SmsBudget | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.gateway = gateway
        self.catalogs = catalogs
        self.sessionmaker = sessionmaker
        self.budget = budget
        self.clock = clock or clock_of(sessionmaker)
        # Segments of sends under way in this process, not yet in the database: they count
        # against the budget too, so concurrent sends do not all see the same room left.
        self._in_flight = 0
        self._budget_lock = asyncio.Lock()

    async def send(self, address: int | str, message: Rendered, item: q.Claimed) -> Outcome:
        if not isinstance(address, str):
            return Permanent("no phone number")
        sms = to_sms(message, self.catalogs.translator(item.locale))
        segments = count(sms.text).segments
        async with self._budget_lock:
            wait = await self._over_budget(item, segments)
            if wait is not None:
                return wait
            self._in_flight += segments
        try:
            outcome = await self.gateway.send(address, sms.text, item.id)
            if isinstance(outcome, Sent):
                async with self.sessionmaker() as session:
                    await q.record_sms(session, item.id, segments, self.clock())
                    if sms.options:
                        await remember_choices(session, item.resident_id, sms.options)
                    await session.commit()
        finally:
            self._in_flight -= segments
        return outcome

    async def _over_budget(self, item: q.Claimed, segments: int) -> Deferred | Permanent | None:
        """A non-essential SMS that the month's budget has no room for waits until the next
        month; the first time in a month, hosts and coordinators are told."""
        budget = self.budget
        if budget is None:
            return None
        now = self.clock()
        start, end = sms_cost.month_bounds(now, budget.zone)
        async with self.sessionmaker() as session:
            kind = await cq.notice_kind(session, item.notice_id)
            if sms_cost.is_essential(kind):
                return None
            used = await cq.segments_used(session, start, end) + self._in_flight
            if used + segments <= budget.monthly_segments:
                return None
            told = await sms_cost.tell_budget_reached(
                session,
                self.catalogs,
                budget.coordinator_ids,
                budget.monthly_segments,
                budget.zone,
                now,
            )
        if told:
            log.warning(
                "monthly SMS budget of %d segments reached: non-essential SMS wait until %s",
                budget.monthly_segments,
                end.date().isoformat(),
            )
        if kind is NoticeKind.DIGEST:
            # By next month this week's digest is old news, and a new one will be due.
            return Permanent("monthly SMS budget used up: the next digest replaces this one")
        # Not all at midnight: from the morning of the first day of the month.
        until = release_time(end, budget.zone, DEFAULT_START, DEFAULT_END)
        return Deferred(until, "waiting for next month's SMS budget")


async def remember_choices(
    session: AsyncSession, resident_id: int, options: Sequence[Action]
) -> None:
    """The numbered choices of the last question sent to a resident by SMS."""
    row = await sq.conversation(session, resident_id)
    row.options = json.dumps([actions.pack(option) for option in options])
    row.step = None
    row.updated_at = session_now(session)
