"""An event as the services return it: its texts in every language the host wrote, its RSVP
counts and, for a member, their own answer. Every other module of the package builds these
through `make_view` (from rows it has already read) or `load_view` (reading them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Answer, Event, EventStatus
from db.queries import events as q
from db.queries import networks as nq


def has_happened(event: Event, now: datetime) -> bool:
    """Whether the event is over (its end, or without one its start, has passed): nobody can
    answer it or cancel it any more."""
    return (event.ends_at or event.starts_at) < now


@dataclass(frozen=True)
class EventView:
    id: int
    network_id: int
    network_name: str
    title: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime | None
    no_norwegian_needed: bool
    locale: str
    status: EventStatus
    translations: dict[str, tuple[str, str]]
    counts: dict[Answer, int]
    my_answer: Answer | None = None

    def open_to_answers(self, now: datetime) -> bool:
        """Whether residents can still answer (and hosts change or cancel): published and not
        yet over. A card of a past or cancelled event shows no buttons that would be refused."""
        return self.status is EventStatus.PUBLISHED and (self.ends_at or self.starts_at) >= now

    def text_for(self, locale: str) -> tuple[str, str, bool]:
        """Title and description in `locale` if the host wrote them, else the original; the
        flag says whether the reader gets another language than their own."""
        if locale in self.translations:
            title, description = self.translations[locale]
            return title, description, False
        return self.title, self.description, locale != self.locale


def make_view(
    event: Event,
    network_name: str,
    texts: dict[str, tuple[str, str]],
    counts: dict[Answer, int],
    mine: Answer | None,
) -> EventView:
    return EventView(
        id=event.id,
        network_id=event.network_id,
        network_name=network_name,
        title=event.title,
        description=event.description,
        place=event.place,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        no_norwegian_needed=event.no_norwegian_needed,
        locale=event.locale,
        status=EventStatus(event.status),
        translations=texts,
        counts=counts,
        my_answer=mine,
    )


async def load_view(
    session: AsyncSession, event: Event, resident_id: int | None = None
) -> EventView:
    """The event with its network's name, its translations, its counts and, given a
    resident, their answer."""
    network = await nq.one(session, event.network_id, None)
    texts = (await q.texts(session, [event.id])).get(event.id, {})
    counts = (await q.counts(session, [event.id])).get(event.id, {})
    mine = (
        (await q.answers_of(session, resident_id, [event.id])).get(event.id)
        if resident_id
        else None
    )
    return make_view(event, network.network.name if network else "", texts, counts, mine)
