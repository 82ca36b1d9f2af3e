"""Fuzzing the bot through its real doors: random and malformed Telegram updates through the
real dispatcher, random requests to the real SMS routes, from a small world of residents,
hosts, a coordinator and strangers, with the outbox drained as it goes.

The bar: no exception escapes the dispatcher, nothing is logged at ERROR (the error handler
logs every unexpected failure there, and answers "Sorry, something went wrong", which no one
may see either), no SMS request gets a 5xx, no task's exception reaches asyncio's handler,
and afterwards the database is consistent (`tests.support.consistency`). An update aiogram
cannot even read is sent to the webhook, as Telegram would send it: it must get a 200.
Failures are collected with the update that caused them and reported together at the end.

Sizes come from the environment: FUZZ_UPDATES (SQLite) and FUZZ_PG_UPDATES (PostgreSQL, with
TEST_DATABASE_URL) count Telegram updates, each Hypothesis example is a batch of
`BATCH` updates and `SMS_BATCH` SMS requests. The defaults keep the normal suite quick;
`make fuzz` runs 100 000 and 10 000. With FUZZ_RANDOM unset the examples are derandomized:
CI sees the same ones on every run, so a failure there is reproducible and CI cannot turn red
on a change that did not cause it; `make fuzz` sets FUZZ_RANDOM=1 to explore new ground each time.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import os
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiogram.types import Update
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.dispatching import read_update
from bot.fake_bot_api import FakeBotAPI, FakeUser
from bot.fake_bot_api.limits import WarpTime
from bot.i18n import SHIPPED_LOCALES
from bot.logs import failure
from bot.runners import webhook_application
from bot.server_log import server_options
from bot.services import networks
from bot.services.actors import Actor
from tests.support import fuzz_updates as fz
from tests.support.consistency import inconsistencies, stale_identities
from tests.support.outbox import outbox_worker
from tests.support.residents import onboard
from tests.support.settings import COORDINATOR_ID, PG_URL
from tests.support.sms_phone import SECRET, SmsNetwork, sms_network

BATCH = 40  # Telegram updates per Hypothesis example
SMS_BATCH = 10  # SMS requests per example
SQLITE_UPDATES = int(os.environ.get("FUZZ_UPDATES", "2000"))
PG_UPDATES = int(os.environ.get("FUZZ_PG_UPDATES", "400"))
RANDOM = bool(os.environ.get("FUZZ_RANDOM"))
WEBHOOK_SECRET = "fuzz-secret"
SORRY = "Sorry, something went wrong on our side. Please try again in a moment."
# Numbers that text the bot: the first two are its residents from the start, the others may
# become residents as the fuzz goes (or not).
KNOWN_PHONES = [f"+47900000{n:02d}" for n in range(1, 9)]


def _settings(updates: int) -> settings:
    return settings(
        max_examples=max(1, math.ceil(updates / BATCH)),
        deadline=None,
        database=None,  # a finding is reported with its update; nothing to replay from disk
        derandomize=not RANDOM,
        suppress_health_check=list(HealthCheck),
    )


class ErrorRecords(logging.Handler):
    """Every record at ERROR or above, from any logger."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Figures:
    updates: int = 0
    unreadable: int = 0
    sms: int = 0
    sms_statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def fail(self, what: str, example: Any) -> None:
        shown = repr(example)
        self.failures.append(f"{what}\n    from: {shown[:600]}{'...' if len(shown) > 600 else ''}")

    def summary(self, backend: str) -> str:
        seconds = time.monotonic() - self.started
        return (
            f"fuzz [{backend}]: {self.updates} updates ({self.unreadable} unreadable, sent to "
            f"the webhook), {self.sms} SMS requests {dict(sorted(self.sms_statuses.items()))}, "
            f"{seconds:.0f} s, {self.updates / max(seconds, 1e-9):.0f} updates/s, "
            f"{len(self.failures)} failures"
        )


@dataclass
class World:
    """The bot with its SMS side, the people who write to it, and what watches it."""

    net: SmsNetwork
    fake_api: FakeBotAPI
    people: list[fz.Person]
    webhook: TestServer
    errors: ErrorRecords
    unhandled: list[dict[str, Any]]
    sorry: frozenset[str]
    strategies: Strategies
    figures: Figures = field(default_factory=Figures)
    query_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def app(self):  # type: ignore[no-untyped-def]
        return self.net.app


@contextlib.asynccontextmanager
async def _world(database_url: str) -> AsyncIterator[World]:
    # Telegram's flood limits, in warp time: however the fuzz drives it, the bot stays within.
    async with FakeBotAPI(pace=WarpTime()) as fake_api:
        async for world in _build_world(database_url, fake_api):
            yield world
        assert fake_api.flood_refusals == 0, "the bot went past Telegram's flood limits"


async def _build_world(database_url: str, fake_api: FakeBotAPI) -> AsyncIterator[World]:
    async for net in sms_network(database_url, fake_api):
        app = net.app
        async with app.sessionmaker() as session:
            await networks.create_network(
                session, Actor.operator(), name="Torstrand", slug="torstrand"
            )
            await networks.create_network(
                session,
                Actor.operator(),
                name="Langestrand",
                slug="langestrand",
                invite_code="lange123",
            )
        host = FakeUser(fake_api, 7001, "Hilde", "nb")
        await onboard(host)
        async with app.sessionmaker() as session:
            await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", 7001)
        olena = FakeUser(fake_api, 7002, "Olena", "uk")
        await onboard(olena, "Українська")
        await olena.send("/start join-torstrand")
        amal = FakeUser(fake_api, 7003, "Amal", "ar")
        await onboard(amal, "العربية")
        await amal.send("/start join-torstrand")
        coordinator = FakeUser(fake_api, COORDINATOR_ID, "Kari", "nb")
        await onboard(coordinator)
        for number in KNOWN_PHONES[:2]:
            await net.phone(number).send("HEI")
        people = [
            fz.Person(7001, "Hilde", "nb"),
            fz.Person(7002, "Olena", "uk"),
            fz.Person(7003, "Amal", "ar"),
            fz.Person(COORDINATOR_ID, "Kari", "nb"),
            *(
                fz.Person(7100 + i, name, code)
                for i, (name, code) in enumerate(
                    [
                        ("Ola", "nb"),
                        ("Mariam", "fa"),
                        ("Jan\u202e", "pl"),
                        ("\x00", None),
                        ("Tesfay", "ti"),
                        ("Li", "zh-hans"),
                        ("Ali", "so"),
                        ("Ruta", "lt"),
                        ("Anon", "xx"),
                        ("Ingrid" * 10, "en"),
                    ]
                )
            ),
        ]
        for person in people:
            fake_api.register_user(person.id, person.first_name, person.language_code, None)
            fake_api.open_chat(person.id)
        webhook = TestServer(
            webhook_application(app, WEBHOOK_SECRET, "/telegram", background=False),
            host="127.0.0.1",
        )
        await webhook.start_server(**server_options("naboskap.webhook.http"))
        errors = ErrorRecords()
        logging.getLogger().addHandler(errors)
        loop = asyncio.get_running_loop()
        unhandled: list[dict[str, Any]] = []
        loop.set_exception_handler(lambda _loop, context, seen=unhandled: seen.append(context))
        sorry = frozenset(app.catalogs.translator(loc).gettext(SORRY) for loc in SHIPPED_LOCALES)
        try:
            strategies = Strategies.for_world(people, fake_api.bot_user)
            yield World(net, fake_api, people, webhook, errors, unhandled, sorry, strategies)
        finally:
            loop.set_exception_handler(None)
            logging.getLogger().removeHandler(errors)
            await webhook.close()


# --- One update, one SMS request ---------------------------------------------------------------


def _real_messages(world: World, person: fz.Person) -> list[Any]:
    return [m for m in world.fake_api.chats.get(person.id, []) if m.from_bot and not m.deleted][-8:]


KINDS = ["message"] * 8 + ["callback"] * 7 + ["edited", "group", "channel", "member", "broken"]


@dataclass(frozen=True)
class Strategies:
    """Built once per run: building Hypothesis strategies costs more than drawing from them."""

    people: st.SearchStrategy[fz.Person]
    updates: dict[str, st.SearchStrategy[Any]]
    sms: st.SearchStrategy[fz.SmsRequest]

    @classmethod
    def for_world(cls, people: list[fz.Person], bot_user: dict[str, Any]) -> Strategies:
        date = int(time.time())
        strangers = st.builds(
            fz.Person,
            st.integers(1, 2**52),
            st.text(min_size=1, max_size=20),
            st.one_of(st.none(), st.sampled_from(["nb", "uk", "en", "de"]), st.text(max_size=6)),
        )
        anyone = st.one_of(*[st.sampled_from(people)] * 9, strangers)
        return cls(
            people=anyone,
            updates={
                "message": fz.private_message(anyone, date),
                "edited": fz.edited_message(anyone, date),
                "group": fz.group_message(anyone, date),
                "channel": fz.channel_post(date),
                "member": fz.membership_change(anyone, date, bot_user),
                "broken": fz.broken(fz.private_message(anyone, date)),
            },
            sms=fz.sms_request(SECRET, KNOWN_PHONES),
        )


def _chat_ids(raw: Any) -> list[int]:
    """Every chat and sender an update names, as drawn (a broken one too)."""
    found: list[int] = []
    if isinstance(raw, dict):
        for key, value in raw.items():
            if key in ("chat", "from") and isinstance(value, dict):
                number = value.get("id")
                # What aiogram reads as a chat id (it takes 5.0 for 5 and False for 0): a
                # broken update's chat exists as much as any other's.
                if isinstance(number, float) and number.is_integer():
                    number = int(number)
                if isinstance(number, int):
                    found.append(int(number))
            found += _chat_ids(value)
    elif isinstance(raw, list):
        for value in raw:
            found += _chat_ids(value)
    return found


def _draw_update(data: st.DataObject, world: World) -> Any:
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    if kind == "callback":
        person = data.draw(world.strategies.people, label="person")
        raw = _draw_callback(data, world, person)
    else:
        raw = data.draw(world.strategies.updates[kind], label=kind)
    for chat_id in _chat_ids(raw):
        # Telegram delivers only from chats that exist; the bot may answer in them.
        world.fake_api.open_chat(chat_id)
    return raw


def _draw_callback(data: st.DataObject, world: World, person: fz.Person) -> dict[str, Any]:
    messages = _real_messages(world, person)
    real = [b["callback_data"] for m in messages for b in m.buttons if "callback_data" in b]
    callback_data = fz.callback_data(data.draw, real)
    # The message the button was on: one of the bot's in this chat (where the button is, if
    # it is a real one), one too old to see, or none (an inline message).
    carrying = [
        m for m in messages if any(b.get("callback_data") == callback_data for b in m.buttons)
    ]
    where = data.draw(st.sampled_from(["real", "real", "real", "old", "inline"]), label="on")
    query_id = f"fz{next(world.query_ids)}"
    world.fake_api.expect_callback(query_id, person.id)
    query: dict[str, Any] = {
        "id": query_id,
        "from": person.as_api(),
        "chat_instance": str(person.id),
        "data": callback_data,
    }
    if where == "real" and (carrying or messages):
        message = (carrying or messages)[-1]
        user = world.fake_api.users.get(person.id)
        query["message"] = message.as_api(world.fake_api.bot_user, user)
    elif where == "inline":
        query["inline_message_id"] = f"inline-{query_id}"
    else:
        query["message"] = {
            "chat": {"id": person.id, "type": "private", "first_name": person.first_name},
            "message_id": 1,
            "date": 0,  # Telegram's sign of a message the bot can no longer see
        }
    return {"callback_query": query}


async def _feed(world: World, raw: Any, update_id: int) -> None:
    figures = world.figures
    figures.updates += 1
    if isinstance(raw, dict):
        raw = {"update_id": update_id, **raw}
    calls_before = len(world.fake_api.calls)
    errors_before = len(world.errors.records)
    app = world.app
    try:
        Update.model_validate(raw, context={"bot": app.bot})
    except ValidationError:
        # What aiogram cannot read: as Telegram would send it, to the webhook, and to polling.
        figures.unreadable += 1
        status = await _post_webhook(world, raw)
        if status != 200:
            figures.fail(f"the webhook answered an unreadable update with {status}", raw)
        if read_update(raw, app.bot) is not None:
            figures.fail("polling read an update the webhook could not", raw)
    else:
        try:
            await app.dispatcher.feed_raw_update(app.bot, raw)
        except Exception as error:
            figures.fail(f"exception out of the dispatcher: {failure(error)}", raw)
    for record in world.errors.records[errors_before:]:
        figures.fail(f"logged at {record.levelname} by {record.name}: {record.getMessage()}", raw)
    for call in world.fake_api.calls[calls_before:]:
        said = str(call.params.get("text", ""))
        if any(sorry in said for sorry in world.sorry):
            figures.fail(f"the user was told something went wrong ({call.method})", raw)


async def _post_webhook(world: World, raw: Any) -> int:
    import json

    async with (
        aiohttp.ClientSession() as client,
        client.post(
            world.webhook.make_url("/telegram"),
            data=json.dumps(raw),
            headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
        ) as reply,
    ):
        return reply.status


async def _sms(world: World, request: fz.SmsRequest) -> None:
    figures = world.figures
    figures.sms += 1
    errors_before = len(world.errors.records)
    http = world.net.http
    url = world.net.server.make_url(request.path)
    async with http.request(
        request.method, url, params=request.params, data=request.body
    ) as response:
        status = response.status
        await response.read()
    figures.sms_statuses[status] = figures.sms_statuses.get(status, 0) + 1
    if status >= 500:
        figures.fail(f"the SMS route answered {status}", request)
    for record in world.errors.records[errors_before:]:
        figures.fail(
            f"logged at {record.levelname} by {record.name}: {record.getMessage()}", request
        )


async def _drain(world: World) -> None:
    errors_before = len(world.errors.records)
    try:
        await outbox_worker(world.app, world.net.clock).drain()
    except Exception as error:
        world.figures.fail(f"the outbox worker failed: {failure(error)}", "(the outbox)")
    for record in world.errors.records[errors_before:]:
        world.figures.fail(
            f"logged at {record.levelname} by {record.name}: {record.getMessage()}",
            "(the outbox)",
        )


async def _example(world: World, data: st.DataObject) -> None:
    for _ in range(BATCH):
        raw = _draw_update(data, world)
        await _feed(world, raw, world.figures.updates + 1)
    # The identity cache never outlives a change: each entry still matches the database. (Once
    # a batch, not after every update: a stale entry stays stale until it expires, a minute on,
    # and a check per update was most of the fuzz's time.)
    for line in await stale_identities(world.app.core.identity_cache, world.app.sessionmaker):
        world.figures.fail(line, "after a batch of updates")
    for _ in range(SMS_BATCH):
        await _sms(world, data.draw(world.strategies.sms, label="sms"))
    await _drain(world)
    for line in await stale_identities(world.app.core.identity_cache, world.app.sessionmaker):
        world.figures.fail(line, "after the SMS requests and the outbox")
    # What the fake server remembers of each call is not needed once looked at.
    world.fake_api.calls.clear()


async def _verdict(world: World, backend: str) -> None:
    figures = world.figures
    gone = [
        f"asyncio's handler got: {c.get('message')} {c.get('exception')!r}" for c in world.unhandled
    ]
    broken = await inconsistencies(world.app.sessionmaker)
    print("\n" + figures.summary(backend))
    problems = figures.failures + gone + [f"inconsistent: {line}" for line in broken]
    # One line per kind of problem (update ids aside), with its count and first example.
    kinds: dict[str, list[str]] = {}
    for problem in problems:
        kinds.setdefault(re.sub(r"\d+", "N", problem.split("\n")[0]), []).append(problem)
    report = [f"{len(found)} x {found[0]}" for found in kinds.values()]
    assert not problems, f"{len(problems)} problems of {len(kinds)} kinds:\n" + "\n".join(report)


# --- The tests ---------------------------------------------------------------------------------


def _fuzz(database_url: str, updates: int, backend: str) -> None:
    """`updates` random updates (and a quarter as many SMS requests) against one world.

    The test owns its event loop, so that the examples run in it one after another and the
    verdict comes after the last: Hypothesis runs the examples, each one a batch, and they
    collect what failed rather than raise, so that one run reports everything it found."""
    loop = asyncio.new_event_loop()
    world_context = _world(database_url)
    world = loop.run_until_complete(world_context.__aenter__())
    try:

        @given(data=st.data())
        @_settings(updates)
        def examples(data: st.DataObject) -> None:
            loop.run_until_complete(_example(world, data))

        examples()
        loop.run_until_complete(_verdict(world, backend))
    finally:
        loop.run_until_complete(world_context.__aexit__(None, None, None))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_random_updates_and_sms_on_sqlite(database_url: str) -> None:
    _fuzz(database_url, SQLITE_UPDATES, "sqlite")


@pytest.mark.skipif(PG_URL is None, reason="TEST_DATABASE_URL is not set")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_random_updates_and_sms_on_postgresql(database_url: str) -> None:
    _fuzz(database_url, PG_UPDATES, "postgresql")
