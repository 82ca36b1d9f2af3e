"""The fake Bot API answers as Telegram does, errors included, so tests catch what Telegram
would refuse."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.fake_bot_api import FakeBotAPI, FakeUser
from bot.fake_bot_api.html import ParseError, parse
from bot.fake_bot_api.server import DEFAULT_TOKEN


@pytest.fixture
async def bot(fake_api: FakeBotAPI):
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake_api.base_url))
    client = Bot(DEFAULT_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    yield client
    await client.session.close()


def test_html_becomes_text_and_entities():
    text, entities = parse(
        '<b>Hei</b> &amp; <a href="https://larvik.kommune.no">velkommen</a> 👋 <i>x</i>'
    )
    assert text == "Hei & velkommen 👋 x"
    assert entities[0] == {"type": "bold", "offset": 0, "length": 3}
    assert entities[1]["type"] == "text_link" and entities[1]["url"] == "https://larvik.kommune.no"
    # Offsets count UTF-16 code units: the emoji takes two.
    assert entities[2] == {"type": "italic", "offset": 19, "length": 1}


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("<b>x", "Can't find end tag"),
        ("x</b>", "Unexpected end tag"),
        ("a & b", "Character entity expected"),
        ("1 < 2", "Unclosed start tag"),
    ],
)
def test_invalid_html_is_refused_like_telegram(source, error):
    with pytest.raises(ParseError, match=error):
        parse(source)


async def test_limits_and_errors_reach_the_bot_as_telegram_errors(fake_api: FakeBotAPI, bot: Bot):
    user = FakeUser(fake_api, 7001, "Kari")
    await user.send("hei")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(user.id, "x" * 4097)
    await bot.send_message(user.id, "x" * 4096)
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(user.id, "<blink>hei</blink>")
    too_long = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="y" * 65)]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(user.id, "hei", reply_markup=too_long)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "hei")
    fake_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(user.id, "hei")
    assert retry.value.retry_after == 3
    await user.block()
    with pytest.raises(TelegramForbiddenError, match="blocked"):
        await bot.send_message(user.id, "hei")


async def test_edits_follow_telegram_rules(fake_api: FakeBotAPI, bot: Bot):
    user = FakeUser(fake_api, 7002, "Kari")
    await user.send("hei")
    sent = await bot.send_message(user.id, "første")
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("første", chat_id=user.id, message_id=sent.message_id)
    await bot.edit_message_text("andre", chat_id=user.id, message_id=sent.message_id)
    assert user.last.text == "andre" and user.last.edited
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("tredje", chat_id=user.id, message_id=999)
