"""The SMS folder's `sms`: the bot's SMS side with the in-memory gateway, and phones to text it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.residents import UserFactory, user_factory
from tests.support.sms_phone import SmsNetwork, sms_network


@pytest.fixture
async def sms(database_url: str, fake_api) -> AsyncIterator[SmsNetwork]:  # type: ignore[no-untyped-def]
    async for network in sms_network(database_url, fake_api):
        yield network


@pytest.fixture
def make_user(request: pytest.FixtureRequest, fake_api) -> UserFactory:  # type: ignore[no-untyped-def]
    """Telegram users of the test's one bot: the SMS network's when the test has one, else the
    `app` fixture's. Both at once would be two bots answering the same chats, each pacing only
    its own messages, and Telegram would refuse one's message right behind the other's."""
    request.getfixturevalue("sms" if "sms" in request.fixturenames else "app")
    return user_factory(fake_api)
