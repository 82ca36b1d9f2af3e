"""The polls folder's network: Torstrand with a host and members in three languages, one of
them written right to left."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.services import networks
from bot.services.actors import Actor
from tests.support.residents import UserFactory, user_factory
from tests.support.sms_phone import SmsNetwork, sms_network


@pytest.fixture
async def network(app, resident):  # type: ignore[no-untyped-def]
    """Torstrand with a host (Hilde, nb) and members Olena (uk), Amal (ar) and Kari (nb)."""
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    host = await resident("Hilde")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", host.id)
    olena = await resident("Olena", "Українська", "uk")
    amal = await resident("Amal", "العربية", "ar")
    kari = await resident("Kari")
    for user in (olena, amal, kari):
        await user.send("/start join-torstrand")
    return view, host, olena, amal, kari


@pytest.fixture
async def sms(database_url: str, fake_api) -> AsyncIterator[SmsNetwork]:  # type: ignore[no-untyped-def]
    """The bot's SMS side with the in-memory gateway, as in tests/sms."""
    async for network in sms_network(database_url, fake_api, rate_limit_sms="off"):
        yield network


@pytest.fixture
def make_user(request: pytest.FixtureRequest, fake_api) -> UserFactory:  # type: ignore[no-untyped-def]
    """Telegram users of the test's one bot: the SMS network's when the test has one, else the
    `app` fixture's (two bots at once would pace only their own messages)."""
    request.getfixturevalue("sms" if "sms" in request.fixturenames else "app")
    return user_factory(fake_api)
