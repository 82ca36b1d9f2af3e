"""Long polling meets an update it cannot read: the good ones around it are answered, the bad
one is skipped with a log line that quotes nothing of it, and the offset moves past it (aiogram's
own polling would fail the whole batch and ask for it again forever)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.app import build_app
from bot.fake_bot_api import FakeBotAPI, FakeUser
from bot.runners import run_polling

SECRET_TEXT = "Kaffe-hemmelighet-XYZ"


def _malformed(user_id: int, name: str) -> dict[str, object]:
    """A message whose id is not a number: aiogram cannot read it into an `Update`."""
    return {
        "message": {
            "message_id": "not a number",
            "date": 0,
            "chat": {"id": user_id, "type": "private", "first_name": name},
            "from": {"id": user_id, "is_bot": False, "first_name": name},
            "text": SECRET_TEXT,
        }
    }


def _record_polls(fake_api: FakeBotAPI) -> list[int | None]:
    """The offset of each getUpdates call as it arrives (None: it confirms nothing); the fake
    server records a call only once it is answered, which for a long poll is too late."""
    offsets: list[int | None] = []
    answer = fake_api.api_getupdates

    async def recording(params: dict[str, Any]) -> list[dict[str, Any]]:
        offsets.append(None if params.get("offset") is None else int(params["offset"]))
        async with fake_api.changed:
            fake_api.changed.notify_all()
        return await answer(params)

    fake_api.api_getupdates = recording  # type: ignore[method-assign]
    return offsets


async def _polled_from(fake_api: FakeBotAPI, offsets: list[int | None], offset: int) -> None:
    async with fake_api.changed:
        await fake_api.changed.wait_for(lambda: offset in offsets)


async def test_polling_skips_an_update_it_cannot_read_and_answers_the_others(
    settings, fake_api: FakeBotAPI, caplog: pytest.LogCaptureFixture
):
    loop = asyncio.get_running_loop()
    unhandled: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))
    # Our logs and aiogram's (the libraries that log SQL parameters stay quiet, as in
    # production: `bot.logs`).
    caplog.set_level(logging.DEBUG, logger="naboskap")
    caplog.set_level(logging.DEBUG, logger="aiogram")
    kari = FakeUser(fake_api, 6001, "Kari", "nb")
    olena = FakeUser(fake_api, 6002, "Olena", "uk")
    amal = FakeUser(fake_api, 6003, "Amal", "ar")
    # One batch, the unreadable update between two good ones (ids 1, 2, 3).
    await kari.send("/start")
    await fake_api.push_update(_malformed(6009, "Ingrid"))
    await olena.send("/start")
    offsets = _record_polls(fake_api)
    app = build_app(settings, pace=fake_api.pace)
    stop = asyncio.Event()
    polling = asyncio.create_task(run_polling(app, stop, on_ready=lambda _ready: None))
    try:
        await kari.wait_for_message(timeout=30)
        await olena.wait_for_message(timeout=30)
        # An unreadable update alone in its batch is confirmed too (id 4: the next poll asks
        # from 5), and what comes after it is answered.
        await fake_api.push_update(_malformed(6009, "Ingrid"))
        await asyncio.wait_for(_polled_from(fake_api, offsets, 5), 30)
        await amal.send("/start")
        await amal.wait_for_message(timeout=30)
    finally:
        stop.set()
        await asyncio.wait_for(polling, 60)
        await app.close()
        loop.set_exception_handler(None)
    assert caplog.text.count("not readable") == 2, "each bad update is read (and logged) once"
    assert "polled update 2 not readable" in caplog.text
    assert "polled update 4 not readable" in caplog.text
    assert offsets.count(None) == 1, offsets  # only the first poll confirms nothing
    assert SECRET_TEXT not in caplog.text and "Ingrid" not in caplog.text
    assert "Kari" not in caplog.text and "Olena" not in caplog.text
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert unhandled == []
