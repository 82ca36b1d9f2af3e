"""Every migration upgrades and downgrades step by step, and the models match the migrations."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import DateTime, column, inspect, table, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.expression import TableClause

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


def _table(name: str, *columns: str) -> TableClause:
    """A table as a migration sees it: named columns, typed only where it matters."""
    return table(
        name,
        *(column(c, DateTime(timezone=True)) if c.endswith("_at") else column(c) for c in columns),
    )


async def _torstrand_and_residents(c: AsyncConnection, at: datetime, ids: tuple[int, ...]) -> None:
    """Torstrand and residents `ids`, written as the old schemas the tests start from take
    them (columns that later migrations add are left out)."""
    networks = _table(
        "networks", "id", "slug", "name", "description", "kind", "join_policy", "created_at"
    )
    residents = _table("residents", "id", "is_coordinator", "reachable", "created_at")
    await c.execute(
        networks.insert().values(
            id=1,
            slug="torstrand",
            name="Torstrand",
            description="",
            kind="area",
            join_policy="open",
            created_at=at,
        )
    )
    await c.execute(
        residents.insert(),
        [dict(id=n, is_coordinator=False, reachable=True, created_at=at) for n in ids],
    )


def test_open_reports_made_twice_before_0007_keep_the_first_open(database_url: str):
    """0007 makes one open report per reporter and item; duplicates already there are marked
    handled (the earliest stays open), so the unique index can be made."""
    migrate.downgrade(database_url, "0006")
    at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    requests = _table(
        "help_requests",
        *("id", "requester_id", "network_id", "category", "description", "status"),
        *("created_at", "expires_at"),
    )
    reports = _table(
        "reports",
        "id",
        "reporter_id",
        "network_id",
        "request_id",
        "reported_id",
        "reason",
        "created_at",
    )
    # Kari (2) reported the request three times and Olena (1) the person twice; Per (3) once.
    made = [(1, 2, None), (2, 2, None), (3, 1, 2), (4, 2, None), (5, 1, 2), (6, 3, None)]

    async def fill() -> None:
        engine = create_engine(database_url)
        async with engine.begin() as c:
            await _torstrand_and_residents(c, at, (1, 2, 3))
            await c.execute(
                requests.insert().values(
                    id=1,
                    requester_id=1,
                    network_id=1,
                    category="digital",
                    description="",
                    status="open",
                    created_at=at,
                    expires_at=at,
                )
            )
            await c.execute(
                reports.insert(),
                [
                    dict(
                        id=i,
                        reporter_id=r,
                        network_id=1,
                        request_id=1,
                        reported_id=p,
                        reason="",
                        created_at=at,
                    )
                    for i, r, p in made
                ],
            )
        await engine.dispose()

    async def found() -> list[tuple[object, ...]]:
        engine = create_engine(database_url)
        async with engine.connect() as c:
            rows = await c.execute(
                text("SELECT id, about_resident, handled_at IS NULL FROM reports ORDER BY id")
            )
            result = [(i, bool(about), bool(open_)) for i, about, open_ in rows]
        await engine.dispose()
        return result

    asyncio.run(fill())
    migrate.upgrade(database_url)
    assert asyncio.run(found()) == [
        (1, False, True),
        (2, False, False),
        (3, True, True),
        (4, False, False),
        (5, True, False),
        (6, False, True),
    ]


def test_upgrading_keeps_every_row_of_the_tables_it_rebuilds(database_url: str):
    """On SQLite, batch mode rebuilds a table by dropping it; with foreign keys on, dropping
    `residents` or `networks` would cascade into memberships (0006 and 0010 rebuild both).
    From 0005, with a member in a network, to head: the membership is still there."""
    migrate.downgrade(database_url, "0005")
    at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    memberships = _table("memberships", "resident_id", "network_id", "role", "joined_at")

    async def fill() -> None:
        engine = create_engine(database_url)
        async with engine.begin() as c:
            await _torstrand_and_residents(c, at, (1, 2))
            await c.execute(
                memberships.insert(),
                [dict(resident_id=n, network_id=1, role="member", joined_at=at) for n in (1, 2)],
            )
        await engine.dispose()

    async def count() -> int:
        engine = create_engine(database_url)
        async with engine.connect() as c:
            found = (await c.execute(text("SELECT count(*) FROM memberships"))).scalar_one()
        await engine.dispose()
        return int(found)

    asyncio.run(fill())
    migrate.upgrade(database_url)
    assert asyncio.run(count()) == 2
