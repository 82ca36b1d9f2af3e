"""The JSON to and from the Bot API (orjson, `bot.channels.telegram.wire_json`; the bot's
requests as JSON bodies, `bot.channels.telegram.json_session`): text in every script we speak,
emoji beyond the BMP and characters JSON must escape reach Telegram exactly, with their
buttons, from the bot's aiogram session and from the worker's plain-HTTP sender; and a JSON
body carries exactly the fields aiogram's form would."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    SendDocument,
    SendMessage,
    SetMyCommands,
    SetWebhook,
    TelegramMethod,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from bot.app import App
from bot.channels.telegram import wire_json
from bot.channels.telegram.http_sender import HttpTelegramSender
from bot.channels.telegram.json_session import JsonBodySession
from bot.delivery.messages import Button, Rendered
from bot.fake_bot_api import FakeBotAPI
from bot.services import actions
from bot.services.actions import MenuItem, OpenMenu

CHAT = 5151
# Arabic (right to left), Ethiopic (Tigrinya), Dari, Ukrainian, Norwegian, emoji outside the
# BMP (a surrogate pair in \u escapes), a flag (two code points), a zero-width joiner
# sequence, and what JSON must escape: quotes, a backslash, a newline, a tab, U+2028.
TEXT = 'مرحبا بكم ሰላም ንኹልኹም سلام Привіт blåbær 🗓🏠 🇳🇴 👩‍👧 "quoted" back\\slash\nline\ttab\u2028end'
LABEL = "ሓገዝ 🆘 مساعدة"


async def test_the_bots_session_sends_every_script_and_its_buttons_exactly(
    app: App, fake_api: FakeBotAPI
):
    fake_api.chats[CHAT] = []
    data = "x:ሰላም:🏠"
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=LABEL, callback_data=data)]]
    )
    sent = await app.bot.send_message(CHAT, TEXT, reply_markup=markup, parse_mode=None)

    [shown] = [m for m in fake_api.chats[CHAT] if m.from_bot]
    assert shown.text == TEXT
    assert shown.reply_markup == {"inline_keyboard": [[{"text": LABEL, "callback_data": data}]]}
    # ...and Telegram's answer is read back exactly too, but for the keyboard we sent, which
    # the session leaves out on purpose (JsonBodySession.check_response).
    assert sent.text == TEXT
    assert (sent.chat.id, sent.message_id) == (CHAT, shown.message_id)
    assert sent.reply_markup is None


async def test_the_workers_sender_sends_every_script_and_its_buttons_exactly(
    fake_api: FakeBotAPI,
):
    fake_api.chats[CHAT] = []
    message = Rendered(TEXT, ((Button(LABEL, OpenMenu(MenuItem.EVENTS)),),))
    async with aiohttp.ClientSession() as http:
        await HttpTelegramSender(http, fake_api.token, fake_api.base_url).send(CHAT, message)

    [shown] = [m for m in fake_api.chats[CHAT] if m.from_bot]
    assert shown.text == TEXT
    assert shown.reply_markup == {
        "inline_keyboard": [
            [{"text": LABEL, "callback_data": actions.pack(OpenMenu(MenuItem.EVENTS))}]
        ]
    }


def test_wire_json_is_the_standard_librarys_json_in_other_bytes() -> None:
    value = {"text": TEXT, "n": [1, 2.5, True, None], "chat_id": 2**52 - 1}
    # aiogram's session puts `dumps` into form fields and responses: it must be text.
    assert isinstance(wire_json.dumps(value), str)
    assert json.loads(wire_json.dumps(value)) == value
    assert json.loads(wire_json.dumps_bytes(value)) == value
    assert wire_json.loads(json.dumps(value)) == value
    assert wire_json.loads(json.dumps(value).encode()) == value


def _form_fields(session: JsonBodySession, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any]:
    form = session.build_form_data(bot, method)
    return {options["name"]: value for options, _, value in form._fields}


async def test_a_json_body_carries_exactly_the_forms_fields(app: App):
    """Each field aiogram's form would send, with the same value (a nested one as the same
    JSON), and no other; a file upload still goes as the form."""
    session = app.bot.session
    assert isinstance(session, JsonBodySession)
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=LABEL, callback_data="x:1")]]
    )
    methods: list[TelegramMethod[Any]] = [
        # The bot's defaults (HTML, no link previews) resolved, None left out.
        SendMessage(chat_id=CHAT, text=TEXT, reply_markup=keyboard),
        EditMessageText(chat_id=CHAT, message_id=3, text="", reply_markup=keyboard),
        AnswerCallbackQuery(callback_query_id="q", text=None, show_alert=False, cache_time=0),
        SetMyCommands(
            commands=[BotCommand(command="start", description=LABEL)], language_code="ti"
        ),
        SetWebhook(url="https://example.org/hook", allowed_updates=[], drop_pending_updates=True),
    ]
    for method in methods:
        fields = session.json_fields(app.bot, method)
        assert fields is not None
        as_form = {k: v if isinstance(v, str) else session.json_dumps(v) for k, v in fields.items()}
        assert as_form == _form_fields(session, app.bot, method), method
    upload = SendDocument(chat_id=CHAT, document=BufferedInputFile(b"{}", filename="data.json"))
    assert session.json_fields(app.bot, upload) is None


async def test_a_file_is_still_uploaded(app: App, fake_api: FakeBotAPI):
    fake_api.chats[CHAT] = []
    content = "ሰላም 🏠".encode()
    await app.bot.send_document(
        CHAT, BufferedInputFile(content, filename="mine.json"), caption=LABEL
    )
    [shown] = [m for m in fake_api.chats[CHAT] if m.from_bot]
    assert shown.document is not None
    assert shown.document.content == content
