"""The delivery worker: claims due deliveries, sends them paced, records every outcome."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.messages import Rendered
from bot.delivery.outcomes import (
    Deferred,
    Outcome,
    Permanent,
    RetryAfter,
    Sent,
    Transient,
    Unreachable,
)
from bot.delivery.pacing import ChatSpacing, RateLimiter
from bot.logs import failure
from db.models import Channel, DeliveryStatus
from db.queries import outbox as q
from db.session import clock_of

log = logging.getLogger("naboskap.delivery")


class Sender(Protocol):
    """A channel's way out: Telegram, or an SMS gateway."""

    async def send(self, address: int | str, message: Rendered, item: q.Claimed) -> Outcome: ...


@dataclass(frozen=True)
class WorkerSettings:
    batch: int = 100
    concurrency: int = 16
    lease: timedelta = timedelta(minutes=2)
    # Twelve tries, 5 s apart at first and doubling up to an hour: a Telegram or gateway
    # outage of up to about two and a half hours delays notices instead of losing them.
    max_attempts: int = 12
    backoff_base: float = 5.0  # seconds; doubles with every failed attempt
    backoff_cap: float = 3600.0
    idle_poll: float = 0.5  # seconds between looks at an empty outbox
    # While the database fails, rounds are tried again after idle_poll, doubling up to this.
    failing_cap: float = 30.0


class DeliveryWorker:
    """Drains the outbox. Safe to run in several processes against PostgreSQL: claims are
    leases taken with SKIP LOCKED, and the rate limit is shared through the database."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        senders: Mapping[Channel, Sender],
        limiter: RateLimiter,
        *,
        settings: WorkerSettings | None = None,
        spacing: ChatSpacing | None = None,
        clock: Callable[[], datetime] | None = None,
        limiters: Mapping[Channel, RateLimiter] | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.senders = senders
        self.limiter = limiter
        # Other channels' own rates (SMS gateways have theirs); Telegram's is `limiter`.
        self.limiters = dict(limiters or {})
        self.settings = settings or WorkerSettings()
        self.spacing = spacing or ChatSpacing()
        self.clock = clock or clock_of(sessionmaker)
        self._skip_locked: bool | None = None
        # Residents found unreachable in this process; later sends to them are not tried.
        self._gone: set[int] = set()
        self._chat_locks: dict[int | str, asyncio.Lock] = {}
        self._stop: asyncio.Event | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; an empty outbox is looked at again every `idle_poll`.

        On stop, sends already under way finish; the rest of the claimed batch is handed back
        at once (its leases released, no attempt counted) rather than sent at the per-chat pace,
        so a shutdown takes about a second and another worker can take over right away."""
        self._stop = stop
        failing = 0  # rounds failed in a row
        while not stop.is_set():
            pause = self.settings.idle_poll
            try:
                handled = await self.run_once()
                if failing:
                    log.warning("delivery rounds work again after %d failed", failing)
                failing = 0
            except Exception as error:
                # A failing database must not kill the worker, nor flood the log: it tries
                # again after a pause that doubles, and says so on the 1st, 2nd, 4th, 8th...
                failing += 1
                if failing & (failing - 1) == 0:
                    log.error("delivery round failed (%d in a row): %s", failing, failure(error))
                pause = min(pause * 2 ** min(failing, 16), self.settings.failing_cap)
                handled = 0
            if handled == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)

    async def drain(self) -> int:
        """Send everything that is due now; returns how many deliveries were handled."""
        total = 0
        while handled := await self.run_once():
            total += handled
        return total

    async def run_once(self) -> int:
        now = self.clock()
        async with self.sessionmaker() as session:
            if self._skip_locked is None:
                self._skip_locked = session.get_bind().dialect.name == "postgresql"
            claimed = await q.claim(
                session, now, now + self.settings.lease, self.settings.batch, self._skip_locked
            )
            keys = {(c.notice_id, c.locale, c.channel) for c in claimed}
            # An SMS without an SMS rendering of its own (a fallback for someone Telegram
            # cannot reach) is made from the Telegram one by the SMS sender.
            keys |= {(n, loc, Channel.TELEGRAM) for n, loc, ch in keys if ch is Channel.SMS}
            stored = await q.renderings(session, keys)
            await session.commit()
        if not claimed:
            return 0
        rendered = {
            key: Rendered.from_stored(r.text, r.markup, r.attachment) for key, r in stored.items()
        }
        gate = asyncio.Semaphore(self.settings.concurrency)

        async def one(item: q.Claimed) -> None:
            message = rendered.get((item.notice_id, item.locale, item.channel))
            if message is None and item.channel is Channel.SMS:
                message = rendered.get((item.notice_id, item.locale, Channel.TELEGRAM))
            async with gate:
                await self._deliver(item, message)

        await asyncio.gather(*(one(item) for item in claimed))
        return len(claimed)

    async def _deliver(self, item: q.Claimed, message: Rendered | None) -> None:
        sender = self.senders.get(item.channel)
        address = item.chat_id
        if message is None or sender is None or address is None:
            await self._record(item, Permanent("nothing to send or no way to send it"))
            return
        # One send at a time per chat: the next one to the same person waits for this one's
        # outcome (a block stops it) and for the per-chat spacing.
        lock = self._chat_locks.setdefault(address, asyncio.Lock())
        try:
            async with lock:
                if self._stopping():
                    await self._hand_back(item)
                    return
                await self.spacing.wait(address)
                if self._stopping():
                    await self._hand_back(item)
                    return
                # Blocked on Telegram: the rest for them on Telegram is skipped (their SMS,
                # a fallback among them, still go).
                if item.channel is Channel.TELEGRAM and item.resident_id in self._gone:
                    await self._record(item, Unreachable("blocked"))
                    return
                await self.limiters.get(item.channel, self.limiter).acquire()
                try:
                    outcome = await sender.send(address, message, item)
                except Exception as error:  # a sender bug must not lose the delivery
                    log.error("sender failed: %s", failure(error))
                    outcome = Transient(type(error).__name__)
                await self._record(item, outcome)
        finally:
            if not lock.locked():
                self._chat_locks.pop(address, None)

    def _stopping(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    async def _hand_back(self, item: q.Claimed) -> None:
        async with self.sessionmaker() as session:
            await q.mark(session, item.id, attempts=max(item.attempts - 1, 0))
            await session.commit()

    async def _record(self, item: q.Claimed, outcome: Outcome) -> None:
        now = self.clock()
        async with self.sessionmaker() as session:
            match outcome:
                case Sent(external_id):
                    await q.mark(
                        session,
                        item.id,
                        status=DeliveryStatus.SENT,
                        sent_at=now,
                        external_id=external_id,
                        error=None,
                    )
                case RetryAfter(seconds):
                    self.limiters.get(item.channel, self.limiter).pause(seconds)
                    # Not the delivery's fault: the attempt does not count.
                    await q.mark(
                        session,
                        item.id,
                        not_before=now + timedelta(seconds=seconds),
                        attempts=max(item.attempts - 1, 0),
                        error=f"429 retry after {seconds}s",
                    )
                case Deferred(until, reason):
                    await q.mark(
                        session,
                        item.id,
                        not_before=until,
                        attempts=max(item.attempts - 1, 0),
                        error=reason[:200],
                    )
                case Unreachable(reason):
                    self._gone.add(item.resident_id)
                    await q.mark(
                        session, item.id, status=DeliveryStatus.UNREACHABLE, error=reason[:200]
                    )
                    await q.mark_resident_unreachable(session, item.resident_id, now)
                    if item.channel is Channel.TELEGRAM and Channel.SMS in self.senders:
                        # Those who chose SMS as a fallback get by SMS what Telegram could not
                        # bring them, this notice included.
                        await q.fall_back_to_sms(session, item.resident_id, item.notice_id, now)
                case Transient(reason) if item.attempts < self.settings.max_attempts:
                    delay = min(
                        self.settings.backoff_base * 2 ** (item.attempts - 1),
                        self.settings.backoff_cap,
                    )
                    delay *= random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security
                    await q.mark(
                        session,
                        item.id,
                        not_before=now + timedelta(seconds=delay),
                        error=reason[:200],
                    )
                case Transient(reason) | Permanent(reason):
                    await q.mark(session, item.id, status=DeliveryStatus.FAILED, error=reason[:200])
            await session.commit()
