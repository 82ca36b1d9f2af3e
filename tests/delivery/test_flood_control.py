"""The Bot API session's flood control on a clock of its own: messages to a chat a second
apart, all messages within the global rate, nothing else held up, and the outbox worker's sends
paced with them but their 429s handed back to it."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import AnswerCallbackQuery, SendMessage, TelegramMethod

from bot.channels.telegram.flood import FloodControl, already_paced


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def control(time: VirtualTime, **options: Any) -> FloodControl:
    return FloodControl(
        options.pop("rate", 10.0),
        chat_interval=1.0,
        clock=time.clock,
        sleep=time.sleep,
        **options,
    )


async def sent_at(flood: FloodControl, time: VirtualTime, methods: list[TelegramMethod[Any]]):
    moments: list[float] = []

    async def make_request(bot: object, method: TelegramMethod[Any]) -> Any:
        moments.append(round(time.now, 3))
        return None

    for method in methods:
        await flood(make_request, None, method)  # type: ignore[arg-type]
    return moments


async def test_a_chat_gets_one_message_a_second():
    time = VirtualTime()
    flood = control(time)
    messages = [SendMessage(chat_id=1, text="x") for _ in range(3)]
    assert await sent_at(flood, time, messages) == [0.0, 1.0, 2.0]


async def test_a_chat_may_burst_when_allowed():
    time = VirtualTime()
    flood = control(time, chat_burst=2)
    messages = [SendMessage(chat_id=1, text="x") for _ in range(3)]
    # Two at once (within the global rate), then one a second.
    assert await sent_at(flood, time, messages) == [0.0, 0.1, 1.0]


async def test_all_chats_share_the_global_rate():
    time = VirtualTime()
    flood = control(time, rate=10.0)
    messages = [SendMessage(chat_id=chat, text="x") for chat in range(1, 5)]
    assert await sent_at(flood, time, messages) == [0.0, 0.1, 0.2, 0.3]


async def test_answers_to_buttons_are_not_held():
    time = VirtualTime()
    flood = control(time)
    answers = [AnswerCallbackQuery(callback_query_id=str(i)) for i in range(3)]
    assert await sent_at(flood, time, answers) == [0.0, 0.0, 0.0]


async def test_the_outbox_workers_sends_take_their_turn_and_the_budget():
    time = VirtualTime()
    flood = control(time, rate=10.0)
    with already_paced():
        # A chat's notices a second apart, as its replies: the worker and the replies share
        # the chat (a notice right behind a reply would meet a 429).
        assert await sent_at(flood, time, [SendMessage(chat_id=1, text="x")] * 2) == [0.0, 1.0]
    # The next reply waits for the global slots the worker took.
    assert await sent_at(flood, time, [SendMessage(chat_id=2, text="x")]) == [1.1]


async def test_a_429_on_the_outbox_workers_send_goes_back_to_it_at_once():
    time = VirtualTime()
    flood = control(time)
    tries = 0

    async def refused(bot: object, method: TelegramMethod[Any]) -> Any:
        nonlocal tries
        tries += 1
        raise TelegramRetryAfter(method, "Too Many Requests: retry after 5", 5)

    with already_paced(), pytest.raises(TelegramRetryAfter):
        await flood(refused, None, SendMessage(chat_id=1, text="x"))  # type: ignore[arg-type]
    assert tries == 1
    assert time.now == 0.0
