"""The settings a test app runs with: the fake Bot API in front, a test database behind, one
coordinator, and the PostgreSQL database the environment names for the tests (if any)."""

from __future__ import annotations

import os

from bot.config import Settings
from bot.fake_bot_api.server import DEFAULT_TOKEN

COORDINATOR_ID = 900001
PG_URL = os.environ.get("TEST_DATABASE_URL")


def make_settings(database_url: str, api_base: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": DEFAULT_TOKEN,
        "telegram_api_base": api_base,
        "database_url": database_url,
        "coordinator_ids": frozenset({COORDINATOR_ID}),
        "redis_url": None,
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
