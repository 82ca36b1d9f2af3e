"""What the week holds for everyone: the coming seven days' events (with their RSVP counts),
the open help requests and each network's news. Read once per round and shared by every
resident's digest, so a round's reads do not grow with the residents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Answer, Event, HelpCategory, HelpRequest
from db.queries import digests as q
from db.queries import events as eq

WINDOW = timedelta(days=7)  # "the coming week", from the moment the digest is made


@dataclass(frozen=True)
class WeekEvent:
    event: Event
    texts: dict[str, tuple[str, str]]
    yes: int
    maybe: int

    def title_for(self, locale: str) -> str:
        return self.texts[locale][0] if locale in self.texts else self.event.title


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


async def read_week(session: AsyncSession, week: str, now: datetime, municipality: str) -> Week:
    found = await q.events_between(session, now, now + WINDOW)
    ids = [e.id for e in found]
    texts = await eq.texts(session, ids)
    counts = await eq.counts(session, ids)
    events: dict[int, list[WeekEvent]] = {}
    for event in found:
        c = counts.get(event.id, {})
        events.setdefault(event.network_id, []).append(
            WeekEvent(event, texts.get(event.id, {}), c.get(Answer.YES, 0), c.get(Answer.MAYBE, 0))
        )
    requests: dict[tuple[int, HelpCategory], list[HelpRequest]] = {}
    for request in await q.open_requests(session, now):
        key = (request.network_id, HelpCategory(request.category))
        requests.setdefault(key, []).append(request)
    return Week(
        week=week,
        now=now,
        names=await q.network_names(session),
        events=events,
        requests=requests,
        news=await q.news(session, now - WINDOW),
        municipality=municipality,
    )
