"""What the week holds for everyone: the coming seven days' events (with their RSVP counts),
the open help requests and each network's news. Read once per round and shared by every
resident's digest, so a round's reads do not grow with the residents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import SHIPPED_LOCALES
from bot.services.events.series import SeriesView
from bot.services.events.views import many_series
from bot.services.volunteering.week import WeekCall, open_calls_by_network
from db.models import Answer, Event, HelpCategory, HelpRequest
from db.queries import digests as q
from db.queries import events as eq
from db.queries import ideas as iq
from db.queries import networks as nq
from db.queries import polls as pq

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation

WINDOW = timedelta(days=7)  # "the coming week", from the moment the digest is made


@dataclass(frozen=True)
class WeekEvent:
    event: Event
    texts: dict[str, tuple[str, str]]
    yes: int
    maybe: int
    # The title machine-translated, by locale, where the cache had it (`add_machine_titles`).
    machine: dict[str, str] = field(default_factory=dict)
    # The series the event is the next date of (listed once, with how it repeats).
    series: SeriesView | None = None

    def title_for(self, locale: str) -> str:
        if locale in self.texts:
            return self.texts[locale][0]
        return self.machine.get(locale, self.event.title)

    def is_machine(self, locale: str) -> bool:
        return locale not in self.texts and locale in self.machine


@dataclass
class WeekIdea:
    """An idea proposed in the week (issue 15), with its supporters when the round began."""

    idea_id: int
    network_id: int
    text: str
    locale: str
    supporters: int
    # The words machine-translated, by locale, where the cache had them (`add_machine_titles`).
    machine: dict[str, str] = field(default_factory=dict)

    def text_for(self, locale: str) -> str:
        return self.machine.get(locale, self.text)


# Open polls read for a round: every one in practice (polls are few and short-lived).
MAX_OPEN_POLLS = 500


@dataclass
class WeekPoll:
    """An open poll (issue 15): its question as written and as its creator translated it."""

    poll_id: int
    network_id: int | None  # None: to everyone
    question: str
    closes_at: datetime
    translations: dict[str, str] = field(default_factory=dict)

    def question_for(self, locale: str) -> str:
        return self.translations.get(locale, self.question)


@dataclass
class Week:
    """What every resident's digest is made from, read once per round."""

    week: str
    now: datetime
    names: dict[int, str]
    events: dict[int, list[WeekEvent]]  # by network, soonest first
    requests: dict[tuple[int, HelpCategory], list[HelpRequest]]  # newest first
    news: dict[int, tuple[int, int]]  # network: (new members, completed requests)
    municipality: str
    later: dict[int, WeekEvent] = field(default_factory=dict)  # held events beyond the week
    # Network: locale: the name its hosts gave in that language (`names` holds the originals).
    translated_names: dict[int, dict[str, str]] = field(default_factory=dict)
    # Network: the ideas proposed in the week, most supported first (issue 15).
    ideas: dict[int, list[WeekIdea]] = field(default_factory=dict)
    # The open polls, closing soonest first (issue 15).
    polls: list[WeekPoll] = field(default_factory=list)
    # Network: its open volunteer calls with room, soonest first (issue 15).
    calls: dict[int, list[WeekCall]] = field(default_factory=dict)

    def name(self, network_id: int, locale: str | None, default: str = "") -> str:
        """The network's name for a reader of `locale`: theirs where given, else the original."""
        translated = self.translated_names.get(network_id, {}).get(locale or "")
        return translated or self.names.get(network_id, default)


async def add_machine_titles(week: Week, machine: MachineTranslation | None) -> None:
    """Give the week's events their machine-translated titles from the cache (no request:
    a round must not wait on a translator), for every language without a host's translation.
    The notice of each event asked for them when it went out, so a newcomer's digest lists
    events in the words their notices used."""
    if machine is None or not machine.enabled:
        return
    items = [item for items in week.events.values() for item in items]
    by_source: dict[str, list[WeekEvent]] = {}
    for item in items:
        by_source.setdefault(item.event.locale, []).append(item)
    for source, group in by_source.items():
        found = await machine.cached_each(
            [item.event.title for item in group], source, SHIPPED_LOCALES
        )
        for target, titles in found.items():
            for item in group:
                title = titles.get(item.event.title)
                if title is not None and target not in item.texts:
                    item.machine[target] = title
    ideas_by_source: dict[str, list[WeekIdea]] = {}
    for idea in (i for ideas in week.ideas.values() for i in ideas):
        ideas_by_source.setdefault(idea.locale, []).append(idea)
    for source, new_ideas in ideas_by_source.items():
        cached = await machine.cached_each([i.text for i in new_ideas], source, SHIPPED_LOCALES)
        for target, words in cached.items():
            for idea in new_ideas:
                if words.get(idea.text) is not None:
                    idea.machine[target] = words[idea.text]


async def read_week(session: AsyncSession, week: str, now: datetime, municipality: str) -> Week:
    found = await q.events_between(session, now, now + WINDOW)
    ids = [e.id for e in found]
    texts = await eq.texts(session, ids)
    counts = await eq.counts(session, ids)
    series = await many_series(session, found)
    events: dict[int, list[WeekEvent]] = {}
    for event in found:
        c = counts.get(event.id, {})
        events.setdefault(event.network_id, []).append(
            WeekEvent(
                event,
                texts.get(event.id, {}),
                c.get(Answer.YES, 0),
                c.get(Answer.MAYBE, 0),
                series=series.get(event.id),
            )
        )
    requests: dict[tuple[int, HelpCategory], list[HelpRequest]] = {}
    for request in await q.open_requests(session, now):
        key = (request.network_id, HelpCategory(request.category))
        requests.setdefault(key, []).append(request)
    names = await nq.names(session)
    ideas: dict[int, list[WeekIdea]] = {}
    for row in await iq.new_since(session, now - WINDOW):
        idea = row.idea
        ideas.setdefault(idea.network_id, []).append(
            WeekIdea(idea.id, idea.network_id, idea.text, idea.locale, row.supporters)
        )
    open_polls = await pq.open_in(session, None, now, MAX_OPEN_POLLS)
    questions, _ = await pq.texts(session, [p.id for p in open_polls])
    week_polls = [
        WeekPoll(p.id, p.network_id, p.question, p.closes_at, questions.get(p.id, {}))
        for p in open_polls
    ]
    return Week(
        week=week,
        now=now,
        names={network_id: original for network_id, (original, _) in names.items()},
        translated_names={network_id: other for network_id, (_, other) in names.items() if other},
        events=events,
        requests=requests,
        news=await q.news(session, now - WINDOW),
        municipality=municipality,
        ideas=ideas,
        polls=week_polls,
        calls=await open_calls_by_network(session, now),
    )
