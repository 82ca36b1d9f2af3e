"""Reaching Telegram at start-up: `naboskap run` does not give up when the Bot API is out of
reach (a network still coming up, an outage, a local Bot API server starting beside us). It
tries again with a growing pause, one log line per failed attempt naming TELEGRAM_API_BASE,
and a stop signal ends the waiting at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import (
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import User

from bot.dependencies import DependencyDown, reason, where

log = logging.getLogger("naboskap")

# What is worth waiting out: no answer at all, Telegram's own trouble, or its flood control.
# A refused token (401) would fail the same way forever: it ends `run` in one line instead.
OUT_OF_REACH = (TelegramNetworkError, TelegramServerError, TelegramRetryAfter, TimeoutError)


@dataclass(frozen=True)
class Backoff:
    """Pauses between attempts: `first`, then doubling, never over `cap` (seconds)."""

    first: float = 1.0
    cap: float = 60.0

    def delays(self) -> Iterator[float]:
        delay = min(self.first, self.cap)
        while True:
            yield delay
            delay = min(delay * 2, self.cap)


async def _until_stopped(stopping: asyncio.Event, work: asyncio.Future[User]) -> User | None:
    """The result of `work`, or None (and `work` cancelled) if `stopping` is set first."""
    waiting: asyncio.Future[object] = asyncio.ensure_future(stopping.wait())
    racing: set[asyncio.Future[object]] = {work, waiting}  # type: ignore[arg-type]
    try:
        await asyncio.wait(racing, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
    if not work.done():
        work.cancel()
        with contextlib.suppress(asyncio.CancelledError, *OUT_OF_REACH):
            await work
        return None
    return work.result()


async def reach_telegram(
    bot: Bot, api_base: str, stopping: asyncio.Event, backoff: Backoff
) -> User | None:
    """The bot's own user (`getMe`) once Telegram answers; None if stopped while waiting;
    `DependencyDown` naming BOT_TOKEN if Telegram refuses the token."""
    delays = backoff.delays()
    attempt = 0
    while not stopping.is_set():
        attempt += 1
        try:
            return await _until_stopped(stopping, asyncio.ensure_future(bot.me()))
        except TelegramUnauthorizedError:
            raise DependencyDown(
                f"BOT_TOKEN: Telegram at {where(api_base)} refused the token (Unauthorized): "
                "check it with @BotFather"
            ) from None
        except OUT_OF_REACH as error:
            delay = next(delays)
            if isinstance(error, TelegramRetryAfter):
                delay = max(delay, float(error.retry_after))
            # One line per attempt, without a traceback; where names host and port only (the
            # token is part of every request's path and must stay out of the log).
            log.warning(
                "TELEGRAM_API_BASE: cannot reach Telegram at %s (%s); attempt %d, "
                "trying again in %g s",
                where(api_base),
                _why(error),
                attempt,
                delay,
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), delay)
    return None


def _why(error: BaseException) -> str:
    if isinstance(error, TelegramRetryAfter):
        return "flood control"
    if isinstance(error, TelegramServerError):
        return "server error"
    return reason(error)
