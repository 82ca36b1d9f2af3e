"""The page itself and what every open page shares: the playground's state, new personas, the
clock control, and the long poll that tells a page something changed.
"""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.i18n import negotiate_locale
from bot.playground.api.guard import WAIT_SECONDS, bad, json_body, playground_of
from bot.playground.personas import Persona, PersonaError

if TYPE_CHECKING:
    from bot.playground.server import Playground

STATIC = Path(str(resources.files("bot.playground") / "static"))


async def index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})


async def state(request: web.Request) -> web.Response:
    playground = playground_of(request)
    limits = playground.server.rate_limit
    return web.json_response(
        {
            "bot": playground.server.bot_user,
            "revision": playground.server.revision,
            "personas": [persona_json(playground, p) for p in playground.personas.telegram],
            "rate_limit": {"per_chat": limits.per_chat, "total": limits.total},
            "quiet_hours": playground.options.quiet_hours,
            "clock": playground.clock.as_json(),
            "deliveries": await playground.clock.deliveries(),
            "sms": [persona_json(playground, p) for p in playground.personas.sms],
        }
    )


async def add_persona(request: web.Request) -> web.Response:
    body = await json_body(request)
    phone = body.get("phone")
    try:
        persona = await playground_of(request).add_persona(
            str(body.get("name", "")),
            str(body.get("language_code", "")),
            str(phone) if phone else None,
        )
    except PersonaError as error:
        raise bad(str(error)) from None
    playground = playground_of(request)
    await playground.server.announce()  # other open pages list it too
    return web.json_response(persona_json(playground, persona), status=201)


def hint(playground: Playground, persona: Persona) -> dict[str, str]:
    """What an empty pane says, in the language the bot speaks to this persona before they
    choose one (their app language where it is shipped, else the default locale): how to
    begin. `lang` is its BCP 47 tag and `dir` its direction, for the page."""
    t = playground.bot_app.catalogs.translator(negotiate_locale(persona.language_code))
    if persona.sms:
        text = t.gettext("Send a text, such as HEI, to start.")
    else:
        text = t.gettext("Type /start, or tap / for the menu.")
    return {"text": text, "lang": t.locale.replace("_", "-"), "dir": "rtl" if t.rtl else "ltr"}


def persona_json(playground: Playground, persona: Persona) -> dict[str, Any]:
    """A persona as the page shows it: who they are and their empty pane's hint."""
    item = {**persona.as_json(), "hint": hint(playground, persona)}
    if persona.phone is not None:
        item["messages"] = len(playground.phones.thread(persona.phone))
    return item


async def move_clock(request: web.Request) -> web.Response:
    body = await json_body(request)
    playground = playground_of(request)
    try:
        if "seconds" in body:
            delta = timedelta(seconds=float(body["seconds"]))
        else:
            delta = playground.clock.step(str(body.get("step", "")))
        ran = await playground.clock.advance(delta)
    except (KeyError, ValueError, TypeError, OverflowError):
        raise bad('step: "hour", "day", "digest" or "summary", or seconds: up to 60 days') from None
    await playground.server.announce()  # every open page shows the new time
    return web.json_response({"clock": playground.clock.as_json(), "ran": ran.as_json()})


async def wait(request: web.Request) -> web.Response:
    try:
        since = int(request.query.get("since", "0"))
        timeout = min(float(request.query.get("timeout", WAIT_SECONDS)), WAIT_SECONDS)
    except ValueError:
        raise bad("since and timeout are numbers") from None
    revision = await playground_of(request).server.wait_for_change(since, max(timeout, 0.0))
    return web.json_response({"revision": revision})
