"""The insight folder's fixtures: a migrated database in Oslo's time at the town's "now", the
town written into it (tests/support/insight_town.py), and translators."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import PROJECT_ROOT
from bot.i18n import Catalogs, Translator
from db.session import create_engine, create_sessionmaker
from tests.support.insight_town import NOW, OSLO, Town


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a migrated, empty database, in Oslo's time, at the town's "now"."""
    engine = create_engine(database_url)
    yield create_sessionmaker(engine, now=lambda: NOW, zone=OSLO)
    await engine.dispose()


@pytest.fixture
def town(sessions: async_sessionmaker[AsyncSession]) -> Town:
    return Town(sessions)


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs(PROJECT_ROOT / "locales", "nb", OSLO)


@pytest.fixture
def translator(catalogs: Catalogs) -> Callable[[str], Translator]:
    return catalogs.translator
