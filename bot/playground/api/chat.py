"""A Telegram persona's chat: what the bot sent there, and the persona typing, pressing a button
or downloading a document (or seeing a photo, such as a poll's chart). Everything goes in as a
Telegram update through `FakeUser`.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from bot.fake_bot_api.state import ChatMessage
from bot.fake_bot_api.validation import MAX_TEXT
from bot.playground.api.guard import bad, fail, json_body, playground_of

_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _persona_id(request: web.Request) -> int:
    """A Telegram persona's id from the path."""
    persona_id = int(request.match_info["id"])
    persona = playground_of(request).personas.get(persona_id)
    if persona is None or persona.sms:
        raise fail(web.HTTPNotFound, "no such persona")
    return persona_id


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
    if message.photo is not None:
        item["photo"] = {
            "width": message.photo.width,
            "height": message.photo.height,
            "url": f"/api/personas/{persona_id}/photos/{message.message_id}",
        }
    return item


async def chat(request: web.Request) -> web.Response:
    persona_id = _persona_id(request)
    server = playground_of(request).server
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
    text = str((await json_body(request)).get("text", ""))
    if not text.strip():
        raise bad("text is empty")
    if len(text.encode("utf-16-le")) // 2 > MAX_TEXT:
        raise bad(f"text is longer than {MAX_TEXT} characters")
    await playground_of(request).users[persona_id].send(text)
    return web.json_response({"ok": True}, status=202)


async def press(request: web.Request) -> web.Response:
    persona_id = _persona_id(request)
    body = await json_body(request)
    server = playground_of(request).server
    try:
        message = server.message_in(persona_id, int(body.get("message_id", 0)))
    except (LookupError, ValueError, TypeError):
        raise bad("no such message") from None
    data = str(body.get("callback_data", ""))
    if data not in {b.get("callback_data") for b in message.buttons}:
        raise bad("the message has no such button")
    await playground_of(request).users[persona_id].press_data(data, message)
    return web.json_response({"ok": True}, status=202)


async def document(request: web.Request) -> web.Response:
    persona_id = _persona_id(request)
    server = playground_of(request).server
    try:
        message = server.message_in(persona_id, int(request.match_info["message"]))
    except LookupError:
        raise fail(web.HTTPNotFound, "no such message") from None
    if message.document is None:
        raise fail(web.HTTPNotFound, "no document in this message")
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


async def photo(request: web.Request) -> web.Response:
    """A photo the bot sent (a poll's results chart). Only PNG and JPEG reach the chat: the
    fake Bot API refuses anything else, as Telegram does, so it is served as what it is."""
    persona_id = _persona_id(request)
    server = playground_of(request).server
    try:
        message = server.message_in(persona_id, int(request.match_info["message"]))
    except LookupError:
        raise fail(web.HTTPNotFound, "no such message") from None
    if message.photo is None:
        raise fail(web.HTTPNotFound, "no photo in this message")
    content = message.photo.content
    kind = "image/png" if content.startswith(b"\x89PNG") else "image/jpeg"
    return web.Response(
        body=content,
        content_type=kind,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"},
    )
