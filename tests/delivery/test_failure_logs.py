"""When sending fails, the log says what failed and where, never what was being sent or to
whom: an exception's message can quote a rendered text, a phone number or SQL parameters."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy.exc import IntegrityError

from bot.delivery.messages import Rendered
from bot.delivery.outcomes import Outcome
from bot.delivery.pacing import ChatSpacing, RateLimiter
from bot.delivery.worker import DeliveryWorker
from bot.services import broadcasts, networks
from bot.services.actors import Actor
from db.models import Channel, Resident
from db.queries import outbox as q
from tests.support.log_guard import personal, personal_phone
from tests.support.outbox import Clock, after_quiet_hours

SECRET_TEXT = "Kaffe-hemmelighet-XYZ"
NUMBER = "+4791234567"


class ExplodingSender:
    """A sender whose failure quotes what it was sending and to whom, as real ones can."""

    async def send(self, address: int | str, message: Rendered, item: q.Claimed) -> Outcome:
        raise RuntimeError(f"could not send {message.text!r} to {address} ({NUMBER})")


@pytest.fixture(autouse=True)
def _planted() -> None:
    # The log guard fails these tests too if the secrets reach any log, a library's included.
    personal(SECRET_TEXT)
    personal_phone(NUMBER)


def _personal(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [v for v in (SECRET_TEXT, NUMBER, "Kari") if v in caplog.text]


async def test_a_failing_sender_is_logged_without_the_message_or_the_number(
    app, resident, caplog: pytest.LogCaptureFixture
):
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    kari = await resident("Kari")
    await kari.send("/start join-torstrand")
    async with app.sessionmaker() as session:
        await broadcasts.broadcast(
            session, Actor.operator(), app.catalogs, text=SECRET_TEXT, network_id=view.id
        )
    clock = Clock(after_quiet_hours())
    worker = DeliveryWorker(
        app.sessionmaker,
        {Channel.TELEGRAM: ExplodingSender()},
        RateLimiter(app.sessionmaker, rate=100, clock=clock.monotonic, sleep=clock.sleep),
        spacing=ChatSpacing(clock=clock.monotonic, sleep=clock.sleep),
        clock=clock.utc,
    )
    caplog.clear()
    caplog.set_level(logging.DEBUG, logger="naboskap")
    assert await worker.drain() == 1
    assert "sender failed: RuntimeError at " in caplog.text
    assert _personal(caplog) == []
    assert all(r.exc_info is None for r in caplog.records)


async def test_a_failing_round_is_logged_without_sql_parameters(
    app, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    caught: list[IntegrityError] = []
    worker = DeliveryWorker(app.sessionmaker, {}, RateLimiter(app.sessionmaker, rate=100))
    stop = asyncio.Event()

    async def failing_round() -> int:
        stop.set()
        async with app.sessionmaker() as session:
            session.add_all([Resident(phone=NUMBER, first_name=SECRET_TEXT) for _ in range(2)])
            try:
                await session.flush()
            except IntegrityError as error:
                caught.append(error)
                raise
        return 0

    monkeypatch.setattr(worker, "run_once", failing_round)
    caplog.set_level(logging.DEBUG, logger="naboskap")
    await worker.run(stop)
    assert caught, "the round should have failed on the database"
    # The database's own error no longer carries the parameters ...
    assert SECRET_TEXT not in str(caught[0])
    # ... and the log carries neither them nor the error's message.
    assert "delivery round failed (1 in a row): IntegrityError at " in caplog.text
    assert _personal(caplog) == []


async def test_a_failing_database_is_waited_out_without_flooding_the_log(app, caplog):
    """Ten failed rounds in a row log four lines (the 1st, 2nd, 4th and 8th), and one more
    when rounds work again: an outage does not write a line every half second."""
    from bot.delivery.worker import WorkerSettings

    worker = DeliveryWorker(
        app.sessionmaker,
        {},
        RateLimiter(app.sessionmaker, rate=100),
        settings=WorkerSettings(idle_poll=0.001, failing_cap=0.004),
    )
    stop = asyncio.Event()
    rounds = 0

    async def flaky_round() -> int:
        nonlocal rounds
        rounds += 1
        if rounds <= 10:
            raise ConnectionRefusedError("the database is down")
        stop.set()
        return 0

    worker.run_once = flaky_round  # type: ignore[method-assign]
    caplog.set_level(logging.INFO, logger="naboskap")
    await worker.run(stop)
    failed = [r.getMessage() for r in caplog.records if "round failed" in r.getMessage()]
    assert [line.split(")")[0] for line in failed] == [
        f"delivery round failed ({n} in a row" for n in (1, 2, 4, 8)
    ]
    assert any("work again after 10 failed" in r.getMessage() for r in caplog.records)
