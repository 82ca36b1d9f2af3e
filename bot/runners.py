"""Running the bot: long polling, or a webhook server. Both stop cleanly on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
from urllib.parse import urlsplit

from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.app import App
from handlers.commands import register_command_menus

log = logging.getLogger("naboskap")


async def _prepare(app: App) -> None:
    await app.check_schema()
    me = await app.bot.me()
    log.info("starting as @%s", me.username)
    await register_command_menus(app.bot, app.catalogs)


async def run_polling(app: App) -> None:
    await _prepare(app)
    # A webhook left from an earlier run would make getUpdates fail with 409.
    await app.bot.delete_webhook(drop_pending_updates=False)
    await app.dispatcher.start_polling(
        app.bot,
        handle_signals=True,
        close_bot_session=False,
        allowed_updates=app.dispatcher.resolve_used_update_types(),
    )


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
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("shutting down")
        await runner.cleanup()
