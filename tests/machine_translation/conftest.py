"""The machine-translation folder's fixtures: a fake LibreTranslate on a reserved port, and a
core whose MACHINE_TRANSLATION points at it, on the test's database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import Clock
from bot.core import Core, build_core
from tests.support.fake_libretranslate import FakeLibreTranslate
from tests.support.settings import make_settings


@pytest.fixture
async def libretranslate(reserved_port: int) -> AsyncIterator[FakeLibreTranslate]:
    async with FakeLibreTranslate(reserved_port) as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def core(
    database_url: str, libretranslate: FakeLibreTranslate, clock: Clock
) -> AsyncIterator[Core]:
    """A core translating with the fake LibreTranslate (no Bot API is ever called)."""
    settings = make_settings(
        database_url,
        "http://127.0.0.1:9",
        machine_translation="libretranslate",
        libretranslate_url=libretranslate.url,
    )
    built = build_core(settings, clock)
    yield built
    await built.close()
