"""The SMS folder's `sms`: the bot's SMS side with the in-memory gateway, and phones to text it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.sms_phone import SmsNetwork, sms_network


@pytest.fixture
async def sms(database_url: str, fake_api) -> AsyncIterator[SmsNetwork]:  # type: ignore[no-untyped-def]
    async for network in sms_network(database_url, fake_api):
        yield network
