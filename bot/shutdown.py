"""How a long-running process starts listening for a stop, says it is ready, and stops in a
known order within a known time.

`naboskap run`, `naboskap worker` and the playground share these rules:

- The SIGINT/SIGTERM handlers go in first, before anything is served, so that a stop at any
  moment is a clean stop (`stop_on_signals`).
- Once the process takes work, it writes one line to stderr, `naboskap: ready (...)`
  (`announce_ready`); tests and supervisors wait for that line instead of guessing with sleeps.
- Every step of a shutdown is waited for at most a fixed time (`settle`): a step that overruns
  is cancelled, and one that ignores even that is left behind with a warning, so a stop always
  ends. Steps run in the reverse order of starting: what takes work in (Telegram, SMS routes)
  stops first, then the scheduler, then the outbox worker, then connections close.

This module imports neither aiogram nor aiohttp.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Iterable
from dataclasses import dataclass

from bot.logs import failure

log = logging.getLogger("naboskap")

READY = "naboskap: ready"
# How long a cancelled step may take to unwind before it is left behind.
CANCEL_GRACE = 5.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass(frozen=True)
class Ready:
    """What a process says once it takes work: how it gets updates, and where its SMS routes
    listen (the real port, also when the setting asked for port 0)."""

    how: str
    sms: tuple[str, int] | None = None

    def line(self) -> str:
        where = f"; SMS routes on {self.sms[0]}:{self.sms[1]}" if self.sms else ""
        return f"{READY} ({self.how}{where})"


def announce_ready(ready: Ready) -> None:
    """Write the readiness line to stderr (flushed: a reader may be waiting for it)."""
    print(ready.line(), file=sys.stderr, flush=True)


@contextlib.asynccontextmanager
async def stop_on_signals(stop: asyncio.Event | None = None) -> AsyncIterator[asyncio.Event]:
    """The event a process stops on. Without one given, a new one that SIGINT and SIGTERM set,
    installed at once (enter this before serving anything) and removed on the way out. With
    one given, the caller owns stopping and no handler is installed."""
    if stop is not None:
        yield stop
        return
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []

    def on_signal(sig: signal.Signals) -> None:
        if not stop.is_set():
            log.info("received %s: stopping", sig.name)
        stop.set()

    try:
        for sig in STOP_SIGNALS:
            with contextlib.suppress(NotImplementedError):  # no POSIX signals (Windows)
                loop.add_signal_handler(sig, on_signal, sig)
                installed.append(sig)
        yield stop
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def settle(step: Awaitable[object], within: float, what: str) -> bool:
    """Wait at most `within` seconds for `step`; past that, cancel it and give it
    `CANCEL_GRACE` seconds more, then leave it behind with a warning. Its own exception is
    logged, not raised: the rest of the shutdown goes on. True if it finished by itself.

    Cancelling the caller cancels the step too (as awaiting it directly would)."""
    task = asyncio.ensure_future(step)
    try:
        done, _ = await asyncio.wait({task}, timeout=within)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if not done:
        log.warning("%s did not stop within %.0f s: cancelling it", what, within)
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=CANCEL_GRACE)
        if not done:
            log.warning("%s ignored its cancellation: left behind", what)
        return False
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("%s failed while stopping: %s", what, failure(error))
        return False
    return True


async def settle_all(tasks: Iterable[asyncio.Future[object]], within: float, what: str) -> None:
    """`settle` for a group of tasks already running (in-flight updates, scheduled jobs)."""
    pending = [task for task in tasks if not task.done()]
    if pending:
        await settle(asyncio.gather(*pending, return_exceptions=True), within, what)
