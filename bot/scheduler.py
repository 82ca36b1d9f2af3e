"""Scheduled work on APScheduler, run by one process at a time.

Jobs have fixed ids and are computed from our own tables (no pickled job store), so a restart
or a second process never duplicates them. Only the process holding the database lease
"scheduler" runs them; the others stand by and take over when the lease runs out. The jobs
themselves are once-only by their own unique rows, so even a handover mid-round sends nothing
twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import WEEKDAYS
from bot.i18n import Catalogs
from bot.logs import failure
from bot.services import events, polls, retention
from bot.services import help as helping
from bot.services.digest import Round, Summary, due_week
from bot.services.events.summary import SUMMARY_AT, SummaryJob
from bot.services.insight.monthly import MonthlyReportJob
from bot.shutdown import settle, settle_all
from db.queries import digests as digest_rounds
from db.queries import leases
from db.session import clock_of, session_now

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation

log = logging.getLogger("naboskap.scheduler")

LEASE = "scheduler"
LEASE_LENGTH = timedelta(seconds=60)
RENEW_EVERY = 20  # seconds; well inside the lease, so a live leader never loses it


class Leadership:
    """Whether this process may run the scheduled jobs right now, and which of its jobs are
    running (a shutdown lets them finish rather than cut a round short)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.leading = False
        self.running: set[asyncio.Task[Any]] = set()

    def tracked(self, job: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[None]]:
        """`job`, noted in `running` while it runs."""

        async def run() -> None:
            task = asyncio.current_task()
            assert task is not None  # noqa: S101 - a coroutine job runs in a task
            self.running.add(task)
            try:
                await job()
            finally:
                self.running.discard(task)

        return run

    async def renew(self) -> bool:
        async with self.sessionmaker() as session:
            leading = await leases.take(
                session, LEASE, self.holder, session_now(session), LEASE_LENGTH
            )
        if leading != self.leading:
            log.info("scheduler %s", "started leading" if leading else "is standing by")
        self.leading = leading
        return leading

    async def step_down(self) -> None:
        if self.leading:
            async with self.sessionmaker() as session:
                await leases.release(session, LEASE, self.holder)
            self.leading = False


def _led(
    leadership: Leadership, job: Callable[[], Awaitable[object]]
) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        if not leadership.leading:
            return
        try:
            await job()
        except Exception as error:
            # A failing round is tried again at the next tick; the scheduler keeps going.
            log.error("scheduled job failed: %s", failure(error))

    return leadership.tracked(run)


async def stop_scheduler(
    scheduler: AsyncIOScheduler, leadership: Leadership, within: float
) -> None:
    """Start no more jobs, let the running ones finish (at most `within` seconds), shut the
    scheduler down and hand the lease back. APScheduler's own shutdown cancels running jobs,
    which would cut a digest round short and log the cancellation as a failure."""
    if scheduler.running:
        scheduler.pause()
    await settle_all(list(leadership.running), within, "scheduled jobs")
    if scheduler.running:
        scheduler.shutdown(wait=False)
    await settle(leadership.step_down(), within, "handing back the scheduler's lease")


@dataclass(frozen=True)
class DigestSchedule:
    weekday: int  # Monday is 0
    at: time  # local time of day
    municipality: str


class DigestJob:
    """Sends the week's digest round when it is due. The cron trigger fires at the configured
    local time; the same check also runs at start-up and every few minutes, so a round missed
    while no process ran (or cut short by a crash) is caught up once. A finished round is
    recorded in `digest_runs` and never repeated; per-resident rows make even an interrupted
    one send each digest once."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        catalogs: Catalogs,
        schedule: DigestSchedule,
        machine: MachineTranslation | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.catalogs = catalogs
        self.schedule = schedule
        self.machine = machine
        # The cron and catch-up triggers may fire together; one round at a time is enough.
        self._running = asyncio.Lock()

    async def __call__(self, now: datetime | None = None) -> Summary | None:
        if self._running.locked():
            return None
        async with self._running:
            return await self._run(now or clock_of(self.sessionmaker)())

    async def _run(self, now: datetime) -> Summary | None:
        week = due_week(now, self.catalogs.zone, self.schedule.weekday, self.schedule.at)
        if week is None:
            return None
        async with self.sessionmaker() as session:
            state = await digest_rounds.run_state(session, week)
            if state is not None and state.finished_at is not None:
                return None
        summary = await Round(
            self.sessionmaker,
            self.catalogs,
            municipality=self.schedule.municipality,
            now=now,
            machine=self.machine,
        ).run(week)
        log.info(
            "digest %s: %d sent, %d empty, %d sent before",
            week,
            summary.sent,
            summary.empty,
            summary.already,
        )
        return summary


def build_scheduler(
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    *,
    reminder_hours: int,
    digest: DigestSchedule | None = None,
    leadership: Leadership | None = None,
    retention_days: int = 365,
    translation_cache_days: int = 30,
    machine: MachineTranslation | None = None,
    summary_at: time = SUMMARY_AT,
    min_group_size: int = 5,
    coordinator_ids: frozenset[int] = frozenset(),
) -> tuple[AsyncIOScheduler, Leadership]:
    """The scheduler with its fixed jobs: lease renewal, event reminders, help expiry,
    calendar feeds, the weekly digest, the monthly report and the daily deletion of old
    history."""
    leadership = leadership or Leadership(sessionmaker)
    digest = digest or DigestSchedule(6, time(18, 0), "")

    async def reminders() -> None:
        async with sessionmaker() as session:
            await events.send_due_reminders(session, catalogs, reminder_hours, machine=machine)

    async def expiry() -> None:
        async with sessionmaker() as session:
            await helping.expire_due(session, catalogs)

    async def close_polls() -> None:
        async with sessionmaker() as session:
            await polls.close_due(session, catalogs, min_group=min_group_size)

    async def shift_reminders() -> None:
        # Imported here, as the volunteering services are only this job's.
        from bot.services import volunteering

        async with sessionmaker() as session:
            await volunteering.send_due_reminders(session, catalogs, reminder_hours)

    async def followed_feeds() -> None:
        # Imported here: icalendar and the feed client load only where feeds are synced.
        from bot.services import feeds

        await feeds.sync_due(sessionmaker, catalogs, machine=machine)

    async def clean_up() -> None:
        async with sessionmaker() as session:
            pruned = await retention.prune(
                session,
                timedelta(days=retention_days),
                translation_cache=timedelta(days=translation_cache_days),
            )
        # Counts only: what went is nobody's business in a log.
        log.info("retention: %d old rows deleted %s", pruned.total(), pruned)

    scheduler = AsyncIOScheduler(
        timezone=catalogs.zone,
        # A run missed during downtime happens once when we are back, not once per miss.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    scheduler.add_job(
        leadership.tracked(leadership.renew),
        IntervalTrigger(seconds=RENEW_EVERY),
        id="lease",
        name="lease",
        replace_existing=True,
    )

    def led(job_id: str, work: Callable[[], Awaitable[object]], trigger: Any, **extra: Any) -> None:
        """A job only the leading process runs; its name is its id in words."""
        scheduler.add_job(
            _led(leadership, work),
            trigger,
            id=job_id,
            name=job_id.replace("-", " "),
            replace_existing=True,
            **extra,
        )

    led("event-reminders", reminders, IntervalTrigger(minutes=1))
    led("help-expiry", expiry, IntervalTrigger(minutes=10))
    # Shifts are reminded like events: REMINDER_HOURS before, once per signup.
    led("shift-reminders", shift_reminders, IntervalTrigger(minutes=1))
    led("poll-closing", close_polls, IntervalTrigger(minutes=1))
    # Each feed has its own interval (15 minutes or more); this only looks for due ones.
    led("calendar-feeds", followed_feeds, IntervalTrigger(minutes=1))
    # At night, in the configured zone, when nobody is waiting for an answer.
    led("retention", clean_up, CronTrigger(hour=3, minute=30, timezone=catalogs.zone))
    summaries = SummaryJob(sessionmaker, catalogs, at=summary_at, machine=machine)
    # In the configured zone, so 17:00 stays 17:00 across a DST change.
    at = summaries.at
    led(
        "new-events-summary",
        summaries,
        CronTrigger(hour=at.hour, minute=at.minute, timezone=catalogs.zone),
    )
    # A summary missed while nothing ran goes out when we are back; a run with nothing left
    # to tell is a single query.
    led("new-events-summary-catch-up", summaries, IntervalTrigger(minutes=15))
    digest_round = DigestJob(sessionmaker, catalogs, digest, machine)
    # In the configured zone, so 18:00 stays 18:00 on both sides of a DST change.
    weekly = CronTrigger(
        day_of_week=WEEKDAYS[digest.weekday],
        hour=digest.at.hour,
        minute=digest.at.minute,
        timezone=catalogs.zone,
    )
    led("weekly-digest", digest_round, weekly)
    # Also right at start-up: a round missed while nothing ran is caught up now.
    led(
        "digest-catch-up",
        digest_round,
        IntervalTrigger(minutes=15),
        next_run_time=datetime.now(catalogs.zone),
    )
    monthly = MonthlyReportJob(sessionmaker, catalogs, coordinator_ids)
    # 08:00 on the 1st in the configured zone; the catch-up sends a report missed while
    # nothing ran (for three days; outside them it reads nothing).
    led(
        "monthly-report",
        monthly,
        CronTrigger(day=1, hour=monthly.at.hour, minute=monthly.at.minute, timezone=catalogs.zone),
    )
    led(
        "monthly-report-catch-up",
        monthly,
        IntervalTrigger(minutes=15),
        next_run_time=datetime.now(catalogs.zone),
    )
    return scheduler, leadership
