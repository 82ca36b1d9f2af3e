"""An event as the services return it: its texts in every language the host wrote, its RSVP
counts and, for a member, their own answer. Every other module of the package builds these
through `make_view` (from rows it has already read) or `load_view` (reading them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import machine_texts
from bot.services.events.drafts import EventDraft
from bot.services.events.series import SeriesView, series_view
from bot.services.networks.views import NetworkName, network_name
from db.models import Answer, Event, EventStatus
from db.queries import events as q

if TYPE_CHECKING:  # the service reads the database; a view needs only its type
    from bot.machine_translation.service import MachineTranslation


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
    # Title and description machine-translated, for reader locales without a human translation.
    machine: machine_texts.ByLocale = field(default_factory=lambda: machine_texts.NONE)
    # The network's name in other languages (`network_name` is the original), so that every
    # reader of a notice rendered once per language finds it in theirs.
    network_names: Mapping[str, str] = field(default_factory=dict)
    # A calendar's all-day event: from local midnight to local midnight after its last day,
    # shown as its days (`notices.when_text`).
    all_day: bool = False
    # The series the event is a date of (a calendar's recurring event), with the reader's
    # answer to every date of it.
    series: SeriesView | None = None

    def network_name_in(self, locale: str | None) -> str:
        """The network's name in `locale` where its hosts gave one, else the original."""
        return NetworkName(self.network_name, self.network_names).in_locale(locale)

    def open_to_answers(self, now: datetime) -> bool:
        """Whether residents can still answer (and hosts change or cancel): published and not
        yet over. A card of a past or cancelled event shows no buttons that would be refused."""
        return self.status is EventStatus.PUBLISHED and (self.ends_at or self.starts_at) >= now

    def text_for(self, locale: str) -> tuple[str, str, bool]:
        """Title and description in `locale` if the host wrote them, else machine-translated
        if that was asked for (`is_machine`), else the original; the flag says whether the
        reader gets another language than their own."""
        if locale in self.translations:
            title, description = self.translations[locale]
            return title, description, False
        if locale in self.machine:
            title, description = self.machine[locale]
            return title, description, False
        return self.title, self.description, locale != self.locale

    def draft(self) -> EventDraft:
        """What the host would fill in to publish the event as it is now: where a change (in
        the bot or from the command line) starts, so nothing not changed is lost (all-day,
        translations, "no Norwegian needed")."""
        return EventDraft(
            network_id=self.network_id,
            title=self.title,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            place=self.place,
            description=self.description,
            no_norwegian_needed=self.no_norwegian_needed,
            all_day=self.all_day,
            locale=self.locale,
            translations=self.translations,
        )

    def is_machine(self, locale: str) -> bool:
        """Whether `text_for(locale)` is a machine translation (human ones always win)."""
        return locale not in self.translations and locale in self.machine


async def translated(
    view: EventView,
    machine: MachineTranslation | None,
    readers: Iterable[str],
    *,
    cached_only: bool = False,
) -> EventView:
    """The view with machine translations for `readers`' languages that the host did not
    write: asked for before anything is written (see `bot.services.machine_texts`)."""
    found = await machine_texts.for_readers(
        machine,
        (view.title, view.description),
        view.locale,
        readers,
        view.translations,
        cached_only=cached_only,
    )
    if not found:
        return view
    return replace(view, machine={k: (v[0], v[1]) for k, v in found.items()})


def make_view(
    event: Event,
    network: NetworkName,
    texts: dict[str, tuple[str, str]],
    counts: dict[Answer, int],
    mine: Answer | None,
    series: SeriesView | None = None,
) -> EventView:
    return EventView(
        id=event.id,
        network_id=event.network_id,
        network_name=network.original,
        network_names=network.translations,
        title=event.title,
        description=event.description,
        place=event.place,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        no_norwegian_needed=event.no_norwegian_needed,
        all_day=bool(event.all_day),
        locale=event.locale,
        status=EventStatus(event.status),
        translations=texts,
        counts=counts,
        my_answer=mine,
        series=series,
    )


async def load_view(
    session: AsyncSession, event: Event, resident_id: int | None = None
) -> EventView:
    """The event with its network's names, its translations, its counts and, given a
    resident, their answer."""
    network = await network_name(session, event.network_id)
    texts = (await q.texts(session, [event.id])).get(event.id, {})
    counts = (await q.counts(session, [event.id])).get(event.id, {})
    mine = (
        (await q.answers_of(session, resident_id, [event.id])).get(event.id)
        if resident_id
        else None
    )
    return make_view(
        event, network, texts, counts, mine, await series_of(session, event, resident_id)
    )


async def series_of(
    session: AsyncSession, event: Event, resident_id: int | None = None
) -> SeriesView | None:
    """The series `event` is a date of, with the resident's answer to every date of it."""
    return (await many_series(session, [event], resident_id)).get(event.id)


async def many_series(
    session: AsyncSession, found: Iterable[Event], resident_id: int | None = None
) -> dict[int, SeriesView]:
    """By event id, the series of those events that are dates of one: two queries for all."""
    wanted = {event.id: event.series_id for event in found if event.series_id is not None}
    rows = await q.series(session, sorted(set(wanted.values())))
    mine = await q.series_answers_of(session, resident_id, list(rows)) if resident_id else {}
    return {
        event_id: series_view(rows[series_id], mine.get(series_id))
        for event_id, series_id in wanted.items()
        if series_id in rows
    }
