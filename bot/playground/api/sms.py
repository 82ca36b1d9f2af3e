"""An SMS persona's phone: its thread with the bot both ways, and texting the bot through the
SMS channel's inbound route, as a gateway would.
"""

from __future__ import annotations

from aiohttp import web

from bot.playground.api.guard import bad, fail, json_body, playground_of
from bot.playground.phones import MAX_TEXT as SMS_MAX_TEXT
from bot.playground.phones import SmsRouteError


def _sms_phone(request: web.Request) -> str:
    """An SMS persona's number, from the persona id in the path."""
    persona = playground_of(request).personas.get(int(request.match_info["id"]))
    if persona is None or persona.phone is None:
        raise fail(web.HTTPNotFound, "no such SMS persona")
    return persona.phone


async def sms_thread(request: web.Request) -> web.Response:
    phone = _sms_phone(request)
    playground = playground_of(request)
    return web.json_response(
        {
            "revision": playground.server.revision,
            "phone": phone,
            "messages": [m.as_json() for m in playground.phones.thread(phone)],
        }
    )


async def sms_send(request: web.Request) -> web.Response:
    phone = _sms_phone(request)
    text = str((await json_body(request)).get("text", ""))
    if not text.strip():
        raise bad("text is empty")
    if len(text) > SMS_MAX_TEXT:
        raise bad(f"text is longer than {SMS_MAX_TEXT} characters")
    try:
        await playground_of(request).phones.send(phone, text)
    except SmsRouteError as error:
        raise fail(web.HTTPBadGateway, str(error)) from None
    return web.json_response({"ok": True}, status=202)
