"""SMS personas' phones: texts go to the bot's real inbound route, and what the outbox worker
sent through the memory gateway comes back as their thread.

A text is posted over loopback to the route `naboskap run` serves for gateways (SMS_LISTEN, with
the shared secret, in the memory gateway's format), exactly as a gateway would post it; the bot
answers through its outbox, on the SMS channel, paced at SMS_SEND_RATE. Nothing here answers
for the bot: the thread is the persona's own texts and `MemoryGateway.sent`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.channels.sms.gateways.memory import MemoryGateway
from bot.clock import Clock
from bot.logs import failure
from bot.sms_segments import count

log = logging.getLogger("naboskap.playground")

LOOK_EVERY = 0.2  # seconds between looks at the gateway's outbox
ROUTE_WAIT = 60.0  # seconds to wait for the SMS route while the bot is starting
MAX_TEXT = 1000  # the bot reads no more of a text than this


@dataclass(frozen=True)
class SmsItem:
    id: int
    from_bot: bool
    text: str
    date: float  # Unix time on the playground's clock

    def as_json(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": self.id,
            "from_bot": self.from_bot,
            "text": self.text,
            "date": self.date,
        }
        if self.from_bot:
            cost = count(self.text)
            item |= {"segments": cost.segments, "encoding": cost.encoding, "units": cost.units}
        return item


class SmsRouteError(Exception):
    """The bot's inbound route did not take the text (its HTTP status is in the message)."""


class Phones:
    def __init__(
        self,
        gateway: MemoryGateway,
        secret: str,
        on_change: Callable[[], Awaitable[None]],
        time: Clock,
    ) -> None:
        self.gateway = gateway
        self.time = time  # the playground's clock: texts are dated by it
        # Where the bot's inbound route listens: known once the bot is up (`route_opened`).
        self.inbound_url: str | None = None
        self._route_open = asyncio.Event()
        self._secret = secret
        self._on_change = on_change
        self.threads: dict[str, list[SmsItem]] = {}
        self._ids = itertools.count(1)
        self._seen = 0
        self._http: aiohttp.ClientSession | None = None
        self._watcher: asyncio.Task[None] | None = None

    def route_opened(self, url: str) -> None:
        """The bot's inbound route listens at `url` now."""
        self.inbound_url = url
        self._route_open.set()

    def start(self) -> None:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        self._watcher = asyncio.create_task(self._watch(), name="playground-sms")

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        if self._http is not None:
            await self._http.close()

    def thread(self, phone: str) -> list[SmsItem]:
        self.collect()
        return list(self.threads.get(phone, []))

    def collect(self) -> bool:
        """Move what the gateway sent since the last look into the threads."""
        new = self.gateway.sent[self._seen :]
        self._seen += len(new)
        now = self.time.now().timestamp()
        for sms in new:
            self.threads.setdefault(sms.to, []).append(
                SmsItem(next(self._ids), True, sms.text, now)
            )
        return bool(new)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(LOOK_EVERY)
            try:
                if self.collect():
                    await self._on_change()
            except Exception as error:  # the page must keep working whatever happens here
                log.error("could not read the SMS gateway's outbox: %s", failure(error))

    async def send(self, phone: str, text: str) -> None:
        """Text the bot from `phone`, through its inbound route; returns once the bot has
        handled it (its answer is then in the outbox)."""
        if self._http is None:
            raise RuntimeError("the phones have not started")
        self.collect()  # what the bot sent before this text comes before it in the thread
        self.threads.setdefault(phone, []).append(
            SmsItem(next(self._ids), False, text, self.time.now().timestamp())
        )
        await self._on_change()
        body = {"from": phone, "to": "Naboskap", "text": text}
        # The route opens with the bot (`run_polling`), just after the page does.
        try:
            await asyncio.wait_for(self._route_open.wait(), ROUTE_WAIT)
        except TimeoutError:
            raise SmsRouteError("the bot's SMS route is not listening") from None
        assert self.inbound_url is not None  # noqa: S101 - set with the event
        async with self._http.post(
            self.inbound_url, json=body, headers={"X-Naboskap-Secret": self._secret}
        ) as reply:
            if reply.status != 200:
                raise SmsRouteError(f"the bot's SMS route answered {reply.status}")
