"""Scheduled work on APScheduler, run by one process at a time.

Jobs have fixed ids and are computed from our own tables (no pickled job store), so a restart
or a second process never duplicates them. Only the process holding the database lease
"scheduler" runs them; the others stand by and take over when the lease runs out. The jobs
themselves are once-only by their own unique rows, so even a handover mid-round sends nothing
twice.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import Catalogs
from bot.services import events
from bot.services import help as helping
from db.models import utcnow
from db.queries import leases

log = logging.getLogger("naboskap.scheduler")

LEASE = "scheduler"
LEASE_LENGTH = timedelta(seconds=60)
RENEW_EVERY = 20  # seconds; well inside the lease, so a live leader never loses it


class Leadership:
    """Whether this process may run the scheduled jobs right now."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.leading = False

    async def renew(self) -> bool:
        async with self.sessionmaker() as session:
            leading = await leases.take(session, LEASE, self.holder, utcnow(), LEASE_LENGTH)
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
        except Exception:
            # A failing round is tried again at the next tick; the scheduler keeps going.
            log.exception("scheduled job failed")

    return run


def build_scheduler(
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    *,
    reminder_hours: int,
    leadership: Leadership | None = None,
) -> tuple[AsyncIOScheduler, Leadership]:
    """The scheduler with its fixed jobs: lease renewal, event reminders, help expiry."""
    leadership = leadership or Leadership(sessionmaker)

    async def reminders() -> None:
        async with sessionmaker() as session:
            await events.send_due_reminders(session, catalogs, reminder_hours)

    async def expiry() -> None:
        async with sessionmaker() as session:
            await helping.expire_due(session, catalogs)

    scheduler = AsyncIOScheduler(
        timezone=catalogs.zone,
        # A run missed during downtime happens once when we are back, not once per miss.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    scheduler.add_job(
        leadership.renew,
        IntervalTrigger(seconds=RENEW_EVERY),
        id="lease",
        name="lease",
        replace_existing=True,
    )
    scheduler.add_job(
        _led(leadership, reminders),
        IntervalTrigger(minutes=1),
        id="event-reminders",
        name="event reminders",
        replace_existing=True,
    )
    scheduler.add_job(
        _led(leadership, expiry),
        IntervalTrigger(minutes=10),
        id="help-expiry",
        name="help expiry",
        replace_existing=True,
    )
    return scheduler, leadership
