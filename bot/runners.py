"""Running the bot: long polling, or a webhook server, or only the outbox worker.

Each runner installs its SIGINT/SIGTERM handlers before it serves anything, says
`naboskap: ready (...)` on stderr once it takes work, and stops in the reverse order of
starting, every step within a fixed time (see `bot.shutdown`): Telegram's updates and the SMS
routes first, then updates still being handled, then the scheduler's running jobs, then the
outbox worker's round.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from pydantic import ValidationError

from bot import worker_process
from bot.app import App, build_worker
from bot.channels.telegram.reach import Backoff, reach_telegram
from bot.channels.telegram.webhook_reply import (
    ResponseSlot,
    answering_in_response,
    flood_control_of,
    offer_returned,
)
from bot.dispatching import parse_update
from bot.health import add_health_routes
from bot.logs import failure
from bot.server_log import server_options
from bot.shutdown import Ready, announce_ready, settle, settle_all, stop_on_signals
from handlers.commands import register_command_menus

log = logging.getLogger("naboskap")

# Bounds for each step of a shutdown, in seconds. Generous: they only matter when a step hangs.
UPDATES_STOP = 15.0  # Telegram's updates: the long poll ends, the webhook server closes
HANDLERS_STOP = 15.0  # updates already being handled
SMS_STOP = 10.0  # the SMS routes (and the calendar feeds)
# How long a background webhook update may hold Telegram's request for an answer to carry in
# the response (`WebhookHandler`): about what a reply through the API would take anyway.
REPLY_WAIT = 0.5

OnReady = Callable[[Ready], None]

# The webhook application's request handler: its updates still being handled are waited for.
UPDATE_HANDLER = web.AppKey("naboskap_update_handler", SimpleRequestHandler)


async def _prepare(app: App, stopping: asyncio.Event) -> str | None:
    """Check the database and Redis (one line and an exit when they are out of reach), then
    wait for Telegram as long as it takes (`reach_telegram`); None if stopped meanwhile."""
    await app.check_schema()
    await app.check_storage()
    settings = app.settings
    backoff = Backoff(settings.telegram_retry_first, settings.telegram_retry_max)
    me = await reach_telegram(app.bot, settings.telegram_api_base, stopping, backoff)
    if me is None:
        return None
    log.info("starting as @%s", me.username)
    await register_command_menus(app.bot, app.catalogs)
    return f"@{me.username}"


def delivering(app: App) -> contextlib.AbstractAsyncContextManager[None]:
    """The outbox worker and the scheduler beside the bot: what `naboskap worker` runs, with
    the bot's own Telegram sender (`run` loads aiogram anyway)."""
    return worker_process.delivering(app.core, build_worker(app))


@contextlib.asynccontextmanager
async def sms_routes(app: App) -> AsyncIterator[tuple[str, int] | None]:
    """The routes gateways call (inbound SMS, delivery reports) on SMS_LISTEN, when SMS is
    configured; yields where they listen (the real port, also for port 0), or None."""
    if app.sms_gateway is None:
        yield None
        return
    from bot.channels.sms.conversation import Context
    from bot.channels.sms.routes import serving, sms_application

    web_app = sms_application(
        app.sessionmaker,
        app.sms_gateway,
        Context(
            app.catalogs,
            app.settings.municipality,
            app.settings.rate_limits,
            app.core.machine_translation,
        ),
        secret=app.settings.require_sms_secret(),
        region=app.settings.sms_default_region,
    )
    if app.settings.calendar_public_url:
        from bot.channels.calendar_routes import add_calendar_routes

        # One public server is enough: the feeds join the SMS routes (`calendar_routes`).
        add_calendar_routes(web_app, app.sessionmaker, app.catalogs, app.core.machine_translation)
    add_health_routes(web_app, app.probes)
    host, port = app.settings.sms_host_port
    async with serving(web_app, host, port, shutdown_timeout=SMS_STOP) as address:
        yield address


@contextlib.asynccontextmanager
async def calendar_routes(app: App) -> AsyncIterator[tuple[str, int] | None]:
    """The calendar feeds on CALENDAR_LISTEN when CALENDAR_PUBLIC_URL is set and there are no
    SMS routes for them to join (`sms_routes` serves them then); yields where they listen,
    or None."""
    if not app.settings.calendar_public_url or app.sms_gateway is not None:
        yield None
        return
    from bot.channels.calendar_routes import calendar_application, serving

    web_app = calendar_application(app.sessionmaker, app.catalogs, app.core.machine_translation)
    add_health_routes(web_app, app.probes)
    host, port = app.settings.calendar_host_port
    async with serving(web_app, host, port, shutdown_timeout=SMS_STOP) as address:
        yield address


async def _handlers_done(tasks: set[asyncio.Task[object]]) -> None:
    await settle_all(list(tasks), HANDLERS_STOP, "updates being handled")


async def _stop_polling(dispatcher: Dispatcher, polling: asyncio.Task[None]) -> None:
    """Ask the dispatcher to stop and wait for it, within `UPDATES_STOP`. `stop_polling`
    refuses until `start_polling` has taken its lock (its first step), so it is asked again
    until it listens; a stop that comes that early is still a clean one."""

    async def ask() -> None:
        while not polling.done():
            try:
                await dispatcher.stop_polling()
                return
            except RuntimeError:  # polling has not started (or has just ended)
                await asyncio.sleep(0.02)

    asking = asyncio.create_task(ask(), name="stop-polling")
    try:
        await settle(polling, UPDATES_STOP, "long polling")
    finally:
        asking.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asking


async def run_polling(
    app: App, stop: asyncio.Event | None = None, on_ready: OnReady = announce_ready
) -> None:
    """Long polling until SIGINT/SIGTERM, or, when `stop` is given, until it is set (the
    playground stops it that way; no signal handler is installed then)."""
    async with stop_on_signals(stop) as stopping:
        name = await _prepare(app, stopping)
        if name is None:
            return
        # A webhook left from an earlier run would make getUpdates fail with 409.
        await app.bot.delete_webhook(drop_pending_updates=False)
        async with delivering(app), sms_routes(app) as sms, calendar_routes(app):
            if stopping.is_set():
                return
            polling = asyncio.create_task(
                app.dispatcher.start_polling(
                    app.bot,
                    handle_signals=False,
                    close_bot_session=False,
                    allowed_updates=app.dispatcher.resolve_used_update_types(),
                    # A burst waits in the poller (which stops fetching) instead of
                    # becoming thousands of tasks that fight over the database pool.
                    tasks_concurrency_limit=app.settings.update_concurrency,
                ),
                name="long-polling",
            )
            on_ready(Ready(f"long polling as {name}", sms))
            waiting = asyncio.create_task(stopping.wait(), name="until-stopped")
            try:
                await asyncio.wait({polling, waiting}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiting.cancel()
                log.info("shutting down")
                await _stop_polling(app.dispatcher, polling)
                await _handlers_done(app.dispatcher._handle_update_tasks)
            if polling.done() and not polling.cancelled() and (error := polling.exception()):
                raise error


async def run_worker(
    app: App, stop: asyncio.Event | None = None, on_ready: OnReady = announce_ready
) -> None:
    """Only the outbox worker: for a second process (or machine) draining the same outbox."""
    async with stop_on_signals(stop) as stopping:
        await app.check_schema()
        log.info("delivery worker started")
        async with delivering(app):
            on_ready(Ready("delivery worker"))
            await stopping.wait()
    log.info("delivery worker stopped")


class WebhookHandler(SimpleRequestHandler):
    """aiogram's webhook handler, made safe for what it cannot read, answering in its response.

    Telegram sends an update again until it gets a 200, so an update we cannot read (bad JSON,
    an empty body, fields that do not fit) is answered 200 and logged without its content. Its
    text would otherwise reach the log twice: in a 500's traceback, and in asyncio's "Task
    exception was never retrieved" for a background update whose validation failed (the
    error quotes the message text and the sender's name). An update that fails while being
    handled is logged by its type and place only; none reaches asyncio's default handler.

    At most `concurrency` updates are handled at a time and the rest wait their turn, so a
    burst queues instead of exhausting the database pool.

    The response may carry one Bot API method as JSON (`bot.channels.telegram.webhook_reply`):
    the answer to the update's button press, or a method the handler returned. When it is
    written:

    - in the background (production): as soon as the answer to the button press is waiting
      or the update has been handled, whichever comes first, but after `reply_wait` seconds
      at most, so that a spinner stops at once and Telegram's connection is never held long;
      past the bound the response is an empty 200 and any later answer is an ordinary API
      call. An update that has to queue behind `concurrency` others gets its empty 200 at
      once (holding Telegram's connection would only slow its deliveries in a burst);
    - otherwise (the updates benchmark): once the update has been handled.
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        *,
        concurrency: int,
        reply_wait: float = REPLY_WAIT,
        **kwargs: Any,
    ) -> None:
        super().__init__(dispatcher, bot, **kwargs)
        self._gate = asyncio.Semaphore(concurrency)
        self._reply_wait = reply_wait
        self._flood = flood_control_of(bot)

    async def handle(self, request: web.Request) -> web.Response:
        bot = await self.resolve_bot(request)
        if not self.verify_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), bot):
            return web.Response(body="Unauthorized", status=401)
        try:
            raw = bot.session.json_loads(await request.text())
            update = parse_update(raw, bot)
        except ValidationError as error:
            log.warning("webhook update not readable: %d fields do not fit", error.error_count())
            return web.json_response({})
        except (ValueError, UnicodeDecodeError) as error:
            log.warning("webhook update not readable: %s", type(error).__name__)
            return web.json_response({})
        query = update.callback_query
        slot = ResponseSlot(query.id if query is not None else None)
        if not self.handle_in_background:
            await self._feed(bot, update, slot)
            return await self._respond(request, bot, slot)
        if self._gate.locked():
            slot.close()  # it queues: its answers go through the API
        task = asyncio.create_task(self._feed(bot, update, slot))
        self._background_feed_update_tasks.add(task)
        task.add_done_callback(self._background_feed_update_tasks.discard)
        if not slot.closed:
            try:
                async with asyncio.timeout(self._reply_wait):
                    await slot.ready.wait()
            except TimeoutError:
                pass
            except asyncio.CancelledError:
                # The server is going away without this response: an answer already in the
                # slot is sent by the bot instead, later ones go through the API.
                if (method := slot.close()) is not None:
                    self._send_later(bot, method)
                raise
        return await self._respond(request, bot, slot)

    def _send_later(self, bot: Bot, method: TelegramMethod[Any]) -> None:
        """Send `method` through the API in a task the shutdown waits for."""
        task = asyncio.create_task(self.dispatcher.silent_call_request(bot=bot, result=method))
        self._background_feed_update_tasks.add(task)
        task.add_done_callback(self._background_feed_update_tasks.discard)

    async def _feed(self, bot: Bot, update: Update, slot: ResponseSlot) -> None:
        try:
            async with self._gate:
                with answering_in_response(slot):
                    result = await self.dispatcher.feed_update(bot, update, **self.data)
                if isinstance(result, TelegramMethod) and not offer_returned(
                    slot, bot, result, self._flood
                ):
                    await self.dispatcher.silent_call_request(bot=bot, result=result)
        except Exception as error:
            log.error("update %s failed: %s", update.update_id, failure(error))
        finally:
            slot.finish()

    async def _respond(self, request: web.Request, bot: Bot, slot: ResponseSlot) -> web.Response:
        """Close the slot and write the response: empty, or the method it holds as JSON. A
        method whose response cannot be written (Telegram hung up) is sent through the API,
        so that it is not lost."""
        method = slot.close()
        if method is None:
            return web.json_response({})
        response = web.Response(body=slot.body, content_type="application/json")
        try:
            await response.prepare(request)
            await response.write_eof()
        except ConnectionError:
            await self.dispatcher.silent_call_request(bot=bot, result=method)
        return response


def webhook_application(
    app: App, secret: str, path: str, background: bool = True, reply_wait: float = REPLY_WAIT
) -> web.Application:
    """The aiohttp app that receives Telegram's POSTs; wrong or missing secret gets 401, what
    cannot be read gets 200 and a log line without content (`WebhookHandler`)."""
    web_app = web.Application()
    handler = WebhookHandler(
        app.dispatcher,
        app.bot,
        concurrency=app.settings.update_concurrency,
        reply_wait=reply_wait,
        secret_token=secret,
        handle_in_background=background,
    )
    handler.register(web_app, path=path)
    add_health_routes(web_app, app.probes)
    web_app[UPDATE_HANDLER] = handler
    setup_application(web_app, app.dispatcher, bot=app.bot)
    return web_app


@contextlib.asynccontextmanager
async def _webhook_serving(app: App, url: str, secret: str) -> AsyncIterator[str]:
    """The webhook server, registered with Telegram; yields where it listens. On the way out
    it closes (requests under way are answered) and the updates it took are handled."""
    path = urlsplit(url).path or "/"
    web_app = webhook_application(app, secret, path)
    runner = web.AppRunner(
        web_app, shutdown_timeout=UPDATES_STOP, **server_options("naboskap.webhook.http")
    )
    await runner.setup()
    try:
        host, port = app.settings.webhook_host_port
        await web.TCPSite(runner, host, port).start()
        await app.bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
        )
        log.info("webhook registered; listening on %s:%s%s", host, port, path)
        yield f"webhook on {host}:{port}{path}"
    finally:
        await settle(runner.cleanup(), UPDATES_STOP + 5, "the webhook server")
        await _handlers_done(web_app[UPDATE_HANDLER]._background_feed_update_tasks)


async def run_webhook(
    app: App, stop: asyncio.Event | None = None, on_ready: OnReady = announce_ready
) -> None:
    url, secret = app.settings.require_webhook()
    async with stop_on_signals(stop) as stopping:
        if await _prepare(app, stopping) is None:
            return
        async with (
            delivering(app),
            sms_routes(app) as sms,
            calendar_routes(app),
            _webhook_serving(app, url, secret) as where,
        ):
            on_ready(Ready(where, sms))
            await stopping.wait()
            log.info("shutting down")
