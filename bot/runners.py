"""Running the bot: long polling, or a webhook server. Both stop cleanly on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.app import App, build_worker
from bot.scheduler import DigestSchedule, build_scheduler
from handlers.commands import register_command_menus

log = logging.getLogger("naboskap")


async def _prepare(app: App) -> None:
    await app.check_schema()
    me = await app.bot.me()
    log.info("starting as @%s", me.username)
    await register_command_menus(app.bot, app.catalogs)


@contextlib.asynccontextmanager
async def delivering(app: App) -> AsyncIterator[None]:
    """The outbox worker and the scheduler run beside the bot; the worker finishes its round
    and the scheduler hands its lease back on the way out."""
    stop = asyncio.Event()
    task = asyncio.create_task(build_worker(app).run(stop), name="delivery-worker")
    weekday, at = app.settings.digest_at
    scheduler, leadership = build_scheduler(
        app.sessionmaker,
        app.catalogs,
        reminder_hours=app.settings.reminder_hours,
        digest=DigestSchedule(weekday, at, app.settings.municipality),
    )
    await leadership.renew()
    scheduler.start()
    try:
        yield
    finally:
        scheduler.shutdown(wait=False)
        await leadership.step_down()
        stop.set()
        await task


@contextlib.asynccontextmanager
async def sms_routes(app: App) -> AsyncIterator[None]:
    """The routes gateways call (inbound SMS, delivery reports) on SMS_LISTEN, when SMS is
    configured; nothing otherwise."""
    if app.sms_gateway is None:
        yield
        return
    from bot.channels.sms.conversation import Context
    from bot.channels.sms.routes import serving, sms_application

    web_app = sms_application(
        app.sessionmaker,
        app.sms_gateway,
        Context(app.catalogs, app.settings.municipality),
        secret=app.settings.require_sms_secret(),
        region=app.settings.sms_default_region,
    )
    host, port = app.settings.sms_host_port
    async with serving(web_app, host, port):
        yield


async def run_polling(app: App, handle_signals: bool = True) -> None:
    """Long polling until SIGINT/SIGTERM (or, without `handle_signals`, until the dispatcher's
    `stop_polling` or cancellation: the playground's tests stop it that way)."""
    await _prepare(app)
    # A webhook left from an earlier run would make getUpdates fail with 409.
    await app.bot.delete_webhook(drop_pending_updates=False)
    async with delivering(app), sms_routes(app):
        await app.dispatcher.start_polling(
            app.bot,
            handle_signals=handle_signals,
            close_bot_session=False,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
        )


async def _until_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def run_worker(app: App) -> None:
    """Only the outbox worker: for a second process (or machine) draining the same outbox."""
    await app.check_schema()
    log.info("delivery worker started")
    async with delivering(app):
        await _until_signal()
    log.info("delivery worker stopped")


def webhook_application(
    app: App, secret: str, path: str, background: bool = True
) -> web.Application:
    """The aiohttp app that receives Telegram's POSTs; wrong or missing secret gets 401."""
    web_app = web.Application()
    SimpleRequestHandler(
        app.dispatcher, app.bot, secret_token=secret, handle_in_background=background
    ).register(web_app, path=path)
    setup_application(web_app, app.dispatcher, bot=app.bot)
    return web_app


async def run_webhook(app: App) -> None:
    url, secret = app.settings.require_webhook()
    await _prepare(app)
    path = urlsplit(url).path or "/"
    runner = web.AppRunner(webhook_application(app, secret, path), access_log=None)
    await runner.setup()
    host, port = app.settings.webhook_host_port
    await web.TCPSite(runner, host, port).start()
    await app.bot.set_webhook(
        url,
        secret_token=secret,
        allowed_updates=app.dispatcher.resolve_used_update_types(),
    )
    log.info("webhook registered; listening on %s:%s%s", host, port, path)
    try:
        async with delivering(app), sms_routes(app):
            await _until_signal()
    finally:
        log.info("shutting down")
        await runner.cleanup()
