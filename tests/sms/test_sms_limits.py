"""A phone texting the bot again and again (issue 11): over the SMS limit it gets one kind
refusal that says when to try again, then silence, since every answer costs the municipality
an SMS. STOP always works; another phone is unaffected; the limit passes with time; the
settings set it. Help requests by SMS have their limit too."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot.config import MINUTE
from bot.fake_bot_api import FakeUser
from bot.i18n import Translator
from bot.services import help as helping
from bot.services import networks, residents
from bot.services.actors import Actor
from bot.sms_keywords import Command, shown
from db.models import Base, HelpCategory, RateEvent, RateKind, Resident
from tests.support.outbox import Clock
from tests.support.residents import onboard
from tests.support.sms_phone import Phone, SmsNetwork, sms_network

NUMBER = "+4791234567"
OTHER = "+4798765432"


@pytest.fixture
async def sms(database_url: str, fake_api) -> AsyncIterator[SmsNetwork]:  # type: ignore[no-untyped-def]
    async for network in sms_network(database_url, fake_api, rate_limit_sms="5/10min"):
        await _noon(network)
        yield network


async def _noon(sms: SmsNetwork) -> None:
    """The app's clock at the next noon in Oslo (so the refusal's time reads the same whenever
    the test runs), and the worker's a little later, so it sends what was queued."""
    app = sms.app
    local = app.clock.now().astimezone(app.catalogs.zone)
    noon = datetime.combine(local.date() + timedelta(days=1), time(12), tzinfo=app.catalogs.zone)
    app.clock.advance(noon - local)
    _catch_up(sms)


def _catch_up(sms: SmsNetwork) -> None:
    sms.clock = Clock(sms.app.clock.now() + MINUTE)


def _minute_after(moment: datetime) -> datetime:
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + MINUTE


async def _onboarded(sms: SmsNetwork, number: str = NUMBER) -> Phone:
    phone = sms.phone(number)
    for text in ("Hei", "1", "1"):  # the language menu, Norsk, the privacy notice
        assert await phone.send(text)
    return phone


async def _times(sms: SmsNetwork, number: str, kind: RateKind) -> list[datetime]:
    async with sms.app.sessionmaker() as session:
        return list(
            await session.scalars(
                select(RateEvent.at)
                .join(Resident, Resident.id == RateEvent.resident_id)
                .where(Resident.phone == number, RateEvent.kind == kind)
                .order_by(RateEvent.at)
            )
        )


async def _rows(sms: SmsNetwork, *tables: str) -> dict[str, list[tuple[object, ...]]]:
    async with sms.app.sessionmaker() as session:
        dump = {}
        for name in tables:
            table = Base.metadata.tables[name]
            result = await session.execute(select(table).order_by(*table.primary_key.columns))
            dump[name] = [tuple(row) for row in result]
        return dump


def _refusal(t: Translator, cause: str, when: str, at: datetime) -> str:
    return t.gettext(cause) + " " + t.gettext(when, time=t.format_time(_minute_after(at)))


async def test_a_flood_of_texts_gets_one_refusal_then_silence(sms, caplog):
    nb = sms.app.catalogs.translator("nb")
    phone = await _onboarded(sms)  # three texts
    networks_word = shown(Command.NETWORKS, "nb")
    for _ in range(2):
        assert len(await phone.send(networks_word)) == 1
    first = (await _times(sms, NUMBER, RateKind.SMS))[0]

    caplog.set_level(logging.DEBUG, logger="naboskap.sms")
    assert await phone.send(networks_word) == [
        _refusal(
            nb,
            "You have sent us many messages in a short time.",
            "You can try again at {time}.",
            first + 10 * MINUTE,
        )
    ]
    tables = ("sms_conversations", "notices", "deliveries", "rate_events", "residents")
    before = await _rows(sms, *tables)
    for text in [networks_word, "1", "HJELP", "hei?"] * 5:
        assert await phone.send(text) == []
    assert await _rows(sms, *tables) == before  # not answered, not counted, nothing changed
    # One line for the refusal, a quiet one for each text after it; no number, no text.
    noted = [r.levelname for r in caplog.records if "rate limit" in r.getMessage()]
    assert noted == ["WARNING"] + ["DEBUG"] * 20
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "91234567" not in logged and "hei?" not in logged

    # Another phone is not this one.
    other = await _onboarded(sms, OTHER)
    assert len(await other.send(networks_word)) == 1

    # Ten minutes after the first counted text, the phone is answered again.
    sms.app.clock.advance(10 * MINUTE)
    _catch_up(sms)
    assert len(await phone.send(networks_word)) == 1


async def test_stop_works_however_many_texts_came_before(sms):
    nb = sms.app.catalogs.translator("nb")
    phone = await _onboarded(sms)
    for _ in range(3):
        await phone.send(shown(Command.NETWORKS, "nb"))
    assert await phone.send("hei") == []  # quiet: the refusal was the one before

    [stopped] = await phone.send(shown(Command.STOP, "nb"))
    async with sms.app.sessionmaker() as session:
        resident = await session.scalar(select(Resident).where(Resident.phone == NUMBER))
        assert resident is not None
    assert resident.sms_stopped_at is not None
    assert nb.gettext("You have sent us many messages in a short time.") not in stopped


@pytest.fixture
async def asking(database_url: str, fake_api) -> AsyncIterator[SmsNetwork]:  # type: ignore[no-untyped-def]
    """No limit on texts (`off`), one help request a day."""
    async for network in sms_network(
        database_url, fake_api, rate_limit_sms="off", rate_limit_help_requests="1/day"
    ):
        await _noon(network)
        yield network


async def test_asking_for_help_by_sms_again_is_refused_with_when(asking):
    sms = asking
    nb = sms.app.catalogs.translator("nb")
    async with sms.app.sessionmaker() as session:
        await networks.create_network(session, Actor.operator(), name="Torstrand", slug="torstrand")
    phone = await _onboarded(sms)
    await phone.send("bli med torstrand")
    ask = shown(Command.ASK, "nb")
    await phone.send(ask)
    await phone.send("1")  # the first category
    [sent] = await phone.send("Hjelp med handleposer")
    assert "Torstrand" not in sent  # one network: sent straight away
    first = (await _times(sms, NUMBER, RateKind.HELP_REQUEST))[0]

    assert await phone.send(ask) == [
        _refusal(
            nb,
            "You have asked for help many times in a short time.",
            "You can try again tomorrow at {time}.",
            first + timedelta(days=1),
        )
    ]


@pytest.fixture
async def writing(database_url: str, fake_api) -> AsyncIterator[SmsNetwork]:  # type: ignore[no-untyped-def]
    """One message a minute to a matched neighbour; texts not limited."""
    async for network in sms_network(
        database_url, fake_api, rate_limit_sms="off", rate_limit_relay="1/minute"
    ):
        await _noon(network)
        yield network


async def test_writing_to_a_match_by_sms_too_often_waits_and_goes_on(writing, fake_api):
    sms = writing
    nb = sms.app.catalogs.translator("nb")
    async with sms.app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    # Kari talks to the same app that relays to her (not the `app` fixture's second bot, which
    # would not know what this one sent her and meet Telegram's flood limits).
    helper = FakeUser(fake_api, 1000, "Kari", "nb")
    await onboard(helper)
    await helper.send("/start join-torstrand")
    async with sms.app.sessionmaker() as session:
        actor = await residents.identify(session, helper.id, ())
        await helping.set_offer(session, actor, view.id, {HelpCategory.ERRANDS})
    phone = await _onboarded(sms)
    await phone.send("bli med torstrand")
    await phone.send(shown(Command.ASK, "nb"))
    await phone.send(str(list(HelpCategory).index(HelpCategory.ERRANDS) + 1))
    await phone.send("Handle melk og brød")
    await sms.deliver()
    await helper.press(nb.gettext("🙋 I can help"))
    await phone.receive()
    await phone.send("1")  # accept Kari
    await phone.send("1")  # write to her
    assert await phone.send("Takk!") == [nb.gettext("Sent.")]
    first = (await _times(sms, NUMBER, RateKind.RELAY))[0]
    await sms.deliver()
    await helper.press(nb.gettext("💬 Answer"))
    await helper.send("Når passer det?")
    await sms.deliver()
    await phone.receive()  # her answer, "1" to write back
    await phone.send("1")

    assert await phone.send("Kom kl 17") == [
        _refusal(
            nb,
            "You have sent many messages in a short time.",
            "You can try again at {time}.",
            first + MINUTE,
        )
    ]
    await sms.deliver()
    assert not [m for m in helper.messages if "Kom kl 17" in m.text]

    # A minute later the next text still goes to Kari: no need to choose her again.
    sms.app.clock.advance(MINUTE + timedelta(seconds=1))
    _catch_up(sms)
    assert await phone.send("Kom kl 17") == [nb.gettext("Sent.")]
    await sms.deliver()
    assert helper.last.text.endswith("Kom kl 17")
