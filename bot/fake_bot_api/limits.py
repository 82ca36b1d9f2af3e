"""Flood control: Telegram's 429 with `retry_after` when a bot sends too fast.

Off unless switched on (tests and the playground turn it on to watch the outbox worker wait).
Telegram allows about one message a second to a chat and about 30 a second in all.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass

from bot.fake_bot_api.errors import BotApiError

# Methods that put something in a chat: the ones Telegram's flood limits count.
COUNTED_METHODS = frozenset(
    {"sendmessage", "senddocument", "editmessagetext", "editmessagereplymarkup"}
)


@dataclass(frozen=True)
class RateLimit:
    """Flood limits, off unless set: at most `per_chat` messages a second to one chat and
    `total` a second in all; past them the server answers 429 with `retry_after`, as Telegram
    does (about 1 a second to a chat and 30 in all)."""

    per_chat: int | None = None
    total: int | None = None


class FloodControl:
    """Sliding one-second windows of what was sent, per chat and in all."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self._sends: dict[int | None, deque[float]] = {}

    def check(self, chat: object) -> None:
        """Count a send to `chat`, or raise 429 with retry_after when a switched-on limit
        would be passed (a refused send is not counted)."""
        limits = self.limit
        if limits.per_chat is None and limits.total is None:
            return
        try:
            chat_id: int | None = int(str(chat))
        except ValueError:
            return  # the method itself answers "chat not found"
        now = time.monotonic()
        windows = []
        for key, limit in ((chat_id, limits.per_chat), (None, limits.total)):
            if limit is None:
                continue
            window = self._sends.setdefault(key, deque())
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= limit:
                wait = max(1, math.ceil(1.0 - (now - window[0])))
                raise BotApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
            windows.append(window)
        for window in windows:
            window.append(now)
