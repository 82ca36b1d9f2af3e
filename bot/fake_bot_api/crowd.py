"""A crowd: many simulated users acting at the same moment (a QR code scanned by a whole room, a
notice's RSVP button pressed by a town), each waiting for the bot's answer in its own chat.

It watches the server's calls (`FakeBotAPI.on_call`) per chat, so thousands of users can wait
without each call waking them all, and it measures what a burst test and `benchmarks/burst.py`
report: the time from an update to the first reply in its chat, who never got one, the 429s.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.fake_bot_api.limits import COUNTED_METHODS
from bot.fake_bot_api.server import FakeBotAPI
from bot.fake_bot_api.state import Call
from bot.fake_bot_api.users import FakeUser


class NoAnswer(Exception):
    """A user waited `timeout` seconds for the bot's answer in vain."""


@dataclass
class CrowdResult:
    reply_seconds: list[float] = field(default_factory=list)  # update → first reply
    unanswered: list[int] = field(default_factory=list)  # users left waiting
    failures: list[str] = field(default_factory=list)  # what went wrong otherwise

    def percentile(self, share: float) -> float:
        times = sorted(self.reply_seconds)
        if not times:
            return float("nan")
        return times[min(len(times) - 1, int(share * len(times)))]


class Crowd:
    """Users of one fake Bot API server, and what the bot wrote to each of their chats."""

    def __init__(self, api: FakeBotAPI, timeout: float = 600.0) -> None:
        self.api = api
        self.timeout = timeout
        self.written: Counter[int] = Counter()  # messages sent or edited, per chat
        self.refused: Counter[int] = Counter()  # Bot API error codes
        self._woken: dict[int, asyncio.Event] = {}
        api.on_call = self._seen

    def _seen(self, call: Call) -> None:
        if not call.ok:
            code = (call.error or "").split(":")[0]
            self.refused[429 if code.startswith("Too Many Requests") else 0] += 1
            return
        if call.method.lower() not in COUNTED_METHODS:
            return
        try:
            chat = int(str(call.params.get("chat_id")))
        except ValueError:
            return
        self.written[chat] += 1
        event = self._woken.get(chat)
        if event is not None:
            event.set()

    async def act(
        self, user: FakeUser, action: Callable[[], Awaitable[object]], replies: int = 1
    ) -> float:
        """Do `action` (send or press) and wait until the bot has written `replies` messages
        (sent or edited) to the chat; returns the seconds until the first of them."""
        chat = user.id
        target = self.written[chat] + replies
        event = self._woken.setdefault(chat, asyncio.Event())
        started = time.perf_counter()
        first: float | None = None
        await action()
        deadline = started + self.timeout
        while self.written[chat] < target:
            if first is None and self.written[chat] > target - replies:
                first = time.perf_counter() - started
            event.clear()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise NoAnswer(chat)
            try:
                await asyncio.wait_for(event.wait(), left)
            except TimeoutError:
                raise NoAnswer(chat) from None
        return first if first is not None else time.perf_counter() - started

    async def run(
        self, users: list[FakeUser], script: Callable[[Crowd, FakeUser], Awaitable[list[float]]]
    ) -> CrowdResult:
        """Everyone runs `script` at the same moment; it returns its reply times."""
        result = CrowdResult()

        async def one(user: FakeUser) -> None:
            try:
                result.reply_seconds.extend(await script(self, user))
            except NoAnswer:
                result.unanswered.append(user.id)
            except Exception as error:  # reported with the rest, not raised
                result.failures.append(f"{user.id}: {type(error).__name__}: {error}")

        await asyncio.gather(*(one(user) for user in users))
        return result


async def onboard_by_link(crowd: Crowd, user: FakeUser, language: str, link: str) -> list[float]:
    """/start with a network's deep link (a QR code), the language, the privacy notice: the
    bot asks for the language (1 message), shows the notice (1 edit), then the menu (1 edit)
    and the network joined (1 message)."""
    times = [await crowd.act(user, lambda: user.send(f"/start {link}"))]
    times.append(await crowd.act(user, lambda: user.press(language)))
    accept = user.last.buttons[0]["text"]
    times.append(await crowd.act(user, lambda: user.press(accept), replies=2))
    return times
