"""Engine and session factory for SQLite (embedded) or PostgreSQL (scale-out)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets foreign keys, WAL, a busy timeout and one connection."""
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
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # Cascading deletes (/forget) rely on foreign keys, which SQLite leaves off.
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
