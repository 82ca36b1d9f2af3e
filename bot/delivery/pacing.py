"""Pacing sends: a global rate shared by every worker, about one message a second per chat,
and slowing down when Telegram says 429."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.queries import outbox as q
from db.session import clock_of

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    """At most `rate` sends a second across all workers that share the database.

    Slots are reserved in the database in small blocks (one row, advanced atomically), then
    spaced out locally, so the shared budget costs one short transaction per block rather than
    one per message. After a 429 the limiter pauses for `retry_after` and lowers its own rate,
    then creeps back up with every send that goes through.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession] | None,
        rate: float,
        *,
        name: str = "telegram",
        block: int = 5,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.rate = self.current = rate
        self.name = name
        self.block = block
        self.clock, self.sleep = clock, sleep
        self._lock = asyncio.Lock()
        self._slots: list[float] = []
        self._next_local = 0.0
        self._paused_until = 0.0

    async def acquire(self) -> None:
        async with self._lock:
            if not self._slots:
                self._slots = await self._reserve()
            at = max(self._slots.pop(0), self._paused_until)
        delay = at - self.clock()
        if delay > 0:
            await self.sleep(delay)
        self.current = min(self.rate, self.current * 1.01)

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody in this worker sends for `seconds`, and we slow down."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)
        self.current = max(self.rate / 5, self.current * 0.7)
        self._slots.clear()

    async def _reserve(self) -> list[float]:
        interval = 1 / self.current
        now = self.clock()
        if self.sessionmaker is None:
            start = max(self._next_local, now)
            self._next_local = start + interval * self.block
            return [start + i * interval for i in range(self.block)]
        wall = clock_of(self.sessionmaker)()
        for attempt in (1, 2):
            try:
                async with self.sessionmaker() as session:
                    first: datetime = await q.reserve_slots(
                        session, self.name, wall, self.block, interval
                    )
                    await session.commit()
                break
            except IntegrityError:
                # Two workers created the limit's row at once; the other one won, use it.
                if attempt == 2:
                    raise
        start = now + (first - wall).total_seconds()
        return [start + i * interval for i in range(self.block)]


class ChatSpacing:
    """About one message per second to any one chat, as Telegram asks."""

    def __init__(
        self, interval: float = 1.0, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.interval = interval
        self.clock, self.sleep = clock, sleep
        self._next: dict[int | str, float] = {}

    async def wait(self, chat: int | str) -> None:
        now = self.clock()
        at = max(self._next.get(chat, 0.0), now)
        self._next[chat] = at + self.interval
        if len(self._next) > 10_000:
            # Forget chats whose spacing has passed, so the map stays small.
            self._next = {c: t for c, t in self._next.items() if t > now}
        if at > now:
            await self.sleep(at - now)
