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

from bot.channels.telegram.flood import FloodControl, already_paced
from bot.fake_bot_api import FakeBotAPI, FakeUser, RateLimit
from bot.fake_bot_api.errors import BotApiError
from bot.fake_bot_api.html import ParseError, parse
from bot.fake_bot_api.limits import FloodControl as FloodLimits
from bot.fake_bot_api.limits import WarpTime
from bot.fake_bot_api.server import DEFAULT_TOKEN


@pytest.fixture
async def bot(fake_api: FakeBotAPI):
    """A bare aiogram bot, paced as the app's is: the fake refuses what Telegram would."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake_api.base_url))
    session.middleware(FloodControl(clock=fake_api.pace.monotonic, sleep=fake_api.pace.sleep))
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
    with already_paced(), pytest.raises(TelegramRetryAfter) as retry:  # handed back, not waited
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


async def test_telegrams_flood_limits_are_on_by_default():
    assert FakeBotAPI().rate_limit == RateLimit(per_chat=1, total=30, per_group_minute=20)
    async with FakeBotAPI(rate_limit=RateLimit(per_chat=1, total=2)) as server:
        session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
        bot = Bot(DEFAULT_TOKEN, session=session)
        try:
            kari, olena, ahmed = (FakeUser(server, 7100 + n, name) for n, name in enumerate("KOA"))
            for user in (kari, olena, ahmed):
                await user.send("hei")
            await bot.send_message(kari.id, "1")
            with pytest.raises(TelegramRetryAfter) as per_chat:
                await bot.send_message(kari.id, "2")
            assert per_chat.value.retry_after >= 1
            await bot.send_message(olena.id, "1")  # another chat: its own allowance
            with pytest.raises(TelegramRetryAfter, match="retry after"):
                await bot.send_message(ahmed.id, "1")  # but 2 a second in all
            assert server.flood_refusals == 2
        finally:
            await session.close()


async def test_a_group_gets_twenty_messages_a_minute():
    time = WarpTime()
    limits = FloodLimits(RateLimit(), time)
    for _ in range(20):
        limits.check(-100123)
        await time.sleep(1.1)  # slower than a private chat's limit
    with pytest.raises(BotApiError) as refused:
        limits.check(-100123)
    assert refused.value.code == 429 and refused.value.retry_after is not None
    assert refused.value.retry_after >= 30  # the first of the twenty leaves the minute later
    await time.sleep(60)
    limits.check(-100123)


async def test_warp_time_moves_by_waits_and_by_the_clock():
    time = WarpTime()
    before = time.monotonic()
    await time.sleep(3600)
    assert 3600 <= time.monotonic() - before < 3660
    await time.sleep(-5)  # time never goes back
    assert time.monotonic() - before >= 3600


async def test_the_page_side_what_a_user_sees(fake_api: FakeBotAPI, bot: Bot):
    from aiogram.types import (
        BotCommand,
        BotCommandScopeChat,
        KeyboardButton,
        ReplyKeyboardMarkup,
        ReplyKeyboardRemove,
    )

    user = FakeUser(fake_api, 7200, "Olena", "uk")
    start = fake_api.revision
    await user.send("/start")
    assert await fake_api.wait_for_change(start, 1) > start
    # The command menu: the chat's own, else the user's app language, else the default.
    await bot.set_my_commands([BotCommand(command="start", description="Menu")])
    await bot.set_my_commands([BotCommand(command="start", description="Меню")], language_code="uk")
    assert fake_api.menu_for(user.id)[0]["description"] == "Меню"
    await bot.set_my_commands(
        [BotCommand(command="events", description="Події")],
        scope=BotCommandScopeChat(chat_id=user.id),
    )
    assert [c["command"] for c in fake_api.menu_for(user.id)] == ["events"]
    # Reply keyboards stay under the text field until removed (one-time ones until used).
    keyboard = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Так")]], one_time_keyboard=True)
    await bot.send_message(user.id, "?", reply_markup=keyboard)
    assert fake_api.keyboards[user.id]["keyboard"][0][0]["text"] == "Так"
    await user.send("Так")
    assert user.id not in fake_api.keyboards
    await bot.send_message(user.id, "?", reply_markup=keyboard)
    await bot.send_message(user.id, "ok", reply_markup=ReplyKeyboardRemove())
    assert user.id not in fake_api.keyboards
    # Edits keep the earlier text; answers to button presses become the chat's toasts.
    sent = await bot.send_message(
        user.id,
        "перше",
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="x")]]
        ),
    )
    await bot.edit_message_text("друге", chat_id=user.id, message_id=sent.message_id)
    assert user.last.previous == ["перше"]
    fake_api.expect_callback("q-toast", user.id)
    await bot.answer_callback_query("q-toast", text="Готово")
    assert fake_api.toasts[user.id][-1]["text"] == "Готово"
