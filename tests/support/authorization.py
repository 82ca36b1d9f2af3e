"""The world of the authorization matrix (`tests/project/test_authorization_matrix.py`): two
networks and one resident in each role the matrix tries, built once through the bot's doors and
the services; a dump of every table to compare before and after a try; and the catalogs'
refusals, to recognise a translated "no"."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiogram.filters import Command
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BotCommand
from sqlalchemy import select, update

from bot.fake_bot_api import FakeUser
from bot.i18n import NATIVE_NAMES, Translator
from bot.services import events, ideas, networks, polls, residents
from bot.services import help as helping
from bot.services.actors import Actor
from bot.services.errors import (
    CodeRejected,
    InvalidInput,
    InviteCodeRequired,
    InviteCodeWrong,
    NetworkArchived,
    NotFound,
    NotOnboarded,
    OptedOut,
    PermissionDenied,
    RateLimited,
    ServiceError,
)
from db.models import (
    Base,
    Event,
    EventSeries,
    HelpCategory,
    Repeat,
    Resident,
    SmsConversation,
)
from handlers import states
from handlers.commands import coordinator_commands
from handlers.replies import refusal, stale_text
from tests.support.residents import onboard
from tests.support.settings import COORDINATOR_ID
from tests.support.sms_phone import Phone, SmsNetwork

# Every role the matrix tries, in the table's column order, with the language each one speaks
# (several languages, so a refusal is seen to be worded in the resident's own).
ROLES: dict[str, str] = {
    "stranger": "uk",  # pressed /start, never chose a language or accepted the notice
    "outsider": "en",  # a resident of the other network (Nanset)
    "member": "uk",  # a member of Torstrand with no part in the help request
    "suspended": "pl",  # a member of Torstrand suspended there by its host
    "requester": "nb",  # asked Torstrand for help (request R)
    "match": "nb",  # offered on R and was accepted: the other party of the help match
    "third": "lt",  # offered on R too, not accepted: a third responder
    "host_other": "ar",  # the host of Nanset
    "host": "nb",  # the host of Torstrand
    "coordinator": "en",  # a coordinator (COORDINATOR_ID), member of no network
    "sms": "nb",  # an SMS resident, member of Torstrand, texting keywords and numbers
}
SMS_NUMBER = "+4791234567"
FAR_FUTURE = datetime(2031, 6, 12, 16, 0, tzinfo=UTC)  # never "today": the event is upcoming


@dataclass
class World:
    """Torstrand (A) with its event E and help request R, Nanset (B), and a user per role."""

    sms: SmsNetwork
    users: dict[str, FakeUser]
    phone: Phone
    ids: dict[str, int]  # role -> resident id
    network_a: int
    network_b: int
    event: int
    request: int  # R: matched (requester and match), the third responder offered too
    open_request: int  # R2: open, by the requester, the third responder offered
    series: int = 0  # the weekly series E is a date of
    # Torstrand's ideas (issue 15): "idea" I by the requester, "other" I2 by the match (what I
    # can be merged into); each supported by its author.
    ideas: dict[str, int] = field(default_factory=dict)
    # Torstrand's open poll (issue 15) by its host, with "Other": "poll" and its first "option".
    polls: dict[str, int] = field(default_factory=dict)
    # Torstrand's volunteer call (issue 15) by its host: "call", its coming "shift", a "past"
    # shift (ended yesterday) with the requester's "signup".
    calls: dict[str, int] = field(default_factory=dict)
    snapshot: Path | None = None
    database: Path | None = None

    @property
    def app(self):  # type: ignore[no-untyped-def]
        return self.sms.app


async def build_world(sms: SmsNetwork, fake_api) -> World:  # type: ignore[no-untyped-def]
    app = sms.app
    operator = Actor.operator()
    async with app.sessionmaker() as session:
        a = await networks.create_network(session, operator, name="Torstrand", slug="torstrand")
        b = await networks.create_network(session, operator, name="Nanset", slug="nanset")
    users: dict[str, FakeUser] = {}
    for number, (role, locale) in enumerate(ROLES.items()):
        if role == "sms":
            continue
        user_id = COORDINATOR_ID if role == "coordinator" else 5000 + number
        user = FakeUser(fake_api, user_id, role.capitalize(), locale)
        users[role] = user
        if role == "stranger":
            await user.send("/start")
            continue
        await onboard(user, NATIVE_NAMES[locale])
        if role in ("outsider", "host_other"):
            await user.send("/start join-nanset")
        elif role != "coordinator":
            await user.send("/start join-torstrand")
    phone = sms.phone(SMS_NUMBER)
    for text in ("Hei", "1", "1", "BLI MED TORSTRAND"):
        await phone.send(text)

    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, operator, "torstrand", users["host"].id)
        await networks.set_host_by_telegram_id(session, operator, "nanset", users["host_other"].id)
        actors = {
            role: await residents.identify(session, user.id, app.settings.coordinator_ids)
            for role, user in users.items()
        }
        ids = {role: actor.resident_id for role, actor in actors.items() if actor.resident_id}
        sms_resident = await session.scalar(select(Resident).where(Resident.phone == SMS_NUMBER))
        assert sms_resident is not None
        ids["sms"] = sms_resident.id
        event, _ = await events.publish(
            session,
            actors["host"],
            app.catalogs,
            events.EventDraft(
                network_id=a.id,
                title="Dugnad i parken",
                starts_at=FAR_FUTURE,
                ends_at=None,
                place="Bøkeskogen",
                description="Vi rydder sammen.",
                no_norwegian_needed=True,
                locale="nb",
                translations={},
            ),
        )
        # E is a date of a weekly series (as a calendar's recurring event is imported).
        series = EventSeries(
            network_id=a.id,
            uid="dugnad@naboskap.test",
            repeat=Repeat.WEEKLY,
            interval=1,
            weekdays=str(FAR_FUTURE.weekday()),
            first_start=FAR_FUTURE,
            last_start=None,
            all_day=False,
        )
        session.add(series)
        await session.flush()
        stored = await session.get(Event, event.id)
        assert stored is not None
        stored.series_id = series.id
        await session.commit()
        for role in ("match", "third"):
            await helping.set_offer(session, actors[role], a.id, {HelpCategory.LANGUAGE})
        request, _ = await helping.ask(
            session,
            actors["requester"],
            app.catalogs,
            network_id=a.id,
            category=HelpCategory.LANGUAGE,
            description="Norsk praksis over en kaffe",
            needed_on=None,
        )
        await helping.offer_help(session, actors["match"], app.catalogs, request.id)
        await helping.offer_help(session, actors["third"], app.catalogs, request.id)
        await helping.accept(session, actors["requester"], app.catalogs, request.id, ids["match"])
        second, _ = await helping.ask(
            session,
            actors["requester"],
            app.catalogs,
            network_id=a.id,
            category=HelpCategory.LANGUAGE,
            description="Hjelp til å lese et brev",
            needed_on=None,
        )
        await helping.offer_help(session, actors["third"], app.catalogs, second.id)
        await helping.suspend(session, actors["host"], a.id, ids["suspended"])
        idea_ids: dict[str, int] = {}
        for key, role, text in (
            ("idea", "requester", "Benker langs Torstrandgata"),
            ("other", "match", "Flere benker ved torget"),
        ):
            proposed = await ideas.propose(
                session, actors[role], app.catalogs, network_id=a.id, text=text
            )
            idea_ids[key] = proposed.id
        poll, _ = await polls.publish(
            session,
            actors["host"],
            app.catalogs,
            polls.PollDraft(
                network_id=a.id,
                question="Benker langs Torstrandgata?",
                options=("Ja", "Nei"),
                closes_at=FAR_FUTURE,
                allow_other=True,
            ),
        )
        poll_ids = {"poll": poll.id, "option": poll.options[0].id}
        call_ids = await _volunteer_call(session, app, actors["host"], actors["requester"], a.id)
    await sms.deliver()  # every notice of the set-up sent: the outbox holds nothing due
    phone.seen = len(phone.inbox)
    return World(
        sms,
        users,
        phone,
        ids,
        a.id,
        b.id,
        event.id,
        request.id,
        second.id,
        series=series.id,
        ideas=idea_ids,
        polls=poll_ids,
        calls=call_ids,
    )


async def _volunteer_call(session, app, host, volunteer, network_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """A call posted two days ago with a shift that ended yesterday, which `volunteer` signed
    up for, and one to come."""
    from bot.services import volunteering

    yesterday = datetime.now(UTC) - timedelta(days=1)
    posted, _ = await volunteering.publish(
        session,
        host,
        app.catalogs,
        volunteering.CallDraft(
            network_id=network_id,
            title="Rydd Bøkeskogen",
            place="Bøkeskogen",
            shifts=(
                volunteering.ShiftDraft(yesterday, yesterday + timedelta(hours=3), 5),
                volunteering.ShiftDraft(FAR_FUTURE, FAR_FUTURE + timedelta(hours=3), 5),
            ),
        ),
        now=yesterday - timedelta(days=1),
    )
    past, coming = posted.shifts
    await volunteering.sign_up(
        session,
        volunteer,
        app.catalogs,
        past.id,
        show_name=True,
        now=yesterday - timedelta(hours=1),
    )
    signup = (await volunteering.checklist(session, host, past.id)).attendees[0].signup_id
    return {"call": posted.id, "shift": coming.id, "past": past.id, "signup": signup}


# --- Restoring the world ---------------------------------------------------------------------


def sqlite_file(url: str) -> Path | None:
    prefix = "sqlite+aiosqlite:///"
    return Path(url.removeprefix(prefix)) if url.startswith(prefix) else None


async def take_snapshot(world: World) -> None:
    """Copy the SQLite file as the world stands (all connections closed, the WAL folded in)."""
    database = sqlite_file(world.app.settings.database_url)
    assert database is not None
    await world.app.engine.dispose()
    world.database = database
    world.snapshot = database.with_name("world.db")
    shutil.copy(database, world.snapshot)


async def restore(world: World) -> None:
    """Put the database back as the snapshot has it: an allowed try may have changed anything."""
    assert world.database is not None and world.snapshot is not None
    await world.app.engine.dispose()
    _copy_back(world.snapshot, world.database)


def _copy_back(snapshot: Path, database: Path) -> None:
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    shutil.copy(snapshot, database)


# --- Dumps -----------------------------------------------------------------------------------

# Tables where an SMS answer lands: an SMS reply is a notice like any other (queued in the
# outbox, then sent by the worker), so a refused SMS leaves its answer there. They are compared
# separately for SMS tries: new rows there must all be replies to the texting resident.
OUTBOX_TABLES = frozenset({"notices", "renderings", "deliveries", "rate_slots", "leases"})
# Which updates were handled (bot.update_ledger, on PostgreSQL): every update writes it,
# whatever the handler did, as machinery with no resident's data.
MACHINERY = frozenset({"update_claims"})


async def dump(
    world: World, skip: frozenset[str] = frozenset()
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted; no column is left out (nothing in this app ticks on a
    mere read: there is no last-seen time)."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    skip = skip | MACHINERY
    if world.database is not None:
        # SQLite: read the file directly (committed rows, WAL included), far quicker per cell
        # than a query per table through the async driver.
        with contextlib.closing(sqlite3.connect(world.database)) as raw:
            for table in Base.metadata.sorted_tables:
                if table.name not in skip:
                    rows = raw.execute(f"SELECT * FROM {table.name}").fetchall()  # noqa: S608
                    tables[table.name] = sorted(rows, key=repr)
        return tables
    async with world.app.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in skip:
                continue
            rows = (await connection.execute(select(table))).all()
            tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return tables


def difference(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> dict[str, Any]:
    return {
        name: {
            "gone": [r for r in rows if r not in after[name]],
            "new": [r for r in after[name] if r not in rows],
        }
        for name, rows in before.items()
        if rows != after[name]
    }


async def set_sms_options(
    world: World, packed: list[str], data: dict[str, Any] | None = None
) -> None:
    """What the SMS resident's next number means, as if the bot had just asked (a menu they
    were sent before their roles changed, say)."""
    async with world.app.sessionmaker() as session:
        await session.execute(
            update(SmsConversation)
            .where(SmsConversation.resident_id == world.ids["sms"])
            .values(options=json.dumps(packed), step=None, data=json.dumps(data) if data else None)
        )
        await session.commit()


# --- What a refusal looks like ---------------------------------------------------------------


def _refusals() -> Iterator[ServiceError]:
    yield PermissionDenied("coordinator")
    yield PermissionDenied("host")
    yield PermissionDenied("resident")
    yield NotOnboarded()
    yield NotFound()
    yield NetworkArchived(joining=True)
    yield NetworkArchived(joining=False)
    yield InviteCodeRequired()
    yield InviteCodeWrong()
    yield OptedOut(own=True)
    yield OptedOut(own=False)
    yield RateLimited()
    yield CodeRejected("expired")
    for field_name in ("phone", "request", "event", "name", "idea"):
        for reason in ("missing", "taken", "format", "empty", "closed"):
            yield InvalidInput(field_name, reason)
    for reason in ("closed", "not_closed", "one_only"):  # a poll's (issue 15)
        yield InvalidInput("poll", reason)
    for reason in ("full", "closed", "not_over", "confirmed"):  # a volunteer shift's (issue 15)
        yield InvalidInput("shift", reason)


def refusal_texts(t: Translator) -> frozenset[str]:
    """Every translated "no" a resident can get in the bot: a service's refusal, a button that
    no longer works, and the onboarding gate."""
    return frozenset(
        {refusal(t, error) for error in _refusals()}
        | {stale_text(t), t.gettext("Let's finish setting up first.")}
    )


def sms_refusal_texts(t: Translator) -> frozenset[str]:
    from bot.channels.sms.conversation.texts import refusal as sms_refusal

    return frozenset({sms_refusal(t, error) for error in _refusals()})


GENERIC_ERROR = "Sorry, something went wrong on our side. Please try again in a moment."


# --- What the bot offers, read from the bot itself --------------------------------------------


def registered_commands(router) -> set[str]:  # type: ignore[no-untyped-def]
    """Every command some message handler of the router tree answers."""
    found: set[str] = set()
    for handler in router.message.handlers:
        for filter_object in handler.filters or ():
            if isinstance(filter_object.callback, Command):
                found.update(str(c) for c in filter_object.callback.commands)
    for sub in router.sub_routers:
        found |= registered_commands(sub)
    return found


def menu_commands(t: Translator) -> set[str]:
    return {c.command for c in coordinator_commands(t) if isinstance(c, BotCommand)}


def conversation_states() -> dict[str, State]:
    """Every state a conversation can wait in (`handlers.states`)."""
    found: dict[str, State] = {}
    for value in vars(states).values():
        if isinstance(value, type) and issubclass(value, StatesGroup) and value is not StatesGroup:
            for state in value.__all_states__:
                assert state.state is not None
                found[state.state] = state
    return found
