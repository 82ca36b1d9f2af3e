"""A whole week of Torstrand at DEBUG, every library's logger included, and not one name, text
or phone number in the log: onboarding on Telegram and by SMS, neighbour help relayed between
two residents, an event answered by number, a broadcast and the weekly digest.

Every test runs under the log guard (tests/support/log_guard.py); this one plants distinctive
secrets in every place a resident's data goes and checks that the guard saw the flow at DEBUG,
so the guarantee does not rest on a quiet log."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.fake_bot_api import FakeUser
from bot.services import broadcasts, digest, events, networks, residents
from bot.services import help as helping
from bot.services.actors import Actor
from bot.services.events import EventDraft
from db.models import HelpCategory
from tests.support.log_guard import Guard, personal
from tests.support.residents import onboard
from tests.support.sms_phone import SmsNetwork, sms_network
from tests.support.summaries import summarize

OSLO = ZoneInfo("Europe/Oslo")
NUMBER = "+4792837465"
# Distinctive, so that a hit can only be the resident's own words.
ASK_SECRET = "Trenger-hjelp-med-brevet-fra-NAV-QX"
RELAY_SECRET = "Kaffe-hemmelighet-XYZ onsdag kl 17"
SMS_SECRET = "Min-naboe-hemmelighet-SMS-KW"
EVENT_SECRET = "Bursdagsfest-hos-Solveig-ZQ"
BROADCAST_SECRET = "Vannet-stenges-i-Gamle-Larvikvei-17"


@pytest.fixture
async def week(database_url: str, fake_api) -> AsyncIterator[SmsNetwork]:  # type: ignore[no-untyped-def]
    async for network in sms_network(database_url, fake_api):
        yield network


async def _actor(sms: SmsNetwork, user: FakeUser) -> Actor:
    async with sms.app.sessionmaker() as session:
        return await residents.identify(session, user.id, sms.app.settings.coordinator_ids)


async def test_a_week_in_torstrand_at_debug_logs_no_personal_data(
    week: SmsNetwork, fake_api, log_guard: Guard
):
    sms, app = week, week.app
    ids = itertools.count(7001)
    nb, uk = app.catalogs.translator("nb"), app.catalogs.translator("uk")
    personal(ASK_SECRET, RELAY_SECRET, SMS_SECRET, EVENT_SECRET, BROADCAST_SECRET)

    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    # Telegram residents: their names are registered as personal by the fake Bot API.
    olena = FakeUser(fake_api, next(ids), "Олена Секретенко", "uk", username="olena_sekret")
    kari = FakeUser(fake_api, next(ids), "Kari Hemmelighaug", "nb")
    host = FakeUser(fake_api, next(ids), "Hilde Vertskapsen", "nb")
    await onboard(olena, "Українська")
    await onboard(kari)
    await onboard(host)
    for user in (olena, kari, host):
        await user.send("/start join-torstrand")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", host.id)

    # An SMS resident: onboarding, joining, and a text the bot does not understand.
    phone = sms.phone(NUMBER)
    await phone.send("Hei")
    await phone.send("1")
    await phone.send("1")
    [joined] = await phone.send("bli med torstrand")
    assert "Torstrand" in joined
    assert await phone.send(SMS_SECRET)  # a hint back, and the text in no log

    # Neighbour help, relayed both ways.
    await kari.send("/offer")
    await kari.press(helping.category_label(nb, HelpCategory.LANGUAGE))
    await olena.send("/ask")
    await olena.press(helping.category_label(uk, HelpCategory.LANGUAGE))
    await olena.send(ASK_SECRET)
    await olena.press(uk.gettext("Flexible"))
    await sms.deliver()
    await kari.press(nb.gettext("🙋 I can help"))
    await sms.deliver()
    await olena.press(uk.gettext("✅ Accept {name}", name="Kari Hemmelighaug"))
    await sms.deliver()
    await kari.press(nb.gettext("💬 Write"))
    await kari.send(RELAY_SECRET)
    await sms.deliver()
    assert RELAY_SECRET in olena.last.text

    # An event, answered by number over SMS and by button on Telegram.
    now = datetime.now(UTC)
    async with app.sessionmaker() as session:
        event, _ = await events.publish(
            session,
            await _actor(sms, host),
            app.catalogs,
            EventDraft(
                network_id=view.id,
                title=EVENT_SECRET,
                starts_at=now + timedelta(days=2),
                place="Hjemme hos Hilde, Gamle Larvikvei 17",
            ),
            now=now,
        )
    # By SMS a new event comes in the day's summary; the list by keyword answers by number.
    assert await phone.receive() == []
    await summarize(app, now + timedelta(seconds=1))
    [notice] = await phone.receive()
    assert EVENT_SECRET in notice
    assert await phone.send("HVA SKJER")
    [thanks] = await phone.send("1")
    assert EVENT_SECRET in thanks
    await sms.deliver()
    await olena.press(uk.gettext("✅ Coming"))

    # A broadcast, and the weekly digest.
    async with app.sessionmaker() as session:
        await broadcasts.broadcast(
            session, Actor.operator(), app.catalogs, text=BROADCAST_SECRET, network_id=view.id
        )
    await sms.deliver()
    assert BROADCAST_SECRET in kari.last.text
    summary = await digest.Round(
        app.sessionmaker, app.catalogs, municipality="Larvik", now=now
    ).run(digest.week_of(now, OSLO))
    assert summary.sent >= 1
    await sms.deliver()
    assert event.id

    # The guard knew the secrets, the names and the number, and the flow was logged at DEBUG
    # by the libraries that would carry them ...
    for value in (ASK_SECRET, RELAY_SECRET, SMS_SECRET, "Kari Hemmelighaug", "92837465"):
        assert value in log_guard.values
    loggers = {name.split(".")[0] for name, _text in log_guard.records}
    assert {"aiogram", "sqlalchemy"} <= loggers, loggers
    assert any(text.startswith("DEBUG") for _name, text in log_guard.records)
    # ... and none of it is in the log.
    assert log_guard.leaks() == []
