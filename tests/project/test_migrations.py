"""Every migration upgrades and downgrades step by step, and the models match the migrations."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from db import migrate
from db.models import Base
from db.session import create_engine


def _tables(url: str) -> set[str]:
    async def go() -> set[str]:
        engine = create_engine(url)
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        await engine.dispose()
        return names

    return asyncio.run(go())


def _diff(url: str) -> list[object]:
    async def go() -> list[object]:
        engine = create_engine(url)
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
            )
        await engine.dispose()
        return list(diff)

    return asyncio.run(go())


def test_stairway_up_and_down(database_url: str):
    """From base to head one step at a time, and down again, checking each step lands."""
    migrate.downgrade(database_url, "base")
    assert _tables(database_url) <= {"alembic_version"}
    revisions = migrate.revisions()
    assert revisions, "no migrations found"
    for revision in revisions:
        migrate.upgrade(database_url, revision)
        assert asyncio.run(_current(database_url)) == revision
    assert _diff(database_url) == [], "the models and the migrations disagree"
    for previous in [*reversed(revisions[:-1]), "base"]:
        migrate.downgrade(database_url, "-1")
        assert asyncio.run(_current(database_url)) == (None if previous == "base" else previous)
    migrate.upgrade(database_url)
    assert {"residents", "networks", "memberships"} <= _tables(database_url)


async def _current(url: str) -> str | None:
    engine = create_engine(url)
    status = await migrate.schema_status(engine)
    await engine.dispose()
    return status.current
