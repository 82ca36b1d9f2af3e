"""The playground's clock control: move time forward, then run what became due at once.

Time is the core's `Clock` (`bot.clock`), which every service (through its session), the outbox
worker and the scheduled jobs read; the playground moves its own core's clock forward, and
nothing else in the process notices.
After a move the scheduler's jobs run at once rather than at APScheduler's next real-time
tick: event reminders, help expiry, the summary of new events (the "→ next summary" step
goes just past its NEW_EVENTS_SUMMARY_TIME) and the weekly digest (the
same `DigestJob` the scheduler runs, which sends the round when the latest slot is within its
catch-up window). What they queue goes out through the outbox worker, paced as always.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select

from bot.app import App
from bot.scheduler import DigestJob, DigestSchedule
from bot.services import digest, events
from bot.services import help as helping
from bot.services.events.summary import SummaryJob, slot
from db.models import Delivery, DeliveryStatus

# Where the page's buttons take the clock: a fixed step, or just past the next digest slot or
# the next summary of new events (the flood guard holds a busy feed's notices for it).
STEPS = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
NEXT_DIGEST = "digest"
NEXT_SUMMARY = "summary"
PAST_SLOT = timedelta(minutes=1)
MAX_STEP = timedelta(days=60)


def next_slot(now: datetime, zone: ZoneInfo, weekday: int, at: time) -> datetime:
    """The first digest slot after `now` (UTC), counted like `digest.latest_slot`, so the
    local time of day holds across a DST change."""
    slot = digest.latest_slot(now + timedelta(days=8), zone, weekday, at)
    while (earlier := digest.latest_slot(slot - timedelta(seconds=1), zone, weekday, at)) > now:
        slot = earlier
    return slot


@dataclass(frozen=True)
class Ran:
    """What the due jobs did after a move of the clock."""

    reminders: int  # reminder deliveries queued
    nudged: int  # help requests nudged before they expire
    expired: int  # help requests expired
    digests: int | None  # digests queued; None when no digest round was due
    summaries: int = 0  # summaries of new events queued

    def as_json(self) -> dict[str, Any]:
        return {
            "reminders": self.reminders,
            "nudged": self.nudged,
            "expired": self.expired,
            "digests": self.digests,
            "summaries": self.summaries,
        }


class ClockControl:
    def __init__(self, app: App) -> None:
        self.app = app
        weekday, at = app.settings.digest_at
        self.schedule = DigestSchedule(weekday, at, app.settings.municipality)
        self._digest = DigestJob(
            app.sessionmaker, app.catalogs, self.schedule, app.core.machine_translation
        )
        self._summaries = SummaryJob(
            app.sessionmaker,
            app.catalogs,
            at=app.settings.new_events_summary_at,
            machine=app.core.machine_translation,
        )
        self._moving = asyncio.Lock()

    def next_digest(self, now: datetime | None = None) -> datetime:
        return next_slot(
            now or self.app.clock.now(),
            self.app.catalogs.zone,
            self.schedule.weekday,
            self.schedule.at,
        )

    def next_summary(self, now: datetime | None = None) -> datetime:
        """The first moment of the summary of new events after `now`: NEW_EVENTS_SUMMARY_TIME
        on the next local day after the latest one (so it keeps its local time across DST)."""
        latest = slot(now or self.app.clock.now(), self.app.catalogs.zone, self._summaries.at)
        day = latest.date() + timedelta(days=1)
        return datetime.combine(day, self._summaries.at, tzinfo=self.app.catalogs.zone)

    def step(self, name: str) -> timedelta:
        """How far a named step moves the clock from now; ValueError for an unknown one."""
        if name == NEXT_DIGEST:
            return self.next_digest() + PAST_SLOT - self.app.clock.now()
        if name == NEXT_SUMMARY:
            return self.next_summary() + PAST_SLOT - self.app.clock.now()
        return STEPS[name]

    async def advance(self, delta: timedelta) -> Ran:
        if not timedelta(0) < delta <= MAX_STEP:
            raise ValueError(f"a step is more than nothing and at most {MAX_STEP.days} days")
        async with self._moving:
            self.app.clock.advance(delta)
            return await self.run_due()

    async def run_due(self) -> Ran:
        """The scheduler's jobs, now (each is once-only, so a later scheduled run adds
        nothing)."""
        app = self.app
        async with app.sessionmaker() as session:
            reminders = await events.send_due_reminders(
                session,
                app.catalogs,
                app.settings.reminder_hours,
                machine=app.core.machine_translation,
            )
        async with app.sessionmaker() as session:
            nudged, expired = await helping.expire_due(session, app.catalogs)
        # Before the digest, as on a real clock: the summary's moment comes first each day.
        summaries = await self._summaries()
        summary = await self._digest()
        return Ran(
            reminders,
            nudged,
            expired,
            None if summary is None else summary.sent,
            summaries.sent,
        )

    async def deliveries(self) -> dict[str, dict[str, int]]:
        """The outbox by channel: pending (of which `later` are not due yet), held for the
        digest, sent, failed."""
        now = self.app.clock.now()
        due = func.sum(case((Delivery.not_before <= now, 1), else_=0))
        query = select(Delivery.channel, Delivery.status, func.count(), due).group_by(
            Delivery.channel, Delivery.status
        )
        counts: dict[str, dict[str, int]] = {}
        async with self.app.sessionmaker() as session:
            rows = (await session.execute(query)).all()
        for channel, status, total, due_now in rows:
            item = counts.setdefault(
                str(channel), {"pending": 0, "later": 0, "held": 0, "sent": 0, "failed": 0}
            )
            if status is DeliveryStatus.PENDING:
                item["pending"] += total
                item["later"] += total - int(due_now or 0)
            elif status is DeliveryStatus.HELD:
                item["held"] += total
            elif status is DeliveryStatus.SENT:
                item["sent"] += total
            else:
                item["failed"] += total
        return counts

    def as_json(self) -> dict[str, Any]:
        now = self.app.clock.now()
        return {
            "now": now.isoformat(),
            "local": now.astimezone(self.app.catalogs.zone).strftime("%a %d %b %H:%M"),
            "zone": self.app.settings.timezone,
            "offset_seconds": int(self.app.clock.offset.total_seconds()),
            "next_digest": self.next_digest(now).isoformat(),
            "next_summary": self.next_summary(now).isoformat(),
            "steps": [*STEPS, NEXT_DIGEST, NEXT_SUMMARY],
        }
