"""The HTTP routes a gateway calls: inbound messages and delivery reports.

`/sms/<gateway>/inbound` and `/sms/<gateway>/dlr` (GET or POST, whatever the gateway does),
authenticated by SMS_INBOUND_SECRET; a request without it is refused and logged. Inbound
messages are answered through the same services the Telegram handlers use; reports update the
delivery they name. The access log is off: a gateway's query holds a phone number, the text
and the secret.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.sms import conversation
from bot.channels.sms.gateway import BadRequest, SmsGateway, secret_matches
from bot.channels.sms.transport import read_request
from bot.edge_input import row_id
from bot.logs import failure
from bot.phone_numbers import normalise
from bot.server_log import server_options
from db.queries import outbox as q
from db.session import session_now

log = logging.getLogger("naboskap.sms")


def sms_application(
    sessionmaker: async_sessionmaker[AsyncSession],
    gateway: SmsGateway,
    context: conversation.Context,
    *,
    secret: str,
    region: str,
) -> web.Application:
    async def inbound(request: web.Request) -> web.Response:
        if request.match_info["gateway"] != gateway.name:
            raise web.HTTPNotFound()
        raw = await read_request(request)
        if not secret_matches(raw, secret):
            log.warning("inbound SMS refused: wrong or missing secret")
            raise web.HTTPForbidden()
        try:
            message = gateway.parse_inbound(raw)
        except BadRequest as error:
            log.warning("inbound SMS not readable: %s", error)
            raise web.HTTPBadRequest() from None
        phone = normalise(message.sender, region)
        if phone is None:
            # A short code or an alphanumeric sender: nobody to answer. 200, so no retries.
            log.info("inbound SMS from something that is not a phone number ignored")
            return web.Response(text="")
        try:
            async with sessionmaker() as session:
                await conversation.handle(session, context, phone, message.text)
        except Exception as error:
            log.error("inbound SMS failed: %s", failure(error))
            raise web.HTTPInternalServerError() from None
        return web.Response(text="")  # Kannel would send a body back as an SMS

    async def report(request: web.Request) -> web.Response:
        if request.match_info["gateway"] != gateway.name:
            raise web.HTTPNotFound()
        raw = await read_request(request)
        if not secret_matches(raw, secret):
            log.warning("delivery report refused: wrong or missing secret")
            raise web.HTTPForbidden()
        try:
            found = gateway.parse_report(raw)
        except BadRequest as error:
            log.warning("delivery report not readable: %s", error)
            raise web.HTTPBadRequest() from None
        delivery_id = row_id(found.delivery_id)
        if delivery_id is None:
            # Not one of ours (ids are 32-bit): answered as an unknown id, before any query.
            log.info("delivery report for an id out of range ignored")
            return web.Response(text="")
        log.debug("delivery %s: report %s", delivery_id, found.status)
        async with sessionmaker() as session:
            known = await q.record_report(
                session,
                delivery_id,
                found.status,
                final_failure=found.final and found.status != "delivered",
                now=session_now(session),
            )
            await session.commit()
        if not known:
            log.info("delivery report for an unknown delivery %s", delivery_id)
        return web.Response(text="")

    app = web.Application()
    for path, handler in (("inbound", inbound), ("dlr", report)):
        app.router.add_route("GET", f"/sms/{{gateway}}/{path}", handler)
        app.router.add_route("POST", f"/sms/{{gateway}}/{path}", handler)
    return app


@asynccontextmanager
async def serving(
    application: web.Application, host: str, port: int, shutdown_timeout: float = 10.0
) -> AsyncIterator[tuple[str, int]]:
    """Serve the SMS routes on host:port (port 0: any free one); yields the address they
    listen on. On the way out, requests under way get `shutdown_timeout` seconds to finish."""
    runner = web.AppRunner(
        application, shutdown_timeout=shutdown_timeout, **server_options("naboskap.sms.http")
    )
    await runner.setup()
    try:
        # reuse_address: a restart may find the port in TIME_WAIT from the last run.
        await web.TCPSite(runner, host, port, reuse_address=True).start()
        address = runner.addresses[0]
        bound = (host, int(address[1]))
        log.info("SMS routes listening on %s:%s", *bound)
        yield bound
    finally:
        await runner.cleanup()
