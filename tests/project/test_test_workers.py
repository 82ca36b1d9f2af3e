"""The tests' own isolation under pytest-xdist (`pytest -n auto`): each worker gwN has a
PostgreSQL database and a Redis database number of its own, derived from TEST_DATABASE_URL and
TEST_REDIS_URL (tests/support/settings.py); outside xdist both are used as
given. And a reserved port (tests/support/ports.py) refuses connections, yet can be served on,
and is no one else's."""

from __future__ import annotations

import asyncio
import socket

import pytest

from tests.support.ports import reserved_ports
from tests.support.settings import (
    worker_database_url,
    worker_number,
    worker_redis_url,
)

PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def test_the_worker_number_comes_from_pytest_xdist_worker():
    assert worker_number(None) is None
    assert worker_number("") is None
    assert worker_number("gw0") == 0
    assert worker_number("gw12") == 12
    with pytest.raises(ValueError, match="gw<number>"):
        worker_number("master")


def test_without_xdist_both_urls_are_used_as_given():
    assert worker_database_url(PG, None) == PG
    assert worker_redis_url("redis://127.0.0.1:6379/15", None) == "redis://127.0.0.1:6379/15"
    assert worker_database_url(None, "gw1") is None
    assert worker_redis_url(None, "gw1") is None


def test_each_worker_has_a_postgresql_database_of_its_own():
    assert worker_database_url(PG, "gw0") == PG + "_gw0"
    assert worker_database_url(PG, "gw1") == PG + "_gw1"
    # The user, password, host, port and query stay as they were.
    assert (
        worker_database_url("postgresql+asyncpg://u:s3cret@db.example:5433/naboskap?ssl=off", "gw3")
        == "postgresql+asyncpg://u:s3cret@db.example:5433/naboskap_gw3?ssl=off"
    )
    with pytest.raises(ValueError, match="names no database"):
        worker_database_url("postgresql+asyncpg://postgres@127.0.0.1:5432", "gw0")


def test_each_worker_has_a_redis_number_of_its_own_below_the_given_one():
    numbers = [worker_redis_url("redis://127.0.0.1:6379/15", f"gw{n}") for n in range(4)]
    assert numbers == [
        "redis://127.0.0.1:6379/15",
        "redis://127.0.0.1:6379/14",
        "redis://127.0.0.1:6379/13",
        "redis://127.0.0.1:6379/12",
    ]
    assert worker_redis_url("redis://:pw@cache:6380/9", "gw2") == "redis://:pw@cache:6380/7"
    assert worker_redis_url("unix:///run/redis.sock?db=5", "gw1") == "unix:///run/redis.sock?db=4"
    # No number is database 0, which leaves none below it for a second worker.
    assert worker_redis_url("redis://127.0.0.1:6379", "gw0") == "redis://127.0.0.1:6379/0"
    with pytest.raises(ValueError, match="leaves none for xdist worker gw1"):
        worker_redis_url("redis://127.0.0.1:6379/0", "gw1")


def test_a_reserved_port_refuses_connections_and_is_no_one_elses():
    with reserved_ports(2) as (port, other):
        assert port != other
        with socket.socket() as client, pytest.raises(ConnectionRefusedError):
            client.connect(("127.0.0.1", port))
        # A bind without SO_REUSEADDR (anyone else's) fails...
        with socket.socket() as stranger, pytest.raises(OSError, match="in use"):
            stranger.bind(("127.0.0.1", port))

        # ...while a server that binds it as servers do (SO_REUSEADDR) serves there.
        async def serve() -> bytes:
            server = await asyncio.start_server(
                lambda _reader, writer: writer.close(), "127.0.0.1", port
            )
            async with server:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                data = await reader.read()
                writer.close()
                return data

        assert asyncio.run(serve()) == b""
