"""The page and the JSON API it talks to, served beside the embedded Bot API server.

Everything a persona does goes in as a Telegram update (`FakeUser`), and everything shown
comes from what the bot sent to the embedded server: nothing here answers for the bot.

    GET  /                                   the page (static files under /static/)
    GET  /api/state                          personas, SMS personas (each with its empty
                                             pane's hint, in its language: text, lang, dir),
                                             the bot, the revision, switches, the clock, the
                                             outbox's counts
    POST /api/personas                       {"name", "language_code"[, "phone"]}: add a
                                             persona (with a phone: an SMS persona); answers
                                             it, with its hint
    GET  /api/personas/{id}/chat             messages (with edits), reply keyboard, menu,
                                             toasts
    POST /api/personas/{id}/messages         {"text"}: type and send (a reply keyboard
                                             button sends its text the same way)
    POST /api/personas/{id}/press            {"message_id", "callback_data"}: press an inline
                                             button
    GET  /api/personas/{id}/documents/{mid}  download a document the bot sent
    GET  /api/personas/{id}/photos/{mid}     a photo the bot sent (a poll's chart)
    GET  /api/personas/{id}/sms              an SMS persona's thread, both ways; each bot SMS
                                             with its segments and encoding
    POST /api/personas/{id}/sms              {"text"}: text the bot (through its inbound route)
    POST /api/clock                          {"step": "hour" | "day" | "digest" | "summary"}
                                             or {"seconds": N}: move time forward, run what
                                             is due
    GET  /api/wait?since=N                   long poll: returns once the revision passes N
    GET  /playground/calendars/larvik-bibliotek.ics?from=YYYY-MM-DD
                                             the sample calendar Sentrum follows, drawn from
                                             that day (the bot fetches it, as a feed)

One module per part of the page: `guard` (who may drive the API, how a request is read and
refused), `page` (the page, its state, new personas, the clock and the long poll), `chat` (a
Telegram persona's chat), `sms` (an SMS persona's phone) and `calendar` (the sample feed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.playground import sample_calendar
from bot.playground.api.calendar import sample
from bot.playground.api.chat import chat, document, photo, press, send
from bot.playground.api.guard import PLAYGROUND, guard
from bot.playground.api.page import STATIC, add_persona, index, move_clock, state, wait
from bot.playground.api.sms import sms_send, sms_thread

if TYPE_CHECKING:
    from bot.playground.server import Playground

__all__ = ["add_routes"]


def add_routes(app: web.Application, playground: Playground) -> None:
    app[PLAYGROUND] = playground
    app.middlewares.append(guard)
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC)
    app.router.add_get("/api/state", state)
    app.router.add_post("/api/personas", add_persona)
    app.router.add_get("/api/personas/{id:\\d+}/chat", chat)
    app.router.add_post("/api/personas/{id:\\d+}/messages", send)
    app.router.add_post("/api/personas/{id:\\d+}/press", press)
    app.router.add_get("/api/personas/{id:\\d+}/documents/{message:\\d+}", document)
    app.router.add_get("/api/personas/{id:\\d+}/photos/{message:\\d+}", photo)
    app.router.add_get("/api/personas/{id:\\d+}/sms", sms_thread)
    app.router.add_post("/api/personas/{id:\\d+}/sms", sms_send)
    app.router.add_post("/api/clock", move_clock)
    app.router.add_get("/api/wait", wait)
    app.router.add_get(sample_calendar.PATH, sample)
