"""Engine and session factory for SQLite (embedded) or PostgreSQL (scale-out)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Mapper, Session, UOWTransaction

from db.models import utcnow
from db.sqlite_connection import use_one_trip_connections

Now = Callable[[], datetime]

# The local time zone of sessions made without one (Settings.timezone's default).
DEFAULT_ZONE = ZoneInfo("Europe/Oslo")


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets foreign keys, WAL, a busy timeout and one connection; a
    connection is waited for (up to a minute) rather than refused."""
    if url.startswith("sqlite"):
        # SQLite has one writer at a time, and every aiosqlite connection is a thread that
        # fights the event loop for the GIL: one connection is both enough and fastest
        # (about 1.2x the updates per second of the default pool in benchmarks/updates.py).
        # Connections are never held while waiting for Telegram (ReleaseConnectionMiddleware).
        kwargs.setdefault("pool_size", 1)
        # A little overflow so that a session opened inside another (a CLI command, a test)
        # waits for nothing; normal traffic stays on the one pooled connection.
        kwargs.setdefault("max_overflow", 2)
    else:
        # Enough for the delivery worker's concurrent sends (16) plus the handlers, so that
        # busy moments reuse connections instead of opening and closing overflow ones.
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 10)
    # Updates are handled a bounded number at a time (UPDATE_CONCURRENCY), so a burst queues
    # for a connection for moments; the generous bound is for a slow disk or a long digest
    # round beside it, so that work waits rather than fails.
    kwargs.setdefault("pool_timeout", 60)
    # A database error's message would otherwise quote its SQL parameters: residents' texts,
    # names and numbers, into any log or traceback that shows it.
    kwargs.setdefault("hide_parameters", True)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        # One trip to the connection's thread per statement instead of four.
        use_one_trip_connections(engine)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # Cascading deletes (/forget) rely on foreign keys, which SQLite leaves off.
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # Another process (a second worker, a CLI command) may hold the write lock: wait.
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    return engine


def create_sessionmaker(
    engine: AsyncEngine,
    now: Now = utcnow,
    identity_cache: object | None = None,
    new_event_notices_per_day: int | None = None,
    zone: ZoneInfo | None = None,
) -> async_sessionmaker[AsyncSession]:
    """Sessions that carry the core's clock (`now`): services read the time from it with
    `session_now`, and new rows get their timestamps from it. They carry the core's identity
    cache too (`bot.services.identity_cache`), for `residents.identify`, and the configured
    daily cap on new-event notices (`bot.services.events.flood`): every way an event is
    published (bot, CLI, calendar import) passes a session, so none can miss the cap. And they
    carry the municipality's time zone (`zone`), for what is counted by local day."""
    info: dict[str, object] = {"now": now, "zone": zone or DEFAULT_ZONE}
    if identity_cache is not None:
        info["identity_cache"] = identity_cache
    if new_event_notices_per_day is not None:
        info["new_event_notices_per_day"] = new_event_notices_per_day
    return async_sessionmaker(engine, expire_on_commit=False, info=info)


def session_now(session: AsyncSession | Session) -> datetime:
    """Now, by the clock of the core that made this session (the real time otherwise).

    The session is the one thing every service call already takes, so the time travels with
    it: no service reads a process-wide clock, and a caller cannot forget to pass it."""
    now: Now = session.info.get("now", utcnow)
    return now()


def session_zone(session: AsyncSession | Session) -> ZoneInfo:
    """The municipality's time zone, as the core that made this session has it."""
    zone: ZoneInfo = session.info.get("zone", DEFAULT_ZONE)
    return zone


def session_today(session: AsyncSession | Session) -> date:
    """Today in the municipality's time zone, by the session's clock: the day a daily count
    (who joined a network, say) goes to."""
    return session_now(session).astimezone(session_zone(session)).date()


def clock_of(sessionmaker: async_sessionmaker[AsyncSession]) -> Now:
    """The clock the sessions of `sessionmaker` carry: for work that spans several sessions
    (the outbox worker, the scheduler's jobs)."""
    now: Now = sessionmaker.kw.get("info", {}).get("now", utcnow)
    return now


@functools.cache
def _stamped_columns(mapper: Mapper[Any]) -> tuple[str, ...]:
    """The attributes of a model whose column defaults to the real time (`default=utcnow`)."""
    keys = []
    for attribute in mapper.column_attrs:
        default: Any = attribute.columns[0].default
        # SQLAlchemy wraps a callable default; `__wrapped__` is ours.
        if getattr(getattr(default, "arg", None), "__wrapped__", None) is utcnow:
            keys.append(attribute.key)
    return tuple(keys)


@event.listens_for(Session, "before_flush")
def _stamp_new_rows(session: Session, _flush: UOWTransaction, _instances: Iterable[Any]) -> None:
    # Column defaults know nothing of sessions, so a moved clock would not reach them: rows
    # added through a session get the session clock's time instead.
    now: Now | None = session.info.get("now")
    if now is None or now is utcnow:
        return
    moment = None
    for row in session.new:
        for key in _stamped_columns(inspect(row).mapper):
            if getattr(row, key) is None:
                moment = moment or now()
                setattr(row, key, moment)
