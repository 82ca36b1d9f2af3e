"""Machine translation by SMS: a Ukrainian SMS resident reads a Norwegian broadcast in
Ukrainian, marked as machine-translated (the mark survives the trip to plain text); what she
asks for by SMS in Ukrainian reaches a Norwegian helper on Telegram in Norwegian."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.i18n import SHIPPED_LOCALES
from bot.services import broadcasts, networks, residents
from bot.services import help as helping
from bot.services.actors import Actor
from bot.sms_keywords import Command, shown
from bot.sms_segments import count
from db.models import HelpCategory
from tests.support.fake_libretranslate import FakeLibreTranslate
from tests.support.residents import onboard
from tests.support.sms_phone import SmsNetwork, sms_network

NUMBER = "+4791234597"


@pytest.fixture
async def libretranslate(reserved_port: int) -> AsyncIterator[FakeLibreTranslate]:
    async with FakeLibreTranslate(reserved_port) as server:
        yield server


@pytest.fixture
async def sms(database_url: str, fake_api, libretranslate) -> AsyncIterator[SmsNetwork]:  # type: ignore[no-untyped-def]
    """The SMS network with MACHINE_TRANSLATION=libretranslate (replaces tests/sms/conftest's)."""
    async for network in sms_network(
        database_url,
        fake_api,
        machine_translation="libretranslate",
        libretranslate_url=libretranslate.url,
    ):
        yield network


async def test_by_sms_both_ways(sms: SmsNetwork, make_user, libretranslate) -> None:  # type: ignore[no-untyped-def]
    app = sms.app
    operator = Actor.operator()
    async with app.sessionmaker() as session:
        torstrand = await networks.create_network(
            session, operator, name="Torstrand", slug="torstrand"
        )
    kari = make_user("Kari", "nb")
    await onboard(kari, "Norsk (bokmål)")
    await kari.send("/start join-torstrand")
    async with app.sessionmaker() as session:
        kari_actor = await residents.identify(session, kari.id, frozenset())
        await helping.set_offer(session, kari_actor, torstrand.id, set(HelpCategory))
    phone = sms.phone(NUMBER)
    await phone.send("Hei")
    await phone.send(str(SHIPPED_LOCALES.index("uk") + 1))
    await phone.send("1")
    await phone.send(f"{shown(Command.JOIN, 'uk')} Torstrand")
    uk = app.catalogs.translator("uk")

    text = "Vannet blir stengt i Torstrandgata tirsdag."
    async with app.sessionmaker() as session:
        await broadcasts.broadcast(
            session,
            operator,
            app.catalogs,
            text=text,
            network_id=torstrand.id,
            machine=app.core.machine_translation,
        )
    [notice] = await phone.receive()
    assert f"[uk] {text}" in notice
    assert (
        uk.gettext(
            "🤖 Machine-translated from {language}.", language=uk.language_name("nb")
        ).removeprefix("🤖 ")
        in notice
    )
    assert count(notice).segments <= 3

    # She asks in Ukrainian; Kari reads it in Norwegian.
    categories = await phone.send(shown(Command.ASK, "uk"))
    assert categories
    await phone.send("1")
    request = "Потрібна допомога з листом від NAV"
    await phone.send(request)
    await sms.deliver()
    assert f"[nb] {request}" in kari.last.text
    nb = app.catalogs.translator("nb")
    assert nb.gettext("🔤 Show original") in kari.last.button_texts
    # The translation was kept: the cache is written once the SMS turn has committed (written
    # in the turn, it waited for the turn's own write lock until SQLite's busy timeout, and
    # failed).
    await app.core.machine_translation.settled()
    assert await app.core.machine_translation.cached([request], "uk", "nb") == [f"[nb] {request}"]
