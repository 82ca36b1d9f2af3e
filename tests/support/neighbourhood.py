"""Torstrand as the polls and volunteering tests meet it: a host and members in three
languages, one of them written right to left."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.fake_bot_api import FakeUser
from bot.services import networks
from bot.services.actors import Actor
from bot.services.networks.views import NetworkView
from tests.support.residents import Settler

if TYPE_CHECKING:
    from bot.app import App

Torstrand = tuple[NetworkView, FakeUser, FakeUser, FakeUser, FakeUser]


async def torstrand(app: App, arrive: Settler) -> Torstrand:
    """Torstrand with a host (Hilde, nb) and members Olena (uk), Amal (ar) and Kari (nb), in
    that order (resident ids 1 to 4), each arriving by `arrive` (`settler` or
    `through_the_bot` of tests/support/residents.py)."""
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    host = await arrive("Hilde")  # a member by being appointed host
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", host.id)
    olena = await arrive("Olena", "uk", join=["torstrand"])
    amal = await arrive("Amal", "ar", join=["torstrand"])
    kari = await arrive("Kari", "nb", join=["torstrand"])
    return view, host, olena, amal, kari
