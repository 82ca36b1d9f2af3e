"""aiogram would run each synchronous filter and handler in a worker thread; ours run on the
event loop (`bot.dispatching.run_sync_callbacks_inline`), with the same arguments."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.types import Message, Update

from bot.app import App
from bot.dispatching import NaboskapDispatcher, run_sync_callbacks_inline
from tests.support.residents import UserFactory, onboard


def no_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    async def refused(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a callback was sent to a worker thread")

    monkeypatch.setattr(asyncio, "to_thread", refused)


async def test_the_bots_updates_never_wait_for_a_worker_thread(
    app: App, make_user: UserFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_threads(monkeypatch)
    user = make_user()
    await onboard(user)
    assert await user.send("/networks")
    assert await user.send("/help")
    sorry = app.catalogs.translator("nb").gettext(
        "Sorry, something went wrong on our side. Please try again in a moment."
    )
    assert sorry not in [message.text for message in user.messages]


async def test_sync_filters_and_handlers_get_their_arguments_inline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[str, object]] = []
    router = Router()
    router.message.filter(F.chat.type == ChatType.PRIVATE)

    def only_hello(message: Message) -> bool:
        return message.text == "hello"

    def hello(message: Message, greeting: str) -> None:
        seen.append((message.text or "", greeting))

    router.message.register(hello, only_hello)
    dispatcher = NaboskapDispatcher(greeting="hei")
    dispatcher.include_router(router)
    # The router's own filter, the handler's filter, the handler.
    assert run_sync_callbacks_inline(dispatcher) >= 3
    no_threads(monkeypatch)
    bot = Bot("123456789:AAFakeTokenForTestsOnly-0123456789abc")

    def update(update_id: int, text: str, chat_type: str = "private") -> Update:
        chat = {"id": 7, "type": chat_type, "first_name": "Kari"}
        if chat_type != "private":
            chat["title"] = "Naboer"
        return Update.model_validate(
            {
                "update_id": update_id,
                "message": {
                    "message_id": update_id,
                    "date": 0,
                    "chat": chat,
                    "from": {"id": 7, "is_bot": False, "first_name": "Kari"},
                    "text": text,
                },
            }
        )

    await dispatcher.feed_update(bot, update(1, "hello"))
    await dispatcher.feed_update(bot, update(2, "goodbye"))
    await dispatcher.feed_update(bot, update(3, "hello", "group"))
    await bot.session.close()
    assert seen == [("hello", "hei")]
