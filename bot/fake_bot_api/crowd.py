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
        self.answered: Counter[int] = Counter()  # button presses answered, per chat
        self.reply_seconds: list[float] = []  # every `act`'s time to its first reply
        self._woken: dict[int, asyncio.Event] = {}
        self._pressed: dict[str, int] = {}  # callback query id → chat
        api.on_call = self._seen
        expect_callback = api.expect_callback

        def pressed(query_id: str, chat_id: int) -> None:
            self._pressed[query_id] = chat_id
            expect_callback(query_id, chat_id)

        # Wrapped on this server only: a press's answer names the query, not the chat.
        api.expect_callback = pressed  # type: ignore[method-assign]

    def _seen(self, call: Call) -> None:
        if not call.ok:
            code = (call.error or "").split(":")[0]
            self.refused[429 if code.startswith("Too Many Requests") else 0] += 1
            return
        if call.method.lower() == "answercallbackquery":
            found = self._pressed.pop(str(call.params.get("callback_query_id")), None)
            if found is None:
                return
            chat = found
            self.answered[chat] += 1
        elif call.method.lower() in COUNTED_METHODS:
            try:
                chat = int(str(call.params.get("chat_id")))
            except ValueError:
                return
            self.written[chat] += 1
        else:
            return
        event = self._woken.get(chat)
        if event is not None:
            event.set()

    async def act(
        self,
        user: FakeUser,
        action: Callable[[], Awaitable[object]],
        replies: int = 1,
        answers: int = 0,
    ) -> float:
        """Do `action` (send or press), then wait until the bot has written `replies` messages
        (sent or edited) to the chat and answered `answers` presses; returns the seconds until
        the first of them."""
        chat = user.id
        before = self.written[chat] + self.answered[chat]
        target = (self.written[chat] + replies, self.answered[chat] + answers)
        event = self._woken.setdefault(chat, asyncio.Event())
        started = time.perf_counter()
        first: float | None = None
        await action()
        deadline = started + self.timeout
        while self.written[chat] < target[0] or self.answered[chat] < target[1]:
            if first is None and self.written[chat] + self.answered[chat] > before:
                first = time.perf_counter() - started
            event.clear()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise NoAnswer(chat)
            try:
                await asyncio.wait_for(event.wait(), left)
            except TimeoutError:
                raise NoAnswer(chat) from None
        seconds = first if first is not None else time.perf_counter() - started
        self.reply_seconds.append(seconds)
        return seconds

    async def run(
        self, users: list[FakeUser], script: Callable[[Crowd, FakeUser], Awaitable[object]]
    ) -> CrowdResult:
        """Everyone runs `script` at the same moment; the result has the reply time of every
        step that was answered (also of users who were not answered later on)."""
        first = len(self.reply_seconds)
        result = CrowdResult()

        async def one(user: FakeUser) -> None:
            try:
                await script(self, user)
            except NoAnswer:
                result.unanswered.append(user.id)
            except Exception as error:  # reported with the rest, not raised
                result.failures.append(f"{user.id}: {type(error).__name__}: {error}")

        await asyncio.gather(*(one(user) for user in users))
        result.reply_seconds = self.reply_seconds[first:]
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


async def rsvp(crowd: Crowd, user: FakeUser, data: str) -> list[float]:
    """Press the RSVP button (callback data `data`) on the newest message: the bot answers
    the press with a toast."""
    message = user.last
    return [await crowd.act(user, lambda: user.press_data(data, message), replies=0, answers=1)]
