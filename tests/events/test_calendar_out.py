"""Calendars out of the bot (issue 14): an event's .ics in the reader's language, named and
typed as Telegram shows it, all-day events as dates, and the feeds a phone subscribes to,
read over HTTP on loopback: the right events in the right language, 304 for a version the
calendar has, 404 for a token we do not know, a new link that revokes the old, and /forget
taking the resident's token with them."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import icalendar
import pytest

from bot.channels.calendar_routes import calendar_application, serving
from bot.services import calendar_subscriptions, events, networks, residents
from bot.services.actors import Actor
from db.models import Event
from tests.support.events import actor_of, event_draft
from tests.support.settings import make_settings

BASE = "https://naboskap.example"
OSLO = ZoneInfo("Europe/Oslo")
FAR_THURSDAY = datetime(2099, 12, 3, 18, 0, tzinfo=OSLO)
_FEED_URL = re.compile(re.escape(BASE) + r"/calendar/([A-Za-z0-9_-]+)\.ics")


@pytest.fixture
def settings(database_url, fake_api):  # type: ignore[no-untyped-def]
    return make_settings(database_url, fake_api.base_url, calendar_public_url=BASE)


@pytest.fixture
async def feeds(app) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    """The feeds as `naboskap run` serves them (no access log), on a free port of loopback;
    yields their base URL."""
    web_app = calendar_application(app.sessionmaker, app.catalogs, app.core.machine_translation)
    async with serving(web_app, "127.0.0.1", 0) as (host, port):
        yield f"http://{host}:{port}"


async def _publish(app, network_id, host, starts_at, **changes):  # type: ignore[no-untyped-def]
    changes.setdefault("ends_at", starts_at + timedelta(hours=2))
    async with app.sessionmaker() as session:
        event, _ = await events.publish(
            session,
            await actor_of(app, host),
            app.catalogs,
            event_draft(network_id, starts_at=starts_at, **changes),
        )
    return event


def _only_event(data: bytes) -> icalendar.Event:
    [vevent] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    return vevent


def _tokens(text: str) -> list[str]:
    return _FEED_URL.findall(text)


async def test_a_ukrainian_resident_downloads_the_event_in_ukrainian(app, network, fake_api):
    view, host, olena, _amal = network
    event = await _publish(app, view.id, host, FAR_THURSDAY)
    uk = app.catalogs.translator("uk")
    await olena.send("/events")
    await olena.press("Мовне кафе в бібліотеці")
    [sent] = await olena.press(uk.gettext("📅 Add to calendar"))
    assert sent.document is not None
    # What Telegram shows: the form part's file name and Content-Type, as the fake saw them.
    assert sent.document.file_name == f"naboskap-event-{event.id}.ics"
    assert sent.document.mime_type == "text/calendar"
    vevent = _only_event(sent.document.content)
    assert str(vevent["SUMMARY"]) == "Мовне кафе в бібліотеці"
    assert str(vevent["DESCRIPTION"]) == "Практикуємо норвезьку разом."
    assert str(vevent["STATUS"]) == "CONFIRMED"

    nb = app.catalogs.translator("nb")
    await host.send("/events")
    await host.press("Språkkafé på biblioteket")
    [mine] = await host.press(nb.gettext("📅 Add to calendar"))
    assert mine.document is not None
    assert mine.document.file_name == "sprakkafe-pa-biblioteket-2099-12-03.ics"
    assert str(_only_event(mine.document.content)["SUMMARY"]) == "Språkkafé på biblioteket"


async def test_the_upload_carries_its_content_type_with_the_charset(app, network, fake_api):
    view, host, olena, _amal = network
    await _publish(app, view.id, host, FAR_THURSDAY)
    await olena.send("/events")
    await olena.press("Мовне кафе в бібліотеці")
    await olena.press(app.catalogs.translator("uk").gettext("📅 Add to calendar"))
    [call] = [c for c in fake_api.calls if c.method.lower() == "senddocument"]
    # aiogram sends the file as its own form part, named by `attach://<part>`.
    part = call.params[call.params["document"].removeprefix("attach://")]
    assert part.mime_type == "text/calendar; charset=utf-8"


async def test_an_all_day_event_is_written_with_dates(app, network):
    view, host, olena, _amal = network
    first_day = datetime(2099, 12, 3, tzinfo=OSLO)
    event = await _publish(app, view.id, host, first_day, ends_at=first_day + timedelta(days=2))
    async with app.sessionmaker() as session:
        row = await session.get(Event, event.id)
        assert row is not None
        row.all_day = True  # as a calendar import makes it
        await session.commit()
        found = await calendar_subscriptions.download(
            session, await actor_of(app, olena), event.id, app.catalogs, "uk"
        )
    vevent = _only_event(found.data)
    assert vevent["DTSTART"].dt == date(2099, 12, 3)
    assert vevent["DTEND"].dt == date(2099, 12, 5)
    assert b"DTSTART;VALUE=DATE:20991203" in found.data


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Språkkafé på biblioteket", "sprakkafe-pa-biblioteket-2027-03-03.ics"),
        ("Dugnad i Ørstedparken & Łódź!", "dugnad-i-orstedparken-lodz-2027-03-03.ics"),
        ("Žiemos šventė", "ziemos-svente-2027-03-03.ics"),
        ("Мовне кафе", "naboskap-event-7.ics"),
        ("قهوة اللغة", "naboskap-event-7.ics"),
        ("2027 🎉", "naboskap-event-7.ics"),
        ("A" * 80, "a" * 40 + "-2027-03-03.ics"),
    ],
)
def test_file_names_are_safe_ascii(title: str, expected: str) -> None:
    assert calendar_subscriptions.file_name(title, date(2027, 3, 3), 7) == expected


async def test_the_feeds_over_http(app, network, resident, feeds, caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    view, host, olena, _amal = network
    soon = app.clock.now() + timedelta(days=10)
    await _publish(app, view.id, host, soon)
    gone = await _publish(
        app, view.id, host, soon + timedelta(days=1), title="Loppemarked", translations={}
    )
    async with app.sessionmaker() as session:
        await events.cancel(session, await actor_of(app, host), app.catalogs, gone.id)
    # Another network's event, and one too far ahead: in no feed of Torstrand's.
    async with app.sessionmaker() as session:
        other = await networks.create_network(
            session, Actor.operator(), name="Nanset", slug="nanset"
        )
    per = await resident("Per")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "nanset", per.id)
    await _publish(app, other.id, per, soon, title="Nanset-dugnad", translations={})
    await _publish(
        app, view.id, host, soon + timedelta(days=500), title="Langt fram", translations={}
    )

    [reply] = await olena.send("/calendar")
    [token] = _tokens(reply.text)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{feeds}/calendar/{token}.ics") as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
            assert response.headers["Cache-Control"] == "private, max-age=900"
            assert response.headers["Last-Modified"]
            etag = response.headers["ETag"]
            calendar = icalendar.Calendar.from_ical(await response.read())
        by_title = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
        assert set(by_title) == {"Мовне кафе в бібліотеці", "Loppemarked"}
        assert str(by_title["Loppemarked"]["STATUS"]) == "CANCELLED"
        assert calendar.walk("VTIMEZONE")

        # The calendar app's next visit: nothing changed, nothing sent.
        headers = {"If-None-Match": etag}
        async with http.get(f"{feeds}/calendar/{token}.ics", headers=headers) as response:
            assert response.status == 304
            assert await response.read() == b""
        async with http.get(f"{feeds}/calendar/{'x' * 43}.ics") as response:
            assert response.status == 404
            assert "x" * 43 not in await response.text()

        # A new link: the old one stops working at once.
        t = app.catalogs.translator("uk")
        [renewed] = await olena.press(t.gettext("🔄 New link"))
        [new_token] = _tokens(renewed.text)
        assert new_token != token
        async with http.get(f"{feeds}/calendar/{token}.ics") as response:
            assert response.status == 404
        async with http.get(f"{feeds}/calendar/{new_token}.ics") as response:
            assert response.status == 200

        # The host also gets the network's feed, in the municipality's language.
        [hosts_reply] = await host.send("/calendar")
        mine, torstrand = _tokens(hosts_reply.text)
        async with http.get(f"{feeds}/calendar/{torstrand}.ics") as response:
            assert response.status == 200
            calendar = icalendar.Calendar.from_ical(await response.read())
        assert "Torstrand" in str(calendar["X-WR-CALNAME"])
        titles = {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
        assert titles == {"Språkkafé på biblioteket", "Loppemarked"}
        nb = app.catalogs.translator("nb")
        await host.press(nb.gettext("🔄 New link: {network}", network="Torstrand"))
        async with http.get(f"{feeds}/calendar/{torstrand}.ics") as response:
            assert response.status == 404
        async with http.get(f"{feeds}/calendar/{mine}.ics") as response:
            assert response.status == 200
    for secret in (token, new_token, torstrand, mine):
        leaks = [f"{r.name}: {r.getMessage()}" for r in caplog.records if secret in r.getMessage()]
        assert not leaks


async def test_forget_takes_the_token_with_the_resident(app, network):
    _view, _host, olena, _amal = network
    [reply] = await olena.send("/calendar")
    [token] = _tokens(reply.text)
    async with app.sessionmaker() as session:
        assert await calendar_subscriptions.find_feed(session, token, app.catalogs) is not None
        # Her export says she has a link, and does not give the secret away.
        actor = await residents.identify(session, olena.id, frozenset())
        exported = json.dumps((await residents.export(session, actor)).as_json())
        assert '"calendar_link": true' in exported and token not in exported
    uk = app.catalogs.translator("uk")
    await olena.send("/forget")
    await olena.press(uk.gettext("🗑 Yes, delete my data"))
    async with app.sessionmaker() as session:
        assert await calendar_subscriptions.find_feed(session, token, app.catalogs) is None


async def test_without_a_public_url_the_bot_says_feeds_are_off(app, network):
    _view, _host, olena, _amal = network
    # As an operator who has not set CALENDAR_PUBLIC_URL (handlers read the app's settings).
    app.settings.calendar_public_url = None
    uk = app.catalogs.translator("uk")
    [reply] = await olena.send("/calendar")
    assert reply.text == uk.gettext(
        "Calendar subscriptions are not switched on here. You can still add a single event "
        "to your calendar with “📅 Add to calendar” on the event."
    )
    assert not _tokens(reply.text)
