"""SQLite statements in one trip to the connection's thread (`db.sqlite_connection`): results
of every size come back whole and in order, errors are SQLAlchemy's as before, and a wait for
another connection's write lock does not stop the event loop."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Integer, String, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db import sqlite_connection
from db.session import create_engine
from db.sqlite_connection import CHUNK, OneTripConnection


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncEngine:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'one-trip.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield engine
    await engine.dispose()


def count_trips(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every call sent to a connection's thread from here on."""
    trips: list[object] = []
    real = OneTripConnection._execute

    async def counted(self: OneTripConnection, fn: object, *args: object) -> object:
        trips.append(fn)
        return await real(self, fn, *args)

    monkeypatch.setattr(OneTripConnection, "_execute", counted)
    return trips


async def test_the_engine_connects_with_one_trip_connections(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, OneTripConnection)


async def test_a_query_is_one_trip(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    async with AsyncSession(engine) as session:
        session.add_all([Row(name="Kari"), Row(name="Ola")])
        await session.commit()
        trips = count_trips(monkeypatch)
        names = (await session.scalars(select(Row.name).order_by(Row.name))).all()
        assert names == ["Kari", "Ola"]
        # aiosqlite itself would take four: cursor, execute, fetchall, close.
        assert len(trips) == 1


async def test_a_session_that_only_read_ends_without_a_trip(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with AsyncSession(engine) as session:
        session.add(Row(name="Kari"))
        await session.commit()
    trips = count_trips(monkeypatch)
    async with AsyncSession(engine) as session:
        assert (await session.scalar(select(Row.name))) == "Kari"
        await session.commit()
    # The query only: no COMMIT, and no ROLLBACK when the pool takes the connection back.
    assert len(trips) == 1


async def test_commit_and_rollback_still_reach_sqlite_inside_a_transaction(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips = count_trips(monkeypatch)
    async with AsyncSession(engine) as session:
        session.add(Row(name="Kari"))
        await session.commit()
    assert len(trips) == 2  # the INSERT, the COMMIT
    async with AsyncSession(engine) as session:
        session.add(Row(name="Ola"))
        await session.flush()
        await session.rollback()
    async with AsyncSession(engine) as session:
        assert (await session.scalars(select(Row.name))).all() == ["Kari"]
    # A connection given back in the middle of a write is rolled back by the pool.
    async with engine.connect() as connection:
        await connection.execute(insert(Row).values(name="Per"))
    async with AsyncSession(engine) as session:
        assert (await session.scalars(select(Row.name))).all() == ["Kari"]


@pytest.mark.parametrize("count", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7])
async def test_results_of_every_size_come_back_whole(engine: AsyncEngine, count: int) -> None:
    async with AsyncSession(engine) as session:
        if count:
            await session.execute(insert(Row), [{"name": f"n{i:05}"} for i in range(count)])
            await session.commit()
        rows = (await session.scalars(select(Row.name).order_by(Row.name))).all()
        assert rows == [f"n{i:05}" for i in range(count)]
        streamed = [
            name
            async for name in await session.stream_scalars(
                select(Row.name).order_by(Row.name).execution_options(yield_per=97)
            )
        ]
        assert streamed == rows


async def test_a_large_stream_keeps_its_cursor_open_between_chunks(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with AsyncSession(engine) as session:
        await session.execute(insert(Row), [{"name": f"n{i:05}"} for i in range(4 * CHUNK)])
        await session.commit()
        trips = count_trips(monkeypatch)
        result = await session.stream_scalars(select(Row.name).execution_options(yield_per=50))
        first = [name async for name in result.partitions(50)][:1]
        assert len(first[0]) == 50
        # The statement's own trip brought CHUNK rows; the rest came in chunks, not one by one.
        assert 1 < len(trips) <= 1 + 4 * CHUNK // 50


async def test_writes_report_rowcount_and_errors_as_before(engine: AsyncEngine) -> None:
    async with AsyncSession(engine) as session:
        session.add(Row(name="Kari"))
        await session.commit()
        # executemany
        await session.execute(
            text("UPDATE rows SET name = :new WHERE name = :old"),
            [{"old": "Kari", "new": "Kari N."}, {"old": "nobody", "new": "x"}],
        )
        await session.commit()
        assert (await session.scalar(select(Row.name))) == "Kari N."
        result = await session.execute(text("UPDATE rows SET name = name || '!'"))
        assert result.rowcount == 1
        await session.commit()
        session.add(Row(name="Kari N.!"))
        with pytest.raises(IntegrityError):
            await session.commit()
        await session.rollback()
        with pytest.raises(OperationalError):
            await session.execute(text("SELECT no_such_column FROM rows"))


async def test_waiting_for_another_writer_does_not_stop_the_event_loop(
    engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another process (a CLI command) holds the write lock for a moment.
    other = sqlite3.connect(tmp_path / "one-trip.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def release() -> None:
        await asyncio.sleep(0.3)
        other.execute("COMMIT")

    ticker = asyncio.create_task(tick())
    releaser = asyncio.create_task(release())
    async with AsyncSession(engine) as session:
        session.add(Row(name="Kari"))
        await session.commit()  # waits (busy timeout) until the other lets go
    await releaser
    ticker.cancel()
    other.close()
    # The loop kept running while the write waited in the connection's thread.
    assert ticks >= 10


def test_connect_takes_what_sqlalchemy_gives_aiosqlite(tmp_path: Path) -> None:
    async def roundtrip() -> list[tuple[int]]:
        connection = await sqlite_connection.connect(str(tmp_path / "x.db"), timeout=5.0)
        try:
            async with connection.cursor() as cursor:
                await cursor.execute("SELECT 1")
                return list(await cursor.fetchall())
        finally:
            await connection.close()

    assert asyncio.run(roundtrip()) == [(1,)]
