"""`naboskap run` for real: long polling and webhook against the fake Bot API, command menus per
language, and a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import json
import logging
import signal
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.app import build_app
from bot.fake_bot_api import FakeBotAPI, FakeUser
from bot.fake_bot_api.server import DEFAULT_TOKEN
from bot.runners import webhook_application
from tests.support.processes import RealProcess, clean_environment
from tests.support.settings import make_settings


def _start_bot(env: dict[str, str], cwd: Path, *args: str) -> RealProcess:
    return RealProcess.naboskap("run", *args, env=clean_environment(**env), cwd=cwd)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("how", "loop"),
    [
        pytest.param(
            signal.SIGTERM,
            "uvloop",
            id="SIGTERM-uvloop",
            marks=pytest.mark.skipif(
                importlib.util.find_spec("uvloop") is None, reason="uvloop is not installed here"
            ),
        ),
        pytest.param(signal.SIGINT, "asyncio", id="SIGINT-asyncio"),
    ],
)
async def test_long_polling_answers_and_stops_cleanly(
    database_url: str, fake_api: FakeBotAPI, tmp_path: Path, how: signal.Signals, loop: str
):
    env = {
        "BOT_TOKEN": DEFAULT_TOKEN,
        "TELEGRAM_API_BASE": fake_api.base_url,
        "DATABASE_URL": database_url,
        # Both loops start, answer and stop on both signals' paths (bot.event_loop).
        "EVENT_LOOP": loop,
    }
    process = _start_bot(env, tmp_path)
    try:
        assert "long polling as @" in await process.until_ready()
        user = FakeUser(fake_api, 5001, "Olena", "uk")
        await user.send("/start")
        messages = await user.wait_for_message(timeout=60)
        assert "Українська" in messages[-1].button_texts[0]
        # The command menu is registered in every shipped language at start-up.
        assert fake_api.commands_for("uk")[:3] == ["start", "events", "networks"]
        uk_menu = fake_api.commands[("default", "uk")]
        assert uk_menu[2]["description"] != "Neighbourhoods and groups"
        assert (
            fake_api.commands_for("no") == fake_api.commands_for("nb") == fake_api.commands_for("")
        )
        assert fake_api.commands_for("fa")
    finally:
        code, stderr = await process.stopped(how)
    assert code == 0, stderr
    assert f"event loop: {loop}" in stderr
    assert "Traceback" not in stderr
    assert "Olena" not in stderr


async def test_webhook_checks_the_secret_and_handles_updates(settings, fake_api: FakeBotAPI):
    app = build_app(settings, pace=fake_api.pace)
    runner = web.AppRunner(webhook_application(app, "s3cret", "/telegram"))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        url = f"http://127.0.0.1:{port}/telegram"
        async with aiohttp.ClientSession() as client:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with client.post(url, json={"update_id": 1}, headers=headers) as reply:
                    assert reply.status == 401
        await app.bot.set_webhook(url, secret_token="s3cret")
        user = FakeUser(fake_api, 5002, "Kari", "nb")
        await user.send("/start")
        await user.wait_for_message()
        assert fake_api.webhook is not None and fake_api.webhook["last_status"] == 200
    finally:
        await runner.cleanup()
        await app.close()


@pytest.mark.slow
async def test_run_webhook_registers_itself_and_stops_cleanly(
    database_url: str, fake_api: FakeBotAPI, tmp_path: Path, reserved_port: int
):
    # The webhook's URL, given before the start, must name the port: it is held for the bot
    # (which binds it with SO_REUSEADDR), so that no other process takes it meanwhile.
    port = reserved_port
    env = {
        "BOT_TOKEN": DEFAULT_TOKEN,
        "TELEGRAM_API_BASE": fake_api.base_url,
        "DATABASE_URL": database_url,
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
        "WEBHOOK_SECRET": "s3cret-token",
        "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    }
    process = _start_bot(env, tmp_path, "--webhook")
    try:
        assert f"webhook on 127.0.0.1:{port}/hook" in await process.until_ready()
        assert fake_api.webhook == {
            "url": f"http://127.0.0.1:{port}/hook",
            "secret_token": "s3cret-token",
        }
        user = FakeUser(fake_api, 5003, "Amal", "ar")
        await user.send("/start")
        messages = await user.wait_for_message(timeout=60)
        assert "العربية" in messages[-1].button_texts[0]
    finally:
        code, stderr = await process.stopped()
    assert code == 0, stderr
    assert "Traceback" not in stderr


# A restart is a new process: its flood control cannot know what the old one sent the chat a
# moment before, so Telegram may refuse its first reply, which it waits out.
@pytest.mark.meets_flood_limits
async def test_conversation_state_lives_in_redis(
    database_url: str, fake_api: FakeBotAPI, redis_url: str
):
    """With REDIS_URL the pending deep link survives a restart of the bot between steps."""
    settings = make_settings(database_url, fake_api.base_url, redis_url=redis_url)
    user = FakeUser(fake_api, 5004, "Olena", "uk")
    from bot.services import networks
    from bot.services.actors import Actor

    first = build_app(settings, pace=fake_api.pace)
    try:
        async with first.sessionmaker() as session:
            await networks.create_network(
                session, Actor.operator(), name="Torstrand", slug="torstrand"
            )
        fake_api.deliver = lambda update: first.dispatcher.feed_raw_update(first.bot, update)
        await user.send("/start join-torstrand")
        await user.press("Українська")
    finally:
        await first.close()
    # A restart: a new process would start just like this.
    second = build_app(settings, pace=fake_api.pace)
    try:
        fake_api.deliver = lambda update: second.dispatcher.feed_raw_update(second.bot, update)
        t = second.catalogs.translator("uk")
        replies = await user.press(t.gettext("✅ I understand, let's go"))
        assert (
            t.gettext(
                "Welcome to {network}! You'll hear what is happening there.", network="Torstrand"
            )
            in replies[-1].text
        )
    finally:
        await second.close()


@pytest.mark.slow
async def test_run_serves_the_sms_routes_when_sms_is_configured(
    database_url: str, fake_api: FakeBotAPI, tmp_path: Path
):
    env = {
        "BOT_TOKEN": DEFAULT_TOKEN,
        "TELEGRAM_API_BASE": fake_api.base_url,
        "DATABASE_URL": database_url,
        "SMS_GATEWAY": "console",
        "SMS_LISTEN": "127.0.0.1:0",  # any free port: the readiness line names it
        "SMS_INBOUND_SECRET": "run-secret",
    }
    process = _start_bot(env, tmp_path)
    try:
        ready = await process.until_ready()
        address = ready.split("SMS routes on ", 1)[1].split(")")[0]
        url = f"http://{address}/sms/console/inbound"
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as response:
                assert response.status == 403  # no secret
            params = {"secret": "run-secret", "from": "+4791234567", "to": "2020", "text": "Hei"}
            async with http.get(url, params=params) as response:
                assert response.status == 200
                assert await response.text() == ""  # a body would go back as an SMS
    finally:
        code, stderr = await process.stopped()
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert "91234567" not in stderr and "Hei" not in stderr  # no number or text in the logs
    assert "inbound SMS refused" in stderr


async def test_the_webhook_answers_what_it_cannot_read_with_200_and_logs_no_content(
    settings, fake_api: FakeBotAPI, caplog: pytest.LogCaptureFixture
):
    """Telegram sends an update again until it gets a 200; what we cannot read must not come
    back forever, nor put the resident's words into a traceback or asyncio's log."""
    loop = asyncio.get_running_loop()
    unhandled: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))
    caplog.set_level(logging.DEBUG)
    app = build_app(settings, pace=fake_api.pace)
    runner = web.AppRunner(webhook_application(app, "s3cret", "/telegram"))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram"
    malformed_update = {
        "update_id": 7,
        "message": {
            "message_id": "not a number",
            "date": 0,
            "chat": {"id": 5003, "type": "private"},
            "from": {"id": 5003, "is_bot": False, "first_name": "Olena"},
            "text": "Kaffe-hemmelighet-XYZ",
        },
    }
    bodies = [
        b"",
        b"{not json",
        b"[]",
        b'"text"',
        b"\xff\xfe",
        json.dumps(malformed_update).encode(),
    ]
    try:
        async with aiohttp.ClientSession() as client:
            for body in bodies:
                async with client.post(
                    url, data=body, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
                ) as reply:
                    assert reply.status == 200, body
        await asyncio.sleep(0.1)  # let any update taken in the background finish
        gc.collect()  # a task whose exception was never retrieved is reported when collected
        await asyncio.sleep(0)
    finally:
        await runner.cleanup()
        await app.close()
        loop.set_exception_handler(None)
    assert unhandled == []
    assert "Kaffe-hemmelighet-XYZ" not in caplog.text and "Olena" not in caplog.text
    assert "Traceback" not in caplog.text
    assert caplog.text.count("webhook update not readable") == len(bodies)
