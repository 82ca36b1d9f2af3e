"""The sample calendar feed the seed makes Sentrum follow (`bot.playground.sample_calendar`),
served on the playground's own server so that the bot syncs it the way it syncs a library's
feed: over HTTP, conditionally (ETag), by the scheduler's calendar-feeds job. On loopback, so
nothing reaches beyond this machine."""

from __future__ import annotations

import hashlib
from datetime import date
from functools import lru_cache

from aiohttp import web

from bot.playground import sample_calendar


@lru_cache(maxsize=8)
def _rendered(anchor: date) -> tuple[bytes, str]:
    """The sample and its ETag. The same anchor always gives the same bytes (a pure function,
    so kept; a few milliseconds of icalendar a sync otherwise), and an unchanged feed costs a
    304, as it would from a library's server: the feed's line on the network card says so."""
    body = sample_calendar.render(anchor)
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


async def sample(request: web.Request) -> web.Response:
    try:
        # A day at either end of the calendar has no weeks around it (OverflowError).
        body, etag = _rendered(date.fromisoformat(request.query.get("from", "")))
    except (ValueError, OverflowError):
        raise web.HTTPBadRequest(text="from: a day, YYYY-MM-DD") from None
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, content_type="text/calendar", charset="utf-8", headers=headers)
