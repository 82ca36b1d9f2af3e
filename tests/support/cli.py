"""For tests of the command line: work done in the test's database beside a command (setting
the scene before it, checking what it left after), in a session and engine of its own, as the
command runs in an event loop of its own."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from db.session import create_engine, create_sessionmaker

T = TypeVar("T")


def in_database(database_url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """`work` done (and committed) in a session of the test's database, outside the command."""

    async def go() -> T:
        engine = create_engine(database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(go())
