"""Updates are read without the keyboard of the message a button was pressed on
(`bot.dispatching.parse_update`): what handlers use is all there, and what cannot be read still
fails as before."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Bot
from pydantic import ValidationError

from bot.dispatching import parse_update

KEYBOARD = {"inline_keyboard": [[{"text": "Norsk (bokmål)", "callback_data": "l:nb"}]]}


def press(data: str = "l:nb", **message: Any) -> dict[str, Any]:
    return {
        "update_id": 7,
        "callback_query": {
            "id": "q1",
            "from": {"id": 1001, "is_bot": False, "first_name": "Olena"},
            "chat_instance": "c1",
            "data": data,
            "message": {
                "message_id": 42,
                "date": 1_700_000_000,
                "chat": {"id": 1001, "type": "private", "first_name": "Olena"},
                "text": "Velg språk",
                **message,
            },
        },
    }


@pytest.fixture
def bot() -> Bot:
    return Bot("123456789:AAFakeTokenForTestsOnly-0123456789abc")


def test_a_pressed_buttons_message_comes_without_its_keyboard(bot: Bot) -> None:
    raw = press(reply_markup=KEYBOARD)
    update = parse_update(raw, bot)
    query = update.callback_query
    assert query is not None and query.message is not None
    assert (query.data, query.from_user.id, query.message.message_id) == ("l:nb", 1001, 42)
    assert query.message.chat.id == 1001
    assert query.message.text == "Velg språk"
    assert query.message.reply_markup is None
    # Telegram's own object is left as it came (a retry, a log of its id, read it whole).
    assert raw["callback_query"]["message"]["reply_markup"] == KEYBOARD


def test_other_updates_are_read_whole(bot: Bot) -> None:
    raw = {
        "update_id": 8,
        "message": {
            "message_id": 3,
            "date": 1_700_000_000,
            "chat": {"id": 1001, "type": "private", "first_name": "Olena"},
            "from": {"id": 1001, "is_bot": False, "first_name": "Olena"},
            "text": "/start",
            "reply_markup": KEYBOARD,
        },
    }
    update = parse_update(raw, bot)
    assert update.message is not None and update.message.reply_markup is not None


@pytest.mark.parametrize(
    "raw",
    [
        press(reply_markup={"inline_keyboard": "not rows"}, date="yesterday"),
        {"update_id": "x"},
        {"update_id": 9, "callback_query": "forged"},
    ],
)
def test_what_cannot_be_read_still_fails_to_validate(bot: Bot, raw: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        parse_update(raw, bot)
