"""The playground's starting state, made through the same services the bot and the CLI use.

Everything here is idempotent, so a kept database (--db) only gets what it is missing: the
networks of examples/larvik.toml, a host, a coordinator and a neighbour who have started the
bot, a few upcoming events, a couple of open help requests, Sentrum following the sample
calendar feed of Larvik library (`sample_calendar`), which the neighbour hears of, and in
Torstrand one of each way to take part: the host's poll, the neighbour's idea and the host's
call for volunteers (a dugnad with two shifts), for visitors to answer, support and sign up for.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.config import PROJECT_ROOT
from bot.logs import failure
from bot.playground import sample_calendar
from bot.playground.personas import Persona
from bot.services import events, feeds, ideas, networks, polls, preferences, residents
from bot.services import help as helping
from bot.services.actors import Actor
from bot.services.volunteering import calls
from db.models import HelpCategory, Resident

log = logging.getLogger("naboskap.playground")

NETWORK_FILE = PROJECT_ROOT / "examples" / "larvik.toml"
HOME_NETWORK = "torstrand"
NO_QUIET_HOURS = (0, 0)


@dataclass(frozen=True)
class SeedEvent:
    network: str
    title: str
    days_ahead: int
    at: time
    hours: int
    place: str
    description: str
    no_norwegian_needed: bool = False


SEED_EVENTS = (
    SeedEvent(
        "torstrand",
        "Dugnad i Torstrandparken",
        2,
        time(17, 0),
        2,
        "Torstrandparken",
        "Vi rydder parken sammen. Ta med hansker; kaffe og boller står klare.",
    ),
    SeedEvent(
        "torstrand",
        "Språkkafé på biblioteket",
        4,
        time(18, 0),
        2,
        "Larvik bibliotek",
        "Snakk norsk over en kopp kaffe. Alle nivåer er velkomne.",
        no_norwegian_needed=True,
    ),
    SeedEvent(
        "sentrum",
        "Turgruppe: Bøkeskogen rundt",
        6,
        time(11, 0),
        2,
        "Hovedinngangen til Bøkeskogen",
        "En rolig tur i eget tempo, omtrent 5 km.",
    ),
)

SEED_HELP = (
    (HelpCategory.ERRANDS, "Kan noen bære handleposer opp til 3. etasje på lørdag?", 3),
    (HelpCategory.DIGITAL, "Hvem kan vise meg hvordan jeg betaler regninger på nett?", None),
)


SEED_POLL = polls.PollDraft(
    network_id=None,  # Torstrand's, filled in when seeded
    question="Hva ønsker du deg mest i Torstrandparken neste år?",
    options=("Benker langs stien", "Mer lys om kvelden", "Lekeplass for de minste", "Grillplass"),
    closes_at=datetime.min,  # three days after the seed, filled in when seeded
    allow_other=True,
    locale="nb",
    translations={
        "en": (
            "What would you most like in Torstrand park next year?",
            ("Benches along the path", "More light in the evening", "A playground", "A barbecue"),
        ),
        "uk": (
            "Чого вам найбільше хочеться в парку Торстранд наступного року?",
            (
                "Лавки вздовж стежки",
                "Більше світла ввечері",
                "Дитячий майданчик",
                "Місце для гриля",
            ),
        ),
        "ar": (
            "ما الذي تتمناه أكثر في حديقة تورستراند العام القادم؟",
            ("مقاعد على طول الممر", "إضاءة أكثر في المساء", "ملعب للأطفال الصغار", "مكان للشواء"),
        ),
    },
)
SEED_POLL_DAYS = 3
SEED_IDEA = "Benker langs Torstrandgata, så de eldre kan hvile på vei til butikken."
SEED_CALL = calls.CallDraft(
    network_id=0,  # Torstrand's, filled in when seeded
    title="Vårdugnad i Torstrandparken",
    place="Torstrandparken, ved lekeplassen",
    description="Vi raker løv og plukker søppel. Hansker, kaffe og vafler står klare.",
    shifts=(),  # the Saturday after next: 10-13 for five, 13-15 for three
    locale="nb",
)
SEED_SHIFTS = ((time(10, 0), time(13, 0), 5), (time(13, 0), time(15, 0), 3))


def read_networks(path: Path = NETWORK_FILE) -> list[networks.NetworkSpec]:
    """The example networks (none, with a warning, when the checkout's examples/ is absent)."""
    if not path.exists():
        log.warning("no %s: the playground starts without networks", path)
        return []
    return networks.parse_network_file(path.read_text(encoding="utf-8"))


async def _actor(app: App, session: AsyncSession, telegram_id: int) -> Actor:
    return await residents.identify(session, telegram_id, app.settings.coordinator_ids)


async def onboard(app: App, persona: Persona, quiet_hours: bool) -> Actor:
    """Someone who started the bot earlier: chose a language and accepted the privacy notice."""
    async with app.sessionmaker() as session:
        actor = await _actor(app, session, persona.id)
        if actor.onboarded:
            return actor
        if actor.locale is None:
            actor = await residents.choose_language(
                session, actor, persona.language_code or app.settings.default_locale, persona.name
            )
        actor = await residents.accept_privacy(session, actor)
        if not quiet_hours:
            await preferences.update(session, actor, quiet=NO_QUIET_HOURS)
        return actor


async def drop_quiet_hours(app: App, telegram_id: int) -> bool:
    """Give a persona that has finished onboarding no quiet hours (as if they chose so in
    /settings). Returns False while they have not finished onboarding."""
    async with app.sessionmaker() as session:
        actor = await _actor(app, session, telegram_id)
        if not actor.onboarded:
            return False
        await preferences.update(session, actor, quiet=NO_QUIET_HOURS)
        return True


async def drop_sms_quiet_hours(app: App, phone: str) -> bool:
    """The same for an SMS persona, found by the number it writes from (E.164)."""
    async with app.sessionmaker() as session:
        resident = await session.scalar(select(Resident).where(Resident.phone == phone))
        if resident is None or resident.locale is None or resident.privacy_accepted_at is None:
            return False
        actor = Actor(resident.id, resident.telegram_id, resident.locale, False, onboarded=True)
        await preferences.update(session, actor, quiet=NO_QUIET_HOURS)
        return True


async def seed(
    app: App,
    *,
    host: Persona,
    coordinator: Persona,
    neighbour: Persona,
    specs: Sequence[networks.NetworkSpec],
    quiet_hours: bool = False,
    now: datetime | None = None,
    calendar_base: str | None = None,
) -> None:
    """Add whatever of the starting state is missing (see the module's docstring).

    `calendar_base` is where this playground serves the sample calendar (http://host:port on
    loopback); None leaves the sample feed out."""
    now = now or app.clock.now()
    operator = Actor.operator()
    if not specs:
        return
    async with app.sessionmaker() as session:
        await networks.import_networks(session, operator, list(specs), update=False)
    slugs = {spec.slug for spec in specs}
    for persona in (host, coordinator, neighbour):
        await onboard(app, persona, quiet_hours)
    async with app.sessionmaker() as session:
        hosted = {e.network for e in SEED_EVENTS} & slugs
        for slug in sorted(hosted):
            await networks.set_host_by_telegram_id(session, operator, slug, host.id)
    if HOME_NETWORK not in slugs:
        return
    async with app.sessionmaker() as session:
        home = await networks.find_by_slug(session, operator, HOME_NETWORK)
        neighbour_actor = await _actor(app, session, neighbour.id)
        await networks.join(session, neighbour_actor, home.id)
        host_actor = await _actor(app, session, host.id)
        await helping.set_offer(
            session, host_actor, home.id, {HelpCategory.ERRANDS, HelpCategory.DIGITAL}
        )
        if not (await events.upcoming(session, host_actor, now=now))[1]:
            await _publish_events(app, session, host_actor, now)
        if not await helping.my_requests(session, neighbour_actor):
            for category, text, days in SEED_HELP:
                needed_on: date | None = (
                    (now + timedelta(days=days)).date() if days is not None else None
                )
                await helping.ask(
                    session,
                    neighbour_actor,
                    app.catalogs,
                    network_id=home.id,
                    category=category,
                    description=text,
                    needed_on=needed_on,
                    now=now,
                    machine=app.core.machine_translation,
                )
    async with app.sessionmaker() as session:
        await _take_part(app, session, host_actor, neighbour_actor, home.id, now)
    if calendar_base is not None and sample_calendar.NETWORK in slugs:
        await follow_sample(app, neighbour, calendar_base, now)


async def follow_sample(app: App, neighbour: Persona, base: str, now: datetime) -> None:
    """Sentrum follows the sample calendar, served at `base`, and the neighbour is a member,
    so they hear of its events as members of a network that follows a library's feed do.

    Synced once here, before the bot starts, so the playground opens with the feed's events
    and their notices queued (the scheduler's calendar-feeds job syncs it from then on). A
    kept database keeps its feed and the feed's anchor day: only the address is made this
    run's (its port may differ), and the events are found again by their UIDs, unchanged."""
    operator = Actor.operator()
    async with app.sessionmaker() as session:
        network = await networks.find_by_slug(session, operator, sample_calendar.NETWORK)
        followed = [
            (feed, anchor)
            for feed in await feeds.list_feeds(session, operator, network.id)
            if (anchor := sample_calendar.anchor_of(feed.url)) is not None
        ]
        if followed:
            old, anchor = followed[0]
            url = sample_calendar.feed_url(base, anchor)
            if old.url == url:
                return
            # A feed's address cannot be changed in place; followed again, its events stay.
            await feeds.remove_feed(session, operator, old.id)
        else:
            url = sample_calendar.feed_url(base, now.astimezone(app.catalogs.zone).date())
            # Joined before the first sync, so that its notices reach them.
            await networks.join(session, await _actor(app, session, neighbour.id), network.id)
        feed = await feeds.add_feed(session, operator, network.id, url)
    try:
        await feeds.sync_one(
            app.sessionmaker,
            app.catalogs,
            feed.id,
            machine=app.core.machine_translation,
            force=True,
        )
    except Exception as error:
        # As the scheduler treats a failing sync: logged, and tried again at the feed's next
        # check (the sync claimed it until then). The rest of the playground starts all the same.
        log.error("could not sync the sample calendar feed: %s", failure(error))


async def _take_part(
    app: App, session: AsyncSession, host: Actor, neighbour: Actor, home: int, now: datetime
) -> None:
    """Torstrand's poll, idea and dugnad, each unless a kept database has it already."""
    machine = app.core.machine_translation
    if not (await polls.open_polls(session, host))[1]:
        poll = replace(SEED_POLL, network_id=home, closes_at=now + timedelta(days=SEED_POLL_DAYS))
        await polls.publish(session, host, app.catalogs, poll, now=now, machine=machine)
    if not await ideas.open_count(session, neighbour):
        await ideas.propose(
            session,
            neighbour,
            app.catalogs,
            network_id=home,
            text=SEED_IDEA,
            now=now,
            machine=machine,
        )
    if not await calls.open_calls(session, neighbour, now):
        zone = app.catalogs.zone
        today = now.astimezone(zone).date()
        saturday = today + timedelta(days=(5 - today.weekday()) % 7 + 7)
        shifts = tuple(
            calls.ShiftDraft(
                datetime.combine(saturday, start, tzinfo=zone),
                datetime.combine(saturday, end, tzinfo=zone),
                slots,
            )
            for start, end, slots in SEED_SHIFTS
        )
        draft = replace(SEED_CALL, network_id=home, shifts=shifts)
        await calls.publish(session, host, app.catalogs, draft, now=now)


async def _publish_events(app: App, session: AsyncSession, host: Actor, now: datetime) -> None:
    zone = app.catalogs.zone
    today = now.astimezone(zone).date()
    for spec in SEED_EVENTS:
        network = await networks.find_by_slug(session, host, spec.network)
        starts = datetime.combine(today + timedelta(days=spec.days_ahead), spec.at, tzinfo=zone)
        draft = events.EventDraft(
            network_id=network.id,
            title=spec.title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=spec.hours),
            place=spec.place,
            description=spec.description,
            no_norwegian_needed=spec.no_norwegian_needed,
            locale=app.settings.default_locale,
        )
        await events.publish(
            session, host, app.catalogs, draft, now=now, machine=app.core.machine_translation
        )
