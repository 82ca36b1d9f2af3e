"""The polls folder's network: Torstrand with a host and members in three languages, one of
them written right to left."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.neighbourhood import Torstrand, torstrand
from tests.support.residents import Settler, UserFactory, settler, through_the_bot, user_factory
from tests.support.sms_phone import SmsNetwork, sms_network


@pytest.fixture
def settled(app, make_user: UserFactory) -> Settler:  # type: ignore[no-untyped-def]
    """Residents onboarded through the services (`settle` in tests/support/residents.py)."""
    return settler(app, make_user)


@pytest.fixture
async def network(app, settled: Settler) -> Torstrand:  # type: ignore[no-untyped-def]
    """Torstrand with a host (Hilde, nb) and members Olena (uk), Amal (ar) and Kari (nb),
    settled through the services: a chat shows nothing until the bot writes to it."""
    return await torstrand(app, settled)


@pytest.fixture
async def network_through_the_bot(app, resident) -> Torstrand:  # type: ignore[no-untyped-def]
    """`network` with every resident onboarded in the chat and joining by the link, as people
    arrive for real (for the test that follows a poll from the first /start)."""
    return await torstrand(app, through_the_bot(resident))


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
