"""The HTTP route a subscribed calendar reads: `GET /calendar/<token>.ics`.

The route joins the SMS routes' server when SMS is configured, else it has its own on
CALENDAR_LISTEN (`bot.runners.calendar_routes`); it is on only when CALENDAR_PUBLIC_URL says
where residents reach it. The token is a secret (see `bot.services.calendar_subscriptions`): no log
line names it (the servers keep no access log), and a token we do not know gets a bare 404.

The feed is written a page of events at a time into a spooled file (memory up to
`SPOOL_IN_MEMORY`, a temporary file past it) while its hash is taken: the ETag is that hash,
so a calendar app that already has this version gets a 304 without the body. The same
events make the same bytes (each is stamped with its own last change), so the ETag changes
exactly when the feed does.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from email.utils import format_datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import Catalogs
from bot.logs import failure
from bot.machine_translation.service import MachineTranslation
from bot.server_log import server_options
from bot.services import calendar_subscriptions
from bot.services.calendar_subscriptions import CONTENT_TYPE

log = logging.getLogger("naboskap.calendar")

SPOOL_IN_MEMORY = 1 << 20  # bytes of a feed kept in memory before it goes to a temporary file
CHUNK = 64 * 1024  # bytes written to the client at a time
# Personal feeds: only the reader's own calendar app may keep a copy, and asks again within
# the hour (shared caches would keep a revoked feed alive).
CACHE_CONTROL = "private, max-age=900"


def add_calendar_routes(
    app: web.Application,
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    machine: MachineTranslation | None = None,
) -> None:
    """Add `GET /calendar/<token>.ics` (and HEAD) to `app`."""

    async def feed(request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
        digest = hashlib.sha256()
        try:
            async with sessionmaker() as session:
                found = await calendar_subscriptions.find_feed(session, token, catalogs)
                if found is None:
                    raise web.HTTPNotFound()
                body = calendar_subscriptions.FeedBody(session, found, catalogs, machine)
                async for chunk in body.chunks():
                    digest.update(chunk)
                    spool.write(chunk)
        except web.HTTPException:
            spool.close()
            raise
        except Exception as error:
            spool.close()
            # Logged by what failed only: the request's path is the secret.
            log.error("calendar feed failed: %s", failure(error))
            raise web.HTTPInternalServerError() from None
        with spool:
            etag = digest.hexdigest()[:32]
            headers = {"ETag": f'"{etag}"', "Cache-Control": CACHE_CONTROL}
            if body.last_changed is not None:
                headers["Last-Modified"] = _http_date(body.last_changed)
            if _not_modified(request, etag, body.last_changed):
                return web.Response(status=304, headers=headers)
            size = spool.tell()
            spool.seek(0)
            response = web.StreamResponse(headers={**headers, "Content-Type": CONTENT_TYPE})
            response.content_length = size
            await response.prepare(request)
            if request.method != "HEAD":
                while chunk := spool.read(CHUNK):
                    await response.write(chunk)
            await response.write_eof()
            return response

    app.router.add_get("/calendar/{token}.ics", feed)


def calendar_application(
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    machine: MachineTranslation | None = None,
) -> web.Application:
    """The feeds alone, for a server of their own (no SMS routes to join)."""
    app = web.Application()
    add_calendar_routes(app, sessionmaker, catalogs, machine)
    return app


@asynccontextmanager
async def serving(
    application: web.Application, host: str, port: int, shutdown_timeout: float = 10.0
) -> AsyncIterator[tuple[str, int]]:
    """Serve the feeds on host:port (port 0: any free one); yields the address they listen
    on. No access log: the path is the token."""
    runner = web.AppRunner(
        application,
        shutdown_timeout=shutdown_timeout,
        **server_options("naboskap.calendar.http"),
    )
    await runner.setup()
    try:
        # reuse_address: a restart may find the port in TIME_WAIT from the last run.
        await web.TCPSite(runner, host, port, reuse_address=True).start()
        bound = (host, int(runner.addresses[0][1]))
        log.info("calendar feeds listening on %s:%s", *bound)
        yield bound
    finally:
        await runner.cleanup()


def _not_modified(request: web.Request, etag: str, last_changed: datetime | None) -> bool:
    """RFC 9110's conditional GET: If-None-Match when sent (If-Modified-Since is ignored
    then), else If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/").strip('"') for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = request.if_modified_since
    return since is not None and last_changed is not None and last_changed <= since


def _http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)
