"""`naboskap worker` sends without aiogram (`HttpTelegramSender`, plain HTTP and JSON): every
answer Telegram can give must mean for a delivery what it means with the bot's aiogram sender
(`TelegramSender`), and the worker process must deliver the outbox end to end."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.app import App
from bot.catalog_maintenance import PROJECT
from bot.channels.telegram.http_sender import HttpTelegramSender
from bot.channels.telegram.sender import TelegramSender
from bot.config import WEEKDAYS, Settings
from bot.delivery.messages import Button, Rendered
from bot.delivery.outcomes import Permanent, RetryAfter, Sent, Transient, Unreachable
from bot.fake_bot_api import FakeBotAPI
from bot.services import actions
from bot.services.actions import MenuItem, OpenMenu
from bot.services.digest.schedule import CATCH_UP
from bot.worker_process import run_worker_process

CHAT = 4242
MESSAGE = Rendered(
    "<b>Dugnad</b> lørdag",
    ((Button("🗓 Events", OpenMenu(MenuItem.EVENTS)),),),
)


async def test_a_message_is_sent_with_its_buttons(fake_api: FakeBotAPI):
    fake_api.chats[CHAT] = []
    async with aiohttp.ClientSession() as http:
        sender = HttpTelegramSender(http, fake_api.token, fake_api.base_url)
        outcome = await sender.send(CHAT, MESSAGE)

    [shown] = [m for m in fake_api.chats[CHAT] if m.from_bot]
    assert outcome == Sent(str(shown.message_id))
    assert shown.text == "Dugnad lørdag"  # HTML parsed, as the bot's own messages are
    assert shown.reply_markup == {
        "inline_keyboard": [
            [{"text": "🗓 Events", "callback_data": actions.pack(OpenMenu(MenuItem.EVENTS))}]
        ]
    }


# (code, description, retry_after) -> the outcome's type and what it carries
FAILURES = [
    pytest.param(429, "Too Many Requests: retry after 7", 7, RetryAfter(7.0), id="429"),
    pytest.param(
        403,
        "Forbidden: bot was blocked by the user",
        None,
        Unreachable("Forbidden: bot was blocked by the user"),
        id="403-blocked",
    ),
    pytest.param(
        400,
        "Bad Request: chat not found",
        None,
        Unreachable("Bad Request: chat not found"),
        id="400-chat-not-found",
    ),
    pytest.param(
        400,
        "Bad Request: message is too long",
        None,
        Permanent("Bad Request: message is too long"),
        id="400-permanent",
    ),
    pytest.param(500, "Internal Server Error", None, Transient, id="500"),
    pytest.param(502, "Bad Gateway", None, Transient, id="502"),
]


@pytest.mark.parametrize(("code", "description", "retry_after", "expected"), FAILURES)
async def test_each_refusal_means_what_it_means_to_the_aiogram_sender(
    app: App,
    fake_api: FakeBotAPI,
    code: int,
    description: str,
    retry_after: int | None,
    expected: object,
):
    fake_api.chats[CHAT] = []
    async with aiohttp.ClientSession() as http:
        thin = HttpTelegramSender(http, fake_api.token, fake_api.base_url)
        fake_api.fail_next("sendMessage", code, description, retry_after)
        got = await thin.send(CHAT, MESSAGE)
    fake_api.fail_next("sendMessage", code, description, retry_after)
    theirs = await TelegramSender(app.bot).send(CHAT, MESSAGE)

    if isinstance(expected, type):
        assert isinstance(got, expected) and isinstance(theirs, expected)
    else:
        assert got == expected == theirs
    assert not [m for m in fake_api.chats[CHAT] if m.from_bot]


async def test_an_unknown_chat_is_unreachable(fake_api: FakeBotAPI):
    async with aiohttp.ClientSession() as http:
        outcome = await HttpTelegramSender(http, fake_api.token, fake_api.base_url).send(
            987654, MESSAGE
        )
    assert isinstance(outcome, Unreachable)


async def test_telegram_out_of_reach_is_transient(reserved_port: int):
    async with aiohttp.ClientSession() as http:  # nothing listens on the reserved port
        sender = HttpTelegramSender(http, "123:" + "a" * 30, f"http://127.0.0.1:{reserved_port}")
        outcome = await sender.send(CHAT, MESSAGE)
    assert isinstance(outcome, Transient)
    assert outcome.reason.startswith("TelegramNetworkError")


async def test_an_answer_that_is_not_the_bot_apis_is_transient(fake_api: FakeBotAPI):
    async with aiohttp.ClientSession() as http:
        # The fake server's root is no Bot API method: aiohttp's own 404 page, not JSON.
        sender = HttpTelegramSender(http, fake_api.token, fake_api.base_url + "/nothing-here")
        outcome = await sender.send(CHAT, MESSAGE)
    assert isinstance(outcome, Transient)


# The worker process cannot know of the replies just sent to the same chats by the bot: Telegram
# may refuse its first try with a 429, which it waits out.
@pytest.mark.meets_flood_limits
async def test_the_worker_process_delivers_a_broadcast(
    app: App, settings: Settings, fake_api: FakeBotAPI, hosted_network
):  # type: ignore[no-untyped-def]
    """`naboskap worker`'s own process (no aiogram bot) takes a broadcast from the outbox to
    every member, and stops cleanly when told."""
    from bot.services import broadcasts
    from bot.services.actors import Actor

    view, host, olena = hosted_network
    async with app.sessionmaker() as session:
        # A weekday noon in the past: no quiet hours hold it back.
        noon = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)
        await broadcasts.broadcast(
            session, Actor.operator(), app.catalogs, text="Vannet stenges i kveld",
            network_id=view.id, now=noon,
        )  # fmt: skip
    # The worker also runs the scheduler, which would catch up a weekly digest whose slot passed
    # within CATCH_UP and send it first: put the slot three days ahead, the last one four behind.
    ahead = datetime.now(UTC).astimezone(ZoneInfo("Europe/Oslo")) + timedelta(days=3)
    assert timedelta(days=4) > CATCH_UP
    settings = settings.model_copy(
        update={"digest_weekday": WEEKDAYS[ahead.weekday()], "digest_time": ahead.strftime("%H:%M")}
    )
    before = {u.id: len(u.messages) for u in (host, olena)}
    stop = asyncio.Event()
    ready: list[object] = []
    worker = asyncio.create_task(run_worker_process(settings, stop, on_ready=ready.append))
    try:
        for user in (host, olena):
            await user.wait_for_message(before[user.id] + 1, timeout=30)
    finally:
        stop.set()
        await asyncio.wait_for(worker, 30)
    assert ready
    assert "Vannet stenges i kveld" in host.last.text
    assert "Vannet stenges i kveld" in olena.last.text


@pytest.mark.slow  # a fresh interpreter
def test_the_worker_command_does_not_load_aiogram():
    child = (
        "import sys, bot.cli.serve, bot.worker_process\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'aiogram'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", child],
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == "[]"
