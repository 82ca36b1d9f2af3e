"""The volunteering folder's network: Torstrand with a host and members in three languages."""

from __future__ import annotations

import pytest

from tests.support.neighbourhood import Torstrand, torstrand
from tests.support.residents import Settler, UserFactory, settler, through_the_bot


@pytest.fixture
def settled(app, make_user: UserFactory) -> Settler:  # type: ignore[no-untyped-def]
    """Residents onboarded through the services (`settle` in tests/support/residents.py)."""
    return settler(app, make_user)


@pytest.fixture
async def dugnad(app, settled: Settler) -> Torstrand:  # type: ignore[no-untyped-def]
    """Torstrand with a host (Hilde, nb) and members Olena (uk), Amal (ar) and Kari (nb),
    settled through the services: a chat shows nothing until the bot writes to it."""
    return await torstrand(app, settled)


@pytest.fixture
async def dugnad_through_the_bot(app, resident) -> Torstrand:  # type: ignore[no-untyped-def]
    """`dugnad` with every resident onboarded in the chat and joining by the link, as people
    arrive for real (for the test that follows a call from the host's first message)."""
    return await torstrand(app, through_the_bot(resident))


@pytest.fixture
async def sms(database_url: str, fake_api):  # type: ignore[no-untyped-def]
    """The bot's SMS side with the in-memory gateway (as in tests/sms)."""
    from tests.support.sms_phone import sms_network

    async for network in sms_network(database_url, fake_api):
        yield network
