"""SQLite connections that answer each statement in one trip to their thread.

aiosqlite runs a connection's `sqlite3` calls in a thread of its own, one call per trip: the
event loop puts the call on the thread's queue, the thread wakes, runs it and wakes the loop
with the result. SQLAlchemy's adapter makes four such trips for every statement (open a cursor,
execute, fetch the rows, close the cursor), and each trip costs two thread wake-ups and a
handover of the GIL, far more than SQLite's own work on our small queries: in a profile of
benchmarks/updates.py the handovers were the largest single cost after the HTTP traffic.

`OneTripConnection` is aiosqlite's connection with a cursor that does open, execute, fetch and
close in one trip: SQLAlchemy's later "fetch" and "close" find the rows already there. A result
larger than `CHUNK` rows keeps its `sqlite3` cursor open and the rest is fetched in further
trips, so that streaming a large result (`yield_per`) stays flat in memory. Everything still
runs on the connection's own thread, so a wait for another process's write lock (the busy
timeout) never blocks the event loop.

It is plugged in under SQLAlchemy's `aiosqlite` dialect by `use_one_trip_connections`, through
the dialect's `async_creator_fn` connect argument, with the arguments aiosqlite would get.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator, Iterable, Sequence
from functools import partial
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

# Rows fetched in the statement's own trip; most of our queries return far fewer.
CHUNK = 500

_Row = Any
_T = TypeVar("_T")
_Outcome = tuple[Any, int, int | None, list[_Row], sqlite3.Cursor | None]


def _run(
    connection: sqlite3.Connection, sql: str, parameters: Any, many: bool, chunk: int
) -> _Outcome:
    """In the connection's thread: the statement executed and its first rows fetched; the
    cursor closed unless more rows remain."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        elif parameters is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, parameters)
        rows: list[_Row] = cursor.fetchmany(chunk) if cursor.description else []
    except BaseException:
        cursor.close()
        raise
    outcome = (cursor.description, cursor.rowcount, cursor.lastrowid, rows)
    if len(rows) < chunk:
        cursor.close()
        return (*outcome, None)
    return (*outcome, cursor)


class OneTripCursor:
    """The cursor SQLAlchemy's aiosqlite adapter drives: `execute` is the one trip; the rows
    are then read from here, and `close` has nothing left to do in the thread unless a large
    result is still open."""

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._rows: list[_Row] = []
        self._open: sqlite3.Cursor | None = None
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def _statement(self, sql: str, parameters: Any, many: bool) -> OneTripCursor:
        await self.close()
        (
            self.description,
            self.rowcount,
            self.lastrowid,
            self._rows,
            self._open,
        ) = await self._connection.trip(
            partial(_run, self._connection._conn, sql, parameters, many, CHUNK)
        )
        return self

    async def execute(self, sql: str, parameters: Any = None) -> OneTripCursor:
        return await self._statement(sql, parameters, many=False)

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> OneTripCursor:
        return await self._statement(sql, parameters, many=True)

    async def _more(self, size: int | None) -> None:
        """Rows from the open cursor (all of them when `size` is None), in one trip."""
        cursor = self._open
        if cursor is None:
            return
        fetch = cursor.fetchall if size is None else partial(cursor.fetchmany, size)
        rows = await self._connection.trip(fetch)
        self._rows.extend(rows)
        if size is None or len(rows) < size:
            await self.close()

    async def fetchone(self) -> _Row | None:
        if not self._rows:
            await self._more(CHUNK)
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[_Row]:
        size = size or self.arraysize
        if len(self._rows) < size:
            await self._more(max(size, CHUNK))
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    async def fetchall(self) -> Sequence[_Row]:
        await self._more(None)
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        cursor, self._open = self._open, None
        if cursor is not None:
            await self._connection.trip(cursor.close)

    def __aiter__(self) -> OneTripCursor:
        return self

    async def __anext__(self) -> _Row:
        row = await self.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row


class _Opened:
    """What `connection.cursor()` returns: awaited or entered, the cursor, at no trip."""

    def __init__(self, cursor: OneTripCursor) -> None:
        self._cursor = cursor

    def __await__(self) -> Generator[Any, None, OneTripCursor]:
        return self.__aenter__().__await__()

    async def __aenter__(self) -> OneTripCursor:
        return self._cursor

    async def __aexit__(self, *_exc: object) -> None:
        await self._cursor.close()


class OneTripConnection(aiosqlite.Connection):
    """aiosqlite's connection, with `OneTripCursor`s."""

    def cursor(self) -> _Opened:  # type: ignore[override]
        return _Opened(OneTripCursor(self))

    # sqlite3 itself does nothing on a commit or rollback outside a transaction, but aiosqlite
    # would still make the trip to find that out. SQLAlchemy ends every session with one and
    # resets every connection it takes back with a rollback: for a session that only read
    # (sqlite3 begins a transaction at the first write, not at a SELECT) both are such
    # no-ops. `in_transaction` reads SQLite's autocommit flag, safe from this thread while no
    # call of this connection is running in its own, and none is: SQLAlchemy awaits each.
    async def commit(self) -> None:
        if self.in_transaction:
            await super().commit()

    async def rollback(self) -> None:
        if self.in_transaction:
            await super().rollback()

    async def trip(self, function: Callable[[], _T]) -> _T:
        """`function` run in the connection's thread (aiosqlite's queue, untyped there)."""
        result: _T = await self._execute(function)  # type: ignore[no-untyped-call]
        return result


def connect(database: str, *, iter_chunk_size: int = 64, **kwargs: Any) -> OneTripConnection:
    """As `aiosqlite.connect`, with the arguments SQLAlchemy's dialect gives it."""
    connection = OneTripConnection(partial(sqlite3.connect, database, **kwargs), iter_chunk_size)
    # As SQLAlchemy does for aiosqlite's own: a connection left open must not keep the
    # process alive at exit.
    connection._thread.daemon = True
    return connection


def use_one_trip_connections(engine: AsyncEngine) -> None:
    """Make `engine` (an `sqlite+aiosqlite` engine) connect with `connect` above."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _one_trip(_dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
        params["async_creator_fn"] = connect
