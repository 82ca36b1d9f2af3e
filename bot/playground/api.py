"""The page and the JSON API it talks to, served beside the embedded Bot API server.

Everything a persona does goes in as a Telegram update (`FakeUser`), and everything shown
comes from what the bot sent to the embedded server: nothing here answers for the bot.

    GET  /                                   the page (static files under /static/)
    GET  /api/state                          personas, SMS personas, the bot, the revision,
                                             switches, the clock, the outbox's counts
    POST /api/personas                       {"name", "language_code"[, "phone"]}: add a
                                             persona (with a phone: an SMS persona)
    GET  /api/personas/{id}/chat             messages (with edits), reply keyboard, menu,
                                             toasts
    POST /api/personas/{id}/messages         {"text"}: type and send (a reply keyboard
                                             button sends its text the same way)
    POST /api/personas/{id}/press            {"message_id", "callback_data"}: press an inline
                                             button
    GET  /api/personas/{id}/documents/{mid}  download a document the bot sent
    GET  /api/personas/{id}/sms              an SMS persona's thread, both ways; each bot SMS
                                             with its segments and encoding
    POST /api/personas/{id}/sms              {"text"}: text the bot (through its inbound route)
    POST /api/clock                          {"step": "hour" | "day" | "digest"} or
                                             {"seconds": N}: move time forward, run what is due
    GET  /api/wait?since=N                   long poll: returns once the revision passes N
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.fake_bot_api.state import ChatMessage
from bot.fake_bot_api.validation import MAX_TEXT
from bot.playground.personas import Persona, PersonaError
from bot.playground.phones import MAX_TEXT as SMS_MAX_TEXT
from bot.playground.phones import SmsRouteError

if TYPE_CHECKING:
    from bot.playground.server import Playground

STATIC = Path(str(resources.files("bot.playground") / "static"))
PLAYGROUND: web.AppKey[Playground] = web.AppKey("playground")
WAIT_SECONDS = 25.0
_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def add_routes(app: web.Application, playground: Playground) -> None:
    app[PLAYGROUND] = playground
    app.middlewares.append(_guard)
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC)
    app.router.add_get("/api/state", state)
    app.router.add_post("/api/personas", add_persona)
    app.router.add_get("/api/personas/{id:\\d+}/chat", chat)
    app.router.add_post("/api/personas/{id:\\d+}/messages", send)
    app.router.add_post("/api/personas/{id:\\d+}/press", press)
    app.router.add_get("/api/personas/{id:\\d+}/documents/{message:\\d+}", document)
    app.router.add_get("/api/personas/{id:\\d+}/sms", sms_thread)
    app.router.add_post("/api/personas/{id:\\d+}/sms", sms_send)
    app.router.add_post("/api/clock", move_clock)
    app.router.add_get("/api/wait", wait)


@web.middleware
async def _guard(request: web.Request, handler: Any) -> web.StreamResponse:
    """Only this page may drive the API: on loopback the Host must be loopback (no DNS
    rebinding), and changes must be JSON (a cross-site form cannot send that without CORS,
    which this server never grants)."""
    path = request.path
    if path.startswith("/api/"):
        playground = request.app[PLAYGROUND]
        if playground.options.host in ("127.0.0.1", "localhost", "::1"):
            host = (request.host or "").rsplit(":", 1)[0]
            if host not in _LOOPBACK:
                raise _fail(web.HTTPForbidden, "loopback only")
        if request.method == "POST" and request.content_type != "application/json":
            raise _fail(web.HTTPUnsupportedMediaType, "send JSON")
        if not playground.ready.is_set():
            # The page may load while the database is being seeded.
            try:
                await asyncio.wait_for(playground.ready.wait(), WAIT_SECONDS)
            except TimeoutError:
                raise _fail(web.HTTPServiceUnavailable, "still starting") from None
    response: web.StreamResponse = await handler(request)
    if not path.startswith("/bot"):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'",
        )
        response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def _playground(request: web.Request) -> Playground:
    return request.app[PLAYGROUND]


def _fail(error: type[web.HTTPError], reason: str) -> web.HTTPError:
    """An HTTP error whose body is JSON, as every answer of this API is."""
    return error(text=json.dumps({"error": reason}), content_type="application/json")


def _bad(reason: str) -> web.HTTPError:
    return _fail(web.HTTPBadRequest, reason)


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise _bad("the body is not JSON") from None
    if not isinstance(body, dict):
        raise _bad("the body must be a JSON object")
    return body


def _persona_id(request: web.Request) -> int:
    """A Telegram persona's id from the path."""
    persona_id = int(request.match_info["id"])
    persona = _playground(request).personas.get(persona_id)
    if persona is None or persona.sms:
        raise _fail(web.HTTPNotFound, "no such persona")
    return persona_id


def _sms_phone(request: web.Request) -> str:
    """An SMS persona's number, from the persona id in the path."""
    persona = _playground(request).personas.get(int(request.match_info["id"]))
    if persona is None or persona.phone is None:
        raise _fail(web.HTTPNotFound, "no such SMS persona")
    return persona.phone


def _sms_json(playground: Playground, persona: Persona) -> dict[str, Any]:
    thread = playground.phones.thread(persona.phone) if persona.phone else []
    return {**persona.as_json(), "messages": len(thread)}


# ---- the page ---------------------------------------------------------------------------------


async def index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})


async def state(request: web.Request) -> web.Response:
    playground = _playground(request)
    limits = playground.server.rate_limit
    return web.json_response(
        {
            "bot": playground.server.bot_user,
            "revision": playground.server.revision,
            "personas": [p.as_json() for p in playground.personas.telegram],
            "rate_limit": {"per_chat": limits.per_chat, "total": limits.total},
            "quiet_hours": playground.options.quiet_hours,
            "clock": playground.clock.as_json(),
            "deliveries": await playground.clock.deliveries(),
            "sms": [_sms_json(playground, p) for p in playground.personas.sms],
        }
    )


async def add_persona(request: web.Request) -> web.Response:
    body = await _body(request)
    phone = body.get("phone")
    try:
        persona = await _playground(request).add_persona(
            str(body.get("name", "")),
            str(body.get("language_code", "")),
            str(phone) if phone else None,
        )
    except PersonaError as error:
        raise _bad(str(error)) from None
    await _playground(request).server.announce()  # other open pages list it too
    return web.json_response(persona.as_json(), status=201)


# ---- a persona's chat ------------------------------------------------------------------------


def _message(persona_id: int, message: ChatMessage) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": message.message_id,
        "from_bot": message.from_bot,
        "date": message.date,
        "text": message.text,
        "entities": message.entities,
        "edited": message.edited,
        "previous": message.previous,
        "inline_keyboard": (message.reply_markup or {}).get("inline_keyboard"),
    }
    if message.document is not None:
        item["document"] = {
            "file_name": message.document.file_name,
            "mime_type": message.document.mime_type,
            "size": len(message.document.content),
            "url": f"/api/personas/{persona_id}/documents/{message.message_id}",
        }
    return item


async def chat(request: web.Request) -> web.Response:
    persona_id = _persona_id(request)
    server = _playground(request).server
    messages = [m for m in server.chats.get(persona_id, []) if not m.deleted]
    return web.json_response(
        {
            "revision": server.revision,
            "messages": [_message(persona_id, m) for m in messages],
            "keyboard": server.keyboards.get(persona_id),
            "commands": server.menu_for(persona_id),
            "toasts": server.toasts.get(persona_id, []),
        }
    )


async def send(request: web.Request) -> web.Response:
    persona_id = _persona_id(request)
    text = str((await _body(request)).get("text", ""))
    if not text.strip():
        raise _bad("text is empty")
    if len(text.encode("utf-16-le")) // 2 > MAX_TEXT:
        raise _bad(f"text is longer than {MAX_TEXT} characters")
    await _playground(request).users[persona_id].send(text)
    return web.json_response({"ok": True}, status=202)


async def press(request: web.Request) -> web.Response:
    persona_id = _persona_id(request)
    body = await _body(request)
    server = _playground(request).server
    try:
        message = server.message_in(persona_id, int(body.get("message_id", 0)))
    except (LookupError, ValueError, TypeError):
        raise _bad("no such message") from None
    data = str(body.get("callback_data", ""))
    if data not in {b.get("callback_data") for b in message.buttons}:
        raise _bad("the message has no such button")
    await _playground(request).users[persona_id].press_data(data, message)
    return web.json_response({"ok": True}, status=202)


async def document(request: web.Request) -> web.Response:
    persona_id = _persona_id(request)
    server = _playground(request).server
    try:
        message = server.message_in(persona_id, int(request.match_info["message"]))
    except LookupError:
        raise _fail(web.HTTPNotFound, "no such message") from None
    if message.document is None:
        raise _fail(web.HTTPNotFound, "no document in this message")
    name = _FILE_NAME.sub("_", message.document.file_name).strip("._") or "file"
    # Served as a download, never rendered on this origin (a file could hold HTML).
    return web.Response(
        body=message.document.content,
        content_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Original-Content-Type": message.document.mime_type,
        },
    )


# ---- an SMS persona's phone -------------------------------------------------------------------


async def sms_thread(request: web.Request) -> web.Response:
    phone = _sms_phone(request)
    playground = _playground(request)
    return web.json_response(
        {
            "revision": playground.server.revision,
            "phone": phone,
            "messages": [m.as_json() for m in playground.phones.thread(phone)],
        }
    )


async def sms_send(request: web.Request) -> web.Response:
    phone = _sms_phone(request)
    text = str((await _body(request)).get("text", ""))
    if not text.strip():
        raise _bad("text is empty")
    if len(text) > SMS_MAX_TEXT:
        raise _bad(f"text is longer than {SMS_MAX_TEXT} characters")
    try:
        await _playground(request).phones.send(phone, text)
    except SmsRouteError as error:
        raise _fail(web.HTTPBadGateway, str(error)) from None
    return web.json_response({"ok": True}, status=202)


# ---- the clock ---------------------------------------------------------------------------------


async def move_clock(request: web.Request) -> web.Response:
    body = await _body(request)
    playground = _playground(request)
    try:
        if "seconds" in body:
            delta = timedelta(seconds=float(body["seconds"]))
        else:
            delta = playground.clock.step(str(body.get("step", "")))
        ran = await playground.clock.advance(delta)
    except (KeyError, ValueError, TypeError, OverflowError):
        raise _bad('step: "hour", "day" or "digest", or seconds: up to 60 days') from None
    await playground.server.announce()  # every open page shows the new time
    return web.json_response({"clock": playground.clock.as_json(), "ran": ran.as_json()})


async def wait(request: web.Request) -> web.Response:
    try:
        since = int(request.query.get("since", "0"))
        timeout = min(float(request.query.get("timeout", WAIT_SECONDS)), WAIT_SECONDS)
    except ValueError:
        raise _bad("since and timeout are numbers") from None
    revision = await _playground(request).server.wait_for_change(since, max(timeout, 0.0))
    return web.json_response({"revision": revision})
