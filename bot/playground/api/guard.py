"""The door of the playground's API: only the page on this machine may drive it, a request is
read as a JSON object, and a refusal is answered as JSON.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from bot.playground.server import Playground

PLAYGROUND: web.AppKey[Playground] = web.AppKey("playground")
WAIT_SECONDS = 25.0
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


@web.middleware
async def guard(request: web.Request, handler: Any) -> web.StreamResponse:
    """Only this page may drive the API: on loopback the Host must be loopback (no DNS
    rebinding), and changes must be JSON (a cross-site form cannot send that without CORS,
    which this server never grants)."""
    path = request.path
    if path.startswith("/api/"):
        playground = request.app[PLAYGROUND]
        if playground.options.host in ("127.0.0.1", "localhost", "::1"):
            host = (request.host or "").rsplit(":", 1)[0]
            if host not in _LOOPBACK:
                raise fail(web.HTTPForbidden, "loopback only")
        if request.method == "POST" and request.content_type != "application/json":
            raise fail(web.HTTPUnsupportedMediaType, "send JSON")
        if not playground.ready.is_set():
            # The page may load while the database is being seeded.
            try:
                await asyncio.wait_for(playground.ready.wait(), WAIT_SECONDS)
            except TimeoutError:
                raise fail(web.HTTPServiceUnavailable, "still starting") from None
    response: web.StreamResponse = await handler(request)
    if not path.startswith("/bot"):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'",
        )
        response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def playground_of(request: web.Request) -> Playground:
    return request.app[PLAYGROUND]


def fail(error: type[web.HTTPError], reason: str) -> web.HTTPError:
    """An HTTP error whose body is JSON, as every answer of this API is."""
    return error(text=json.dumps({"error": reason}), content_type="application/json")


def bad(reason: str) -> web.HTTPError:
    return fail(web.HTTPBadRequest, reason)


async def json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise bad("the body is not JSON") from None
    if not isinstance(body, dict):
        raise bad("the body must be a JSON object")
    return body
