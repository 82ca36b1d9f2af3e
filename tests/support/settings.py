"""The settings a test app runs with: the fake Bot API in front, a test database behind, one
coordinator, and the PostgreSQL database and Redis the environment names for the tests (if any).

Every test reads TEST_DATABASE_URL and TEST_REDIS_URL through `PG_URL` and `REDIS_URL` here.
Under pytest-xdist (`pytest -n auto`) each worker gets a database and a Redis number of its own,
so that workers never empty or read each other's: worker gwN uses the PostgreSQL database
`<db>_gwN` (created when missing, by `create_database`) and the Redis database number D - N
for the given D. Without xdist both are used exactly as given."""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.config import Settings
from bot.fake_bot_api.server import DEFAULT_TOKEN

COORDINATOR_ID = 900001

_WORKER = re.compile(r"gw(\d+)")


def worker_number(worker: str | None) -> int | None:
    """N for pytest-xdist's worker `gwN` (PYTEST_XDIST_WORKER); None outside xdist."""
    if not worker:
        return None
    found = _WORKER.fullmatch(worker)
    if found is None:
        raise ValueError(f"PYTEST_XDIST_WORKER={worker!r} is not gw<number>")
    return int(found.group(1))


def worker_database_url(url: str | None, worker: str | None) -> str | None:
    """The PostgreSQL URL for one xdist worker: database `<db>` becomes `<db>_gwN`."""
    number = worker_number(worker)
    if url is None or number is None:
        return url
    parsed = make_url(url)
    if not parsed.database:
        raise ValueError("TEST_DATABASE_URL names no database")
    return parsed.set(database=f"{parsed.database}_gw{number}").render_as_string(
        hide_password=False
    )


def worker_redis_url(url: str | None, worker: str | None) -> str | None:
    """The Redis URL for one xdist worker: database number D becomes D - N, one below the
    other for each worker (redis://host:port/D, or ?db=D as for unix://; none means 0)."""
    number = worker_number(worker)
    if url is None or number is None:
        return url
    address, _, query_string = url.partition("?")
    query = dict(parse_qsl(query_string))
    scheme, _, rest = address.partition("://")
    server, _, path = rest.partition("/")
    in_query = scheme == "unix" or "db" in query
    given = int(query.get("db", "0") if in_query else path.strip("/") or "0")
    mine = given - number
    if mine < 0:
        raise ValueError(
            f"TEST_REDIS_URL's database {given} leaves none for xdist worker gw{number}: "
            "give a number at least the count of workers less one, e.g. /15"
        )
    if in_query:
        return f"{address}?{urlencode({**query, 'db': str(mine)})}"
    return f"{scheme}://{server}/{mine}" + (f"?{query_string}" if query_string else "")


XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, ... under xdist
PG_URL = worker_database_url(os.environ.get("TEST_DATABASE_URL"), XDIST_WORKER)
REDIS_URL = worker_redis_url(os.environ.get("TEST_REDIS_URL"), XDIST_WORKER)


async def create_database(url: str) -> None:
    """Create the database `url` names if the server lacks it: connected to the server's
    `postgres` database, or where that is refused, to the database TEST_DATABASE_URL names."""
    target = make_url(url)
    name = target.database
    assert name is not None
    given = make_url(os.environ.get("TEST_DATABASE_URL") or url).database
    error: Exception | None = None
    for maintenance in dict.fromkeys(("postgres", given)):
        engine = create_async_engine(target.set(database=maintenance), isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                found = await connection.scalar(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                )
                if not found:
                    quoted = name.replace('"', '""')
                    await connection.execute(text(f'CREATE DATABASE "{quoted}"'))
                return
        except Exception as problem:  # e.g. no right to connect to `postgres`: try the next
            error = problem
        finally:
            await engine.dispose()
    assert error is not None
    raise error


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
