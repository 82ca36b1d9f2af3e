"""Two networks with ideas to have: Torstrand (host Hilde; Olena in Ukrainian, Amal in Arabic,
Kari in Norwegian) and Nanset (host Nils, member Per)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.fake_bot_api import FakeUser
from bot.services import networks, residents
from bot.services.actors import Actor


@dataclass
class Neighbourhood:
    torstrand: int
    nanset: int
    hilde: FakeUser
    olena: FakeUser
    amal: FakeUser
    kari: FakeUser
    nils: FakeUser
    per: FakeUser


@pytest.fixture
async def hood(app, resident) -> Neighbourhood:
    async with app.sessionmaker() as session:
        torstrand = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
        nanset = await networks.create_network(
            session, Actor.operator(), name="Nanset", slug="nanset"
        )
    hilde = await resident("Hilde")
    olena = await resident("Olena", "Українська", "uk")
    amal = await resident("Amal", "العربية", "ar")
    kari = await resident("Kari")
    nils = await resident("Nils")
    per = await resident("Per")
    for user in (hilde, olena, amal, kari):
        await user.send("/start join-torstrand")
    for user in (nils, per):
        await user.send("/start join-nanset")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", hilde.id)
        await networks.set_host_by_telegram_id(session, Actor.operator(), "nanset", nils.id)
    return Neighbourhood(torstrand.id, nanset.id, hilde, olena, amal, kari, nils, per)


@pytest.fixture
def actor_of(app):
    async def actor(user: FakeUser) -> Actor:
        async with app.sessionmaker() as session:
            return await residents.identify(session, user.id, app.settings.coordinator_ids)

    return actor
