"""The volunteering folder's network: Torstrand with a host and members in three languages."""

from __future__ import annotations

import pytest

from bot.services import networks
from bot.services.actors import Actor


@pytest.fixture
async def dugnad(app, resident):  # type: ignore[no-untyped-def]
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
async def sms(database_url: str, fake_api):  # type: ignore[no-untyped-def]
    """The bot's SMS side with the in-memory gateway (as in tests/sms)."""
    from tests.support.sms_phone import sms_network

    async for network in sms_network(database_url, fake_api):
        yield network
