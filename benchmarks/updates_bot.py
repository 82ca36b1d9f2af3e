"""The updates benchmark's BOT process: only the bot, talking to the driver's fake Bot API as it
would to Telegram (TELEGRAM_API_BASE), behind a webhook on a free loopback port. `naboskap` is
the real app behind `bot.runners.webhook_application(..., background=False)`; `echo` is a bare
aiogram Dispatcher that answers every message with its text, behind the same aiogram webhook
handler. `updates.py` starts it as `updates.py --role=bot`.

It measures its own CPU time between the parent's `mark` and `stop`, and its peak memory. The
echo bot must load nothing of Naboskap (nor SQLAlchemy or Alembic), so project modules are
imported inside the functions.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import logging
import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from processes import (
    BenchmarkFailed,
    Control,
    ErrorCounter,
    cpu_seconds,
    naboskap_app,
    peak_rss_kib,
    say,
)

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher
    from aiohttp import web

WEBHOOK_PATH = "/webhook"


def event_loop(bot: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The loop factory for the bot process (None: asyncio's default loop).

    Naboskap runs on the loop `naboskap run` would choose (`bot.event_loop`: uvloop where it is
    installed; EVENT_LOOP=asyncio in the environment measures without it), so the figure is
    production's. The echo bot stays on asyncio's default loop: it is the fixed yardstick the
    CPU ratio is read against, and must not move when Naboskap's choices do.
    """
    if bot != "naboskap":
        return None
    from bot.event_loop import loop_factory

    choice = os.environ.get("EVENT_LOOP", "auto")
    if choice not in ("auto", "asyncio", "uvloop"):
        raise SystemExit(f"EVENT_LOOP must be auto, asyncio or uvloop, not {choice!r}")
    return loop_factory(choice)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def naboskap_bot(
    api_base: str, token: str, database_url: str, secret: str
) -> AsyncIterator[tuple[web.Application, Bot, Dispatcher]]:
    from bot.runners import webhook_application

    async with naboskap_app(api_base, token, database_url) as app:
        web_app = webhook_application(app, secret, WEBHOOK_PATH, background=False)
        yield web_app, app.bot, app.dispatcher


@contextlib.asynccontextmanager
async def echo_bot(
    api_base: str, token: str, secret: str
) -> AsyncIterator[tuple[web.Application, Bot, Dispatcher]]:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import CallbackQuery, Message
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from aiohttp import web

    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    async def pressed(query: CallbackQuery) -> None:
        await query.answer()

    dispatcher = Dispatcher()
    dispatcher.message.register(echo)
    dispatcher.callback_query.register(pressed)
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
    try:
        web_app = web.Application()
        SimpleRequestHandler(
            dispatcher, bot, secret_token=secret, handle_in_background=False
        ).register(web_app, path=WEBHOOK_PATH)
        setup_application(web_app, dispatcher, bot=bot)
        yield web_app, bot, dispatcher
    finally:
        await bot.session.close()


@contextlib.asynccontextmanager
async def serve(web_app: web.Application) -> AsyncIterator[str]:
    """Serve `web_app` on a free loopback port; yields the webhook URL."""
    from aiohttp import web

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        yield f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
    finally:
        await runner.cleanup()
        sock.close()


def _sampler(bot: str) -> subprocess.Popen[bytes] | None:
    """With BENCH_PYSPY=PATH in the environment, py-spy (installed separately: `pip install
    py-spy`) samples this process during the timed part only and writes collapsed stacks to
    PATH.naboskap / PATH.echo. Sampling barely slows the process, so its shares are truer
    than cProfile's."""
    if not os.environ.get("BENCH_PYSPY"):
        return None
    command = ["py-spy", "record", "--gil", "-r", "250", "-f", "raw", "-p"]
    output = f"{os.environ['BENCH_PYSPY']}.{bot}"
    sampler = subprocess.Popen([*command, str(os.getpid()), "-o", output])  # noqa: S603
    time.sleep(1)  # py-spy attaches before the timed part begins
    return sampler


def _profiler() -> cProfile.Profile | None:
    """With BENCH_PROFILE=PATH in the environment, the timed part runs under cProfile and its
    statistics go to PATH.naboskap / PATH.echo (read them with `python -m pstats`). The CPU
    figure is then cProfile's, not the bot's: use it for shares, not for the table."""
    if not os.environ.get("BENCH_PROFILE"):
        return None
    profiler = cProfile.Profile(time.thread_time)
    profiler.enable()
    return profiler


async def bot_process(bot: str, api_base: str, token: str, database_url: str | None) -> None:
    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    control = await Control().start()
    # Random per run; the fake server sends it back in X-Telegram-Bot-Api-Secret-Token.
    secret = secrets.token_urlsafe(16)
    if bot == "naboskap":
        if not database_url:
            raise BenchmarkFailed("the naboskap bot needs --database-url")
        the_bot = naboskap_bot(api_base, token, database_url, secret)
    else:
        the_bot = echo_bot(api_base, token, secret)
    async with the_bot as (web_app, telegram_bot, dispatcher), serve(web_app) as url:
        await telegram_bot.set_webhook(
            url, secret_token=secret, allowed_updates=dispatcher.resolve_used_update_types()
        )
        say("READY")
        await control.expect("mark")
        profiler = _profiler()
        sampler = _sampler(bot)
        cpu_before = cpu_seconds()
        say("MARKED")
        await control.expect("stop", last=True)
        cpu = cpu_seconds() - cpu_before
        if sampler is not None:
            sampler.send_signal(signal.SIGINT)
            sampler.wait()
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(f"{os.environ['BENCH_PROFILE']}.{bot}")
    say(
        "RESULT",
        {
            "cpu_seconds": cpu,
            "peak_rss_kib": peak_rss_kib(),
            "errors": errors.count,
        },
    )
