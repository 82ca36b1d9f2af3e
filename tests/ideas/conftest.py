"""Two networks with ideas to have: Torstrand (host Hilde; Olena in Ukrainian, Amal in Arabic,
Kari in Norwegian) and Nanset (host Nils, member Per)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.fake_bot_api import FakeUser
from bot.services import networks, residents
from bot.services.actors import Actor
from tests.support.residents import Settler, UserFactory, settler, through_the_bot


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


async def _neighbourhood(app, arrive: Settler) -> Neighbourhood:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        torstrand = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
        nanset = await networks.create_network(
            session, Actor.operator(), name="Nanset", slug="nanset"
        )
    hilde = await arrive("Hilde", "nb", join=["torstrand"])
    olena = await arrive("Olena", "uk", join=["torstrand"])
    amal = await arrive("Amal", "ar", join=["torstrand"])
    kari = await arrive("Kari", "nb", join=["torstrand"])
    nils = await arrive("Nils", "nb", join=["nanset"])
    per = await arrive("Per", "nb", join=["nanset"])
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", hilde.id)
        await networks.set_host_by_telegram_id(session, Actor.operator(), "nanset", nils.id)
    return Neighbourhood(torstrand.id, nanset.id, hilde, olena, amal, kari, nils, per)


@pytest.fixture
def settled(app, make_user: UserFactory) -> Settler:  # type: ignore[no-untyped-def]
    """Residents onboarded through the services (`settle` in tests/support/residents.py)."""
    return settler(app, make_user)


@pytest.fixture
async def hood(app, settled: Settler) -> Neighbourhood:  # type: ignore[no-untyped-def]
    """The two networks, their residents settled through the services: a chat shows nothing
    until the bot writes to it."""
    return await _neighbourhood(app, settled)


@pytest.fixture
async def hood_through_the_bot(app, resident) -> Neighbourhood:  # type: ignore[no-untyped-def]
    """`hood` with every resident onboarded in the chat and joining by the link, as people
    arrive for real (for the test that follows an idea from the first /start)."""
    return await _neighbourhood(app, through_the_bot(resident))


@pytest.fixture
def actor_of(app):
    async def actor(user: FakeUser) -> Actor:
        async with app.sessionmaker() as session:
            return await residents.identify(session, user.id, app.settings.coordinator_ids)

    return actor
