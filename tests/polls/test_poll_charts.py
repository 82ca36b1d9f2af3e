"""The results chart and how it travels: a PNG of the expected size in every script we ship
(Arabic and Dari right to left), sent as a photo with its caption by both Telegram senders, and
the fake Bot API's sendPhoto as strict as Telegram's (caption length and HTML, the file, flood
limits)."""

from __future__ import annotations

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramEntityTooLarge, TelegramRetryAfter
from aiogram.types import BufferedInputFile

from bot.channels.telegram.http_sender import HttpTelegramSender
from bot.channels.telegram.sender import TelegramSender
from bot.delivery.messages import Button, Rendered
from bot.delivery.outcomes import Permanent, Sent
from bot.fake_bot_api import FakeBotAPI, FakeUser
from bot.fake_bot_api.limits import RateLimit
from bot.fake_bot_api.server import DEFAULT_TOKEN
from bot.services.actions import PollResults
from bot.services.polls.chart import ChartData, draw
from tests.support.polls import png_size

CHAT = 4343
CHART = draw(ChartData("Benker?", ("Ja", "Nei"), (3, 1), ("3 (75 %)", "1 (25 %)"), "4 svar", False))


async def _chart(name: str) -> tuple[str, bytes] | None:
    return ("poll-1.png", CHART) if name == "poll-chart:1:nb" else None


@pytest.mark.parametrize(
    ("title", "labels", "rtl"),
    [
        ("Skal vi ha benker langs Torstrandgata?", ("Ja", "Nei", "Vet ikke"), False),
        ("Чи ставити лавки?", ("Так", "Ні"), False),
        ("هل نضع مقاعد على طول الشارع؟", ("نعم", "لا", "أخرى"), True),
        ("آیا نیمکت بگذاریم؟", ("بلی", "نخیر"), True),
        ("ኣግዳማት ንግበር ዶ?", ("እወ", "ኣይፋል"), False),
        ("x" * 300, tuple("y" * 100 for _ in range(7)), False),  # the longest texts allowed
    ],
)
def test_a_chart_is_a_png_of_the_same_size_in_every_script(title, labels, rtl):
    counts = tuple(range(len(labels)))
    values = tuple(str(c) for c in counts)
    png = draw(ChartData(title, labels, counts, values, "0", rtl))
    assert png_size(png) == (800, 500)
    assert len(png) < 10 * 1024 * 1024


async def test_both_senders_send_a_chart_as_a_photo_with_its_caption(app, fake_api: FakeBotAPI):
    fake_api.chats[CHAT] = []
    message = Rendered(
        "📊 <b>Benker?</b>\nJa: 3 (75 %)",
        ((Button("📈", PollResults(1)),),),
        attachment="poll-chart:1:nb",
    )
    outcome = await TelegramSender(app.bot, _chart).send(CHAT, message)
    await fake_api.pace.sleep(1.1)  # one message a second to a chat
    async with aiohttp.ClientSession() as http:
        thin = HttpTelegramSender(http, fake_api.token, fake_api.base_url, attachments=_chart)
        second = await thin.send(CHAT, message)
    photos = [m for m in fake_api.chats[CHAT] if m.photo is not None]
    assert [type(outcome), type(second)] == [Sent, Sent] and len(photos) == 2
    for photo in photos:
        assert photo.text == "📊 Benker?\nJa: 3 (75 %)"
        assert png_size(photo.photo.content) == (800, 500)  # type: ignore[union-attr]
        assert photo.button_texts == ["📈"]


async def test_a_text_too_long_for_a_caption_goes_alone(app, fake_api: FakeBotAPI):
    fake_api.chats[CHAT] = []
    message = Rendered("<b>Resultater</b>\n" + "Ja: 3\n" * 300, attachment="poll-chart:1:nb")
    async with aiohttp.ClientSession() as http:
        sender = HttpTelegramSender(http, fake_api.token, fake_api.base_url, attachments=_chart)
        outcome = await sender.send(CHAT, message)
    await fake_api.pace.sleep(1.1)
    second = await TelegramSender(app.bot, _chart).send(CHAT, message)
    texts = fake_api.chats[CHAT]
    assert [outcome, second] == [Sent(str(m.message_id)) for m in texts]
    assert all(m.photo is None and m.text.startswith("Resultater") for m in texts)


async def test_send_photo_is_as_strict_as_telegram(app, fake_api: FakeBotAPI):
    fake_api.chats[CHAT] = []
    bot = app.bot
    photo = BufferedInputFile(CHART, filename="chart.png")

    async def refused(error: type[Exception], match: str | None, *args: object, **kw: object):
        await fake_api.pace.sleep(1.1)  # one a second to a chat: refusals count too
        with pytest.raises(error, match=match):
            await bot.send_photo(CHAT, *args, **kw)  # type: ignore[arg-type]

    await refused(TelegramBadRequest, "caption is too long", photo, caption="x" * 1025)
    await refused(TelegramBadRequest, "parse entities", photo, caption="Under < 5 <b>bold")
    not_a_picture = BufferedInputFile(b"not a picture", filename="x.png")
    await refused(TelegramBadRequest, "IMAGE_PROCESS_FAILED", not_a_picture)
    await refused(TelegramBadRequest, "remote file identifier", "https-nothing-here")
    big = BufferedInputFile(CHART + b"\0" * (10 * 1024 * 1024), filename="big.png")
    await refused(TelegramEntityTooLarge, None, big)
    await fake_api.pace.sleep(1.1)
    sent = await bot.send_photo(CHAT, photo, caption="&lt; 5 <b>ok</b>")
    assert sent.photo and sent.photo[0].width == 800 and sent.caption == "< 5 ok"
    # A caption that does not parse is a Permanent failure of the delivery, not a retry.
    await fake_api.pace.sleep(1.1)
    bad = Rendered("Under < 5", attachment="poll-chart:1:nb")
    assert isinstance(await TelegramSender(bot, _chart).send(CHAT, bad), Permanent)


async def test_send_photo_counts_against_the_flood_limits():
    async with FakeBotAPI(rate_limit=RateLimit(per_chat=1, total=30)) as server:
        session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
        bot = Bot(DEFAULT_TOKEN, session=session)
        try:
            kari = FakeUser(server, 7300, "Kari")
            await kari.send("hei")
            await bot.send_photo(kari.id, BufferedInputFile(CHART, filename="c.png"))
            with pytest.raises(TelegramRetryAfter):
                await bot.send_message(kari.id, "for fort")
            assert server.flood_refusals == 1
        finally:
            await session.close()
