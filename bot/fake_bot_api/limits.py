"""Flood control: Telegram's 429 with `retry_after` when a bot sends too fast.

On by default, at Telegram's own limits: about one message a second to a chat, 30 a second in
all, 20 a minute to a group. A bot that passes only a lenient fake fails its first busy evening.

The limits are counted in the server's `pace`: the real one by default, or `WarpTime` in tests,
where waiting costs nothing: the bot under test waits by the same warp time (its flood control
is built on it), so a test that sends a resident ten messages does not wait ten seconds, and the
server still refuses what came too soon in the time the bot itself waited by.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from dataclasses import dataclass

from bot.fake_bot_api.errors import BotApiError

# Methods that put something in a chat: the ones Telegram's flood limits count.
COUNTED_METHODS = frozenset(
    {"sendmessage", "senddocument", "sendphoto", "editmessagetext", "editmessagereplymarkup"}
)


@dataclass(frozen=True)
class RateLimit:
    """Flood limits, Telegram's unless set: at most `per_chat` messages a second to one chat,
    `total` a second in all and `per_group_minute` a minute to one group (a chat with a negative
    id); past them the server answers 429 with `retry_after`, as Telegram does. `None` switches
    a limit off; `RateLimit.off()` all of them (a benchmark measuring the bot's own speed)."""

    per_chat: int | None = 1
    total: int | None = 30
    per_group_minute: int | None = 20

    @classmethod
    def off(cls) -> RateLimit:
        return cls(per_chat=None, total=None, per_group_minute=None)

    @property
    def is_off(self) -> bool:
        return self.per_chat is None and self.total is None and self.per_group_minute is None


class RealTime:
    """The time of the world: the default."""

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class WarpTime:
    """The real time plus every wait anyone made through it, which takes no time at all.

    The server counts its limits in it and the bot under test waits by it: whatever the bot
    waits for here has passed for the server too, and real time passing still counts (a bot in
    another process, waiting by the real clock, is judged fairly as well). Time only moves
    forward, so a limit is never judged more leniently than the bot's own waits allow."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.skipped

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.skipped += seconds
        await asyncio.sleep(0)  # still a point where other tasks run, as a real wait is


class FloodControl:
    """Sliding windows of what was sent: a second per chat and in all, a minute per group."""

    def __init__(self, limit: RateLimit, pace: RealTime | WarpTime | None = None) -> None:
        self.limit = limit
        self.time = pace or RealTime()
        self._sends: dict[object, deque[float]] = {}
        # How many sends were refused: a test can hold a well-behaved bot to none.
        self.refused = 0

    def check(self, chat: object) -> None:
        """Count a send to `chat`, or raise 429 with retry_after when a limit would be passed
        (a refused send is not counted)."""
        limits = self.limit
        if limits.is_off:
            return
        try:
            chat_id = int(str(chat))
        except ValueError:
            return  # the method itself answers "chat not found"
        now = self.time.monotonic()
        group = chat_id < 0
        checks = (
            (("chat", chat_id), None if group else limits.per_chat, 1.0),
            (("group", chat_id), limits.per_group_minute if group else None, 60.0),
            (("all",), limits.total, 1.0),
        )
        windows = []
        for key, limit, span in checks:
            if limit is None:
                continue
            window = self._sends.setdefault(key, deque())
            while window and now - window[0] >= span:
                window.popleft()
            if len(window) >= limit:
                self.refused += 1
                wait = max(1, math.ceil(span - (now - window[0])))
                raise BotApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
            windows.append(window)
        for window in windows:
            window.append(now)
        if len(self._sends) > 10_000:
            # Forget windows that have emptied, so a long run's map stays small.
            self._sends = {k: w for k, w in self._sends.items() if w and now - w[-1] < 60.0}
