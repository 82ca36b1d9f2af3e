"""Each update handled once, however many times it arrives and on whichever instance.

Telegram sends a webhook update again until it gets a 200; behind a load balancer the retry
may reach another instance, and a retry may come while the first delivery is still being
handled. Before an update is handled its `update_id` is claimed in a ledger shared by every
instance:

- not seen: claimed, for a short lease (`lease`, 30 s) that the holder renews while it works,
  then marked done for a day (Telegram keeps an undelivered update for 24 hours);
- done: not handled again;
- claimed by another, still working: wait for it — then it is done, or its lease ran out (its
  process died mid-way) and this one claims it and handles it. So a retry of an update that
  died with its instance is handled, not dropped; and none is handled twice while its first
  handler lives.

The ledger is in Redis (SET NX with expiry) when REDIS_URL is set, else in the database
(`update_claims`) on PostgreSQL. On SQLite Naboskap is one process (the database is a file on
one machine), so the ledger is that process's memory: no write per update where nothing
else could have seen it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from db.queries import update_claims as q
from db.session import session_now

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

LEASE = 30.0  # seconds a claim holds without renewal: far longer than any update takes
DONE_FOR = 24 * 3600.0  # seconds a handled update is remembered: as long as Telegram retries
POLL = 0.2  # seconds between looks at an update another instance is handling


def holder_name() -> str:
    """This process, as its claims name it: host, pid and a random part (a pid is reused)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Ledger(Protocol):
    # Seconds a claim holds unless renewed; None: it cannot run out (one process's memory).
    lease_seconds: float | None

    async def claim(self, bot_id: int, update_id: int) -> bool:
        """Whether this process should handle the update: True once it holds it, False when
        it was handled already (waiting while another process holds it)."""

    async def renew(self, bot_id: int, update_id: int) -> None:
        """Extend this process's claim while the update is still being handled."""

    async def done(self, bot_id: int, update_id: int) -> None:
        """The update was handled (answered, successfully or with an error message)."""

    async def close(self) -> None: ...


async def _waiting(take: Callable[[], Awaitable[bool | None]], deadline: float) -> bool:
    """`take()` until it decides: True (ours), False (done), None (another holds it: look
    again). Past `deadline` without a decision: handle it, rather than drop it — only a holder
    renewing a claim far past any handler's time keeps it that long."""
    while True:
        decided = await take()
        if decided is not None:
            return decided
        if time.monotonic() > deadline:
            return True
        await asyncio.sleep(POLL)


class MemoryLedger:
    """One process's ledger (SQLite): a handled update is remembered for `done_for` seconds;
    a retry arriving while the first is handled waits for it."""

    lease_seconds: float | None = None

    def __init__(self, done_for: float = DONE_FOR) -> None:
        self.done_for = done_for
        self._done: dict[tuple[int, int], float] = {}  # (bot, update) -> when it may go
        self._working: dict[tuple[int, int], asyncio.Event] = {}

    async def claim(self, bot_id: int, update_id: int) -> bool:
        key = (bot_id, update_id)
        while (working := self._working.get(key)) is not None:
            await working.wait()
        if self._done.get(key, 0.0) > time.monotonic():
            return False
        self._working[key] = asyncio.Event()
        return True

    async def renew(self, bot_id: int, update_id: int) -> None:
        return None  # one process: its claim cannot run out while it lives

    async def done(self, bot_id: int, update_id: int) -> None:
        key = (bot_id, update_id)
        now = time.monotonic()
        self._done[key] = now + self.done_for
        if len(self._done) > 10_000:  # forget what has expired, now and then
            self._done = {k: v for k, v in self._done.items() if v > now}
        working = self._working.pop(key, None)
        if working is not None:
            working.set()

    async def close(self) -> None:
        return None


class RedisLedger:
    """The ledger in Redis: `naboskap:update:<id>` holds the holder's name while claimed (with
    the lease as its expiry) and "done" for a day once handled."""

    DONE = b"done"

    def __init__(
        self,
        redis: Redis,
        holder: str | None = None,
        lease: float = LEASE,
        done_for: float = DONE_FOR,
        prefix: str = "naboskap:update:",
    ) -> None:
        self.redis = redis
        self.holder = (holder or holder_name()).encode()
        self.lease, self.done_for, self.prefix = lease, done_for, prefix
        self.lease_seconds: float | None = lease

    @classmethod
    def from_url(cls, url: str, **kwargs: object) -> RedisLedger:
        from redis.asyncio import Redis

        return cls(Redis.from_url(url), **kwargs)  # type: ignore[arg-type]

    def _key(self, bot_id: int, update_id: int) -> str:
        return f"{self.prefix}{bot_id}:{update_id}"

    async def claim(self, bot_id: int, update_id: int) -> bool:
        key = self._key(bot_id, update_id)

        async def take() -> bool | None:
            if await self.redis.set(key, self.holder, nx=True, px=int(self.lease * 1000)):
                return True
            value = await self.redis.get(key)
            if value == self.DONE:
                return False
            return None  # held by another (or gone since: the next look takes it)

        return await _waiting(take, time.monotonic() + 4 * self.lease)

    async def renew(self, bot_id: int, update_id: int) -> None:
        key = self._key(bot_id, update_id)
        # Only while it is still ours: a claim that ran out may be another's by now.
        if await self.redis.get(key) == self.holder:
            await self.redis.pexpire(key, int(self.lease * 1000))

    async def done(self, bot_id: int, update_id: int) -> None:
        await self.redis.set(self._key(bot_id, update_id), self.DONE, px=int(self.done_for * 1000))

    async def close(self) -> None:
        await self.redis.aclose()


class DatabaseLedger:
    """The ledger in the database (`update_claims`), for PostgreSQL without Redis: a claim is
    an INSERT that a second one cannot repeat; a lapsed claim is taken over by an UPDATE that
    only one taker can win."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        holder: str | None = None,
        lease: float = LEASE,
        done_for: float = DONE_FOR,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.holder = holder or holder_name()
        self.lease, self.done_for = timedelta(seconds=lease), timedelta(seconds=done_for)
        self.lease_seconds: float | None = lease

    async def claim(self, bot_id: int, update_id: int) -> bool:
        async def take() -> bool | None:
            async with self.sessionmaker() as session:
                now = session_now(session)
                until = now + self.lease
                if await q.claim_new(
                    session, bot_id, update_id, self.holder, until
                ) or await q.take_lapsed(session, bot_id, update_id, self.holder, now, until):
                    await session.commit()
                    return True
                done = await q.is_done(session, bot_id, update_id)
                await session.rollback()
                return False if done else None  # done, or held by another (or gone since)

        return await _waiting(take, time.monotonic() + 4 * self.lease.total_seconds())

    async def renew(self, bot_id: int, update_id: int) -> None:
        async with self.sessionmaker() as session:
            until = session_now(session) + self.lease
            await q.renew(session, bot_id, update_id, self.holder, until)
            await session.commit()

    async def done(self, bot_id: int, update_id: int) -> None:
        async with self.sessionmaker() as session:
            await q.mark_done(session, bot_id, update_id, session_now(session) + self.done_for)
            await session.commit()

    async def close(self) -> None:
        return None


@contextlib.asynccontextmanager
async def holding(ledger: Ledger, bot_id: int, update_id: int) -> AsyncIterator[None]:
    """While the body handles the update, renew the claim at a third of its lease (a slow
    handler keeps it); then mark the update done, handled well or answered with an error."""
    if ledger.lease_seconds is None:
        try:
            yield
        finally:
            await ledger.done(bot_id, update_id)
        return
    every = ledger.lease_seconds / 3

    async def renewing() -> None:
        while True:
            await asyncio.sleep(every)
            with contextlib.suppress(Exception):  # a missed renewal only shortens the lease
                await ledger.renew(bot_id, update_id)

    renewal = asyncio.create_task(renewing())
    try:
        yield
    finally:
        renewal.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewal
        await ledger.done(bot_id, update_id)
