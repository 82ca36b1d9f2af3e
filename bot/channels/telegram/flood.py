"""Keeping every Bot API call within Telegram's flood limits, and waiting out a 429.

Telegram allows a bot about 30 messages a second in all and about one a second to a chat, and
answers 429 with `retry_after` beyond. Direct replies (answers to updates, edits) go through
`FloodControl`, an aiogram session middleware: each message to a chat waits for a free slot
(globally and for its chat) before it is sent, and a 429 on any call is retried after its
`retry_after` as long as the waits stay within a bound. Past the bound the call is dropped with
one log line (no chat, no text) and `TelegramRetryAfter` is raised; the error handlers keep it
from reaching the resident as an error.

The outbox worker paces its sends itself (`bot.delivery.pacing`, shared across workers through
the database) and handles its own 429s (`already_paced`): a 429 on its calls goes back to it at
once. In a process that also answers residents, its sends still take their chat's turn and their
slot in the global budget here: a notice and a reply to the same person in the same second would
otherwise meet a 429, and replies and notices together must stay under the global limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextvars import ContextVar
from typing import Protocol

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

log = logging.getLogger("naboskap.flood")

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# Set while the outbox worker sends: it paces itself and handles 429s its own way.
_already_paced: ContextVar[bool] = ContextVar("already_paced", default=False)

# Methods that put something in a chat: what Telegram's flood limits count.
_COUNTED_PREFIXES = ("send", "edit", "copy", "forward")
# A chat is forgotten when it has no message waiting and its bucket has refilled; the map is
# swept when it grows past this many chats.
_SWEEP_AT = 10_000


class Pace(Protocol):
    """The time flood control waits by: the real one in production; in tests, the fake Bot
    API's own, which its limits are counted in (`bot.fake_bot_api.limits.WarpTime`)."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


@contextlib.contextmanager
def already_paced() -> Iterator[None]:
    """Calls made inside are paced by their caller and take their chat's turn and a global
    slot here as any other; a 429 is handed back to the caller rather than waited out."""
    token = _already_paced.set(True)
    try:
        yield
    finally:
        _already_paced.reset(token)


def counted_chat(method: TelegramMethod[TelegramType]) -> int | str | None:
    """The chat a method writes to, if Telegram's flood limits count it."""
    if not method.__api_method__.lower().startswith(_COUNTED_PREFIXES):
        return None
    chat = getattr(method, "chat_id", None)
    return chat if isinstance(chat, int | str) else None


class _Chat:
    """One chat's token bucket: `burst` messages at once, then one per `interval`."""

    __slots__ = ("lock", "stamp", "tokens", "waiting")

    def __init__(self, burst: int, now: float) -> None:
        self.lock = asyncio.Lock()
        self.tokens = float(burst)
        self.stamp = now
        self.waiting = 0


class FloodControl(BaseRequestMiddleware):
    """Paces messages below Telegram's limits and retries a 429 within `max_wait` seconds."""

    def __init__(
        self,
        rate: float = 25.0,
        *,
        chat_interval: float = 1.05,
        chat_burst: int = 1,
        max_wait: float = 30.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        # 25 a second with no burst stays under Telegram's 30 in any one-second window; a
        # chat's interval is a little over a second, so network jitter cannot squeeze two
        # messages into one second at Telegram's end.
        self.interval = 1.0 / rate
        self.chat_interval = chat_interval
        self.chat_burst = chat_burst
        self.max_wait = max_wait
        self.clock, self.sleep = clock, sleep
        self._next_slot = 0.0
        self._chats: dict[int | str, _Chat] = {}
        # What happened, for the logs and the burst benchmark.
        self.retried = 0
        self.dropped = 0

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        chat = counted_chat(method)
        if _already_paced.get():
            async with self._turn(chat):
                return await make_request(bot, method)
        started = self.clock()
        while True:
            wait = 0.0
            async with self._turn(chat):
                try:
                    return await make_request(bot, method)
                except TelegramRetryAfter as error:
                    retry_at = self.clock() + error.retry_after
                    if retry_at - started > self.max_wait:
                        self.dropped += 1
                        # The method's name only: its chat and text are personal data.
                        log.warning(
                            "%s dropped: Telegram still asked to wait %s s after %.0f s",
                            method.__api_method__,
                            error.retry_after,
                            self.clock() - started,
                        )
                        raise
                    self.retried += 1
                    if chat is not None:
                        self._pause_chat(chat, retry_at)
                    else:
                        wait = error.retry_after
            if wait:
                await self.sleep(wait)

    def take_now(self, chat: int | str) -> bool:
        """Reserve a message to `chat` if it may go right now, without waiting: nothing is
        queued for the chat, its bucket has a token and the global budget has room. For a
        reply carried in a webhook response (`bot.channels.telegram.webhook_reply`), which
        Telegram sends when it reads the response and which this middleware never sees; when
        it cannot go at once it is sent through the API instead, paced as any reply."""
        now = self.clock()
        if self._next_slot > now:
            return False
        state = self._chats.get(chat)
        if state is None:
            if len(self._chats) >= _SWEEP_AT:
                self._sweep()
            state = self._chats[chat] = _Chat(self.chat_burst, now)
        elif state.waiting or state.lock.locked():
            return False
        refill = (now - state.stamp) / self.chat_interval
        tokens = min(float(self.chat_burst), state.tokens + refill)
        if tokens < 1.0:
            return False
        state.tokens, state.stamp = tokens - 1.0, now
        self._next_slot = now + self.interval
        return True

    def _take_global_slot(self) -> float:
        """The next free moment in the global budget (now or later), reserved."""
        now = self.clock()
        at = max(now, self._next_slot)
        self._next_slot = at + self.interval
        return at - now

    @contextlib.asynccontextmanager
    async def _turn(self, chat: int | str | None) -> AsyncIterator[None]:
        """Wait until the chat may get a message and the global budget has room, and hold
        the chat until the call is answered: a chat's messages go one after another, in the
        order they were made, and its pace counts from when Telegram took the last one (a
        message held up on the way cannot arrive right behind the one before)."""
        if chat is None:
            yield
            return
        state = self._chats.get(chat)
        if state is None:
            if len(self._chats) >= _SWEEP_AT:
                self._sweep()
            state = self._chats[chat] = _Chat(self.chat_burst, self.clock())
        state.waiting += 1
        try:
            async with state.lock:
                while True:
                    now = self.clock()
                    refill = (now - state.stamp) / self.chat_interval
                    state.tokens = min(float(self.chat_burst), state.tokens + refill)
                    state.stamp = now
                    if state.tokens >= 1.0:
                        break
                    await self.sleep((1.0 - state.tokens) * self.chat_interval)
                delay = self._take_global_slot()
                if delay > 0:
                    await self.sleep(delay)
                try:
                    yield
                finally:
                    now = self.clock()
                    refill = (now - state.stamp) / self.chat_interval
                    state.tokens = min(float(self.chat_burst), state.tokens + refill) - 1.0
                    state.stamp = now
        finally:
            state.waiting -= 1

    def _pause_chat(self, chat: int | str, until: float) -> None:
        """Telegram said 429 for this chat: nothing goes to it before `until`."""
        now = self.clock()
        state = self._chats.get(chat)
        if state is None:
            state = self._chats[chat] = _Chat(self.chat_burst, now)
        state.tokens = min(state.tokens, 1.0 - (until - now) / self.chat_interval)
        state.stamp = now

    def _sweep(self) -> None:
        """Forget chats with nothing waiting whose bucket is full again."""
        now = self.clock()
        self._chats = {
            chat: state
            for chat, state in self._chats.items()
            if state.waiting
            or state.tokens + (now - state.stamp) / self.chat_interval < self.chat_burst
        }
