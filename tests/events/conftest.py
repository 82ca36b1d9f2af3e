"""The events folder's network: Torstrand with a host and two members in other languages."""

from __future__ import annotations

import pytest

from bot.services import networks
from bot.services.actors import Actor


@pytest.fixture
async def network(app, resident):  # type: ignore[no-untyped-def]
    """Torstrand with a host (Hilde, nb) and two members: Olena (uk) and Amal (ar)."""
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    host = await resident("Hilde")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", host.id)
    olena = await resident("Olena", "Українська", "uk")
    amal = await resident("Amal", "العربية", "ar")
    for user in (olena, amal):
        await user.send("/start join-torstrand")
    return view, host, olena, amal
