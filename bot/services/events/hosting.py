"""The host's side of events: publishing one to the network, changing and cancelling it (those
who said coming or maybe are told), and seeing who answered. Every change writes its notices
to the outbox in the same transaction; only the network's hosts and coordinators may act."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.i18n import Catalogs
from bot.services import machine_texts
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.events import flood
from bot.services.events.drafts import EventDraft, clean_draft
from bot.services.events.notices import render_event
from bot.services.events.series import SeriesView
from bot.services.events.views import (
    EventView,
    has_happened,
    load_view,
    make_view,
    series_of,
)
from bot.services.networks.views import NetworkName, network_name
from db.models import Answer, Event, EventStatus, MemberRole, NoticeKind
from db.queries import events as q
from db.queries import networks as nq
from db.queries import outbox as oq
from db.session import session_now

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation

# A cancellation's reason is a line under the event's card, not a second description.
REASON_MAX = 300


async def require_host(session: AsyncSession, actor: Actor, network_id: int) -> NetworkName:
    """The network's names (each member's notice names it in their language) if the actor
    hosts it (or coordinates); else a refusal."""
    row = await nq.one(session, network_id, actor.resident_id)
    if row is None or row.network.archived_at is not None:
        raise NotFound()
    if not actor.is_coordinator and row.my_role is not MemberRole.HOST:
        raise PermissionDenied("host")
    return await network_name(session, network_id)


async def hosts(session: AsyncSession, actor: Actor, network_id: int) -> bool:
    """Whether the actor may manage the network's events: one of its hosts, or a coordinator
    (and the network is not archived)."""
    row = await nq.one(session, network_id, actor.resident_id)
    if row is None or row.network.archived_at is not None:
        return False
    return actor.is_coordinator or row.my_role is MemberRole.HOST


async def audience(session: AsyncSession, actor: Actor, network_id: int) -> dict[str, int]:
    """Members who would get the notice, by language: for the host's preview."""
    await require_host(session, actor, network_id)
    by_locale: dict[str, int] = {}
    for r in await oq.network_members(session, network_id):
        by_locale[r.locale or "nb"] = by_locale.get(r.locale or "nb", 0) + 1
    return by_locale


async def _machine(
    machine: MachineTranslation | None,
    catalogs: Catalogs,
    draft: EventDraft,
    recipients: list[oq.RecipientRow],
) -> machine_texts.ByLocale:
    """The draft's title and description machine-translated for its recipients' languages
    that the host did not write (before anything is written: bot.services.machine_texts)."""
    return await machine_texts.for_readers(
        machine,
        (draft.title, draft.description),
        draft.locale,
        machine_texts.reader_locales(recipients, catalogs.default_locale),
        draft.translations,
    )


@dataclass
class Publishing:
    """What publishing in one network needs, read once for a batch (a calendar import of
    thousands of events): made by `publishing`, which checks the actor hosts the network, so
    holding one means that check was done. `told_today` counts the network's new-event
    notices of `day` as the batch adds them (bot.services.events.flood)."""

    network_id: int
    name: NetworkName
    recipients: list[oq.RecipientRow]
    day: date
    told_today: int


async def publishing(
    session: AsyncSession, actor: Actor, network_id: int, now: datetime, zone: ZoneInfo
) -> Publishing:
    name = await require_host(session, actor, network_id)
    recipients = await oq.network_members(session, network_id)
    told = await flood.told_today(session, network_id, now, zone)
    return Publishing(network_id, name, recipients, now.astimezone(zone).date(), told)


async def publish(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    draft: EventDraft,
    *,
    uid: str | None = None,
    now: datetime | None = None,
    machine: MachineTranslation | None = None,
    batch: Publishing | None = None,
    series: SeriesView | None = None,
    announce: bool = True,
) -> tuple[EventView, outbox.Enqueued]:
    """Create the event and tell the network's members, in one transaction (members whose
    language the host did not write get it machine-translated, when `machine` is set up).
    Past the network's daily cap, and for SMS members always, the notice waits for the summary
    of new events (bot.services.events.flood); `Enqueued.held_all` says nobody is told now.

    With `batch` (from `publishing`, for the same network) the host check, the members and the
    day's count are not read again, and nothing is committed: the caller commits the batch.

    A date of a `series` is announced once, with the series (its first date to be published);
    its other dates are published without `announce`: stored, listed, told to nobody."""
    now = now or session_now(session)
    if batch is None or batch.network_id != draft.network_id:
        batch, commit = await publishing(session, actor, draft.network_id, now, catalogs.zone), True
    else:
        commit = False
    name, recipients = batch.name, batch.recipients
    draft = clean_draft(draft, now)
    # Translated before anything is written: see bot.services.machine_texts.
    found = await _machine(machine, catalogs, draft, recipients) if announce else {}
    event = Event(
        network_id=draft.network_id,
        uid=uid or f"{uuid.uuid4()}@naboskap",
        title=draft.title,
        description=draft.description,
        place=draft.place,
        locale=draft.locale,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        no_norwegian_needed=draft.no_norwegian_needed,
        all_day=draft.all_day,
        series_id=series.id if series is not None else None,
        status=EventStatus.PUBLISHED,
        created_by=actor.resident_id,
        created_at=now,
        updated_at=now,
    )
    session.add(event)
    await session.flush()
    if draft.translations:  # a new event has no texts to replace: no DELETE for nothing
        await q.replace_texts(session, event.id, draft.translations)
    view = replace(make_view(event, name, draft.translations, {}, None, series), machine=found)
    if not announce:
        return view, outbox.Enqueued(0, {}, 0)  # no notice: the series was announced
    # Counted before this event's notice is written (flood.holding says why); a batch keeps
    # the count itself, a new local day starting it again.
    today = now.astimezone(catalogs.zone).date()
    if today != batch.day:
        batch.day, batch.told_today = today, 0
    held = flood.holding_after(session, batch.told_today)
    batch.told_today += 1
    enqueued = await outbox.enqueue(
        session,
        kind=NoticeKind.EVENT,
        recipients=recipients,
        render=render_event(catalogs, view, NoticeKind.EVENT),
        zone=catalogs.zone,
        default_locale=catalogs.default_locale,
        network_id=draft.network_id,
        event_id=event.id,
        author_id=actor.resident_id,
        hold=held.everyone,
        hold_channels=held.channels,
        now=now,
    )
    if commit:
        await session.commit()
    return view, enqueued


async def _attendees(
    session: AsyncSession, event_id: int, *, series: bool = True
) -> list[oq.RecipientRow]:
    """Those coming or maybe coming: to this date, and (with `series`) to every date of its
    series unless they answered this one otherwise."""
    ids = await q.attendee_ids(session, event_id, (Answer.YES, Answer.MAYBE), series=series)
    return await oq.residents(session, ids)


async def told_of_changes(session: AsyncSession, actor: Actor, event_id: int) -> int:
    """How many a change to the event, or its cancellation, would tell now: those coming or
    maybe coming (to it, or to every date of its series) whom we can reach."""
    event = await q.get(session, event_id)
    if event is None:
        raise NotFound()
    await require_host(session, actor, event.network_id)
    return len(await _attendees(session, event.id))


async def _tell_attendees(
    session: AsyncSession,
    catalogs: Catalogs,
    view: EventView,
    kind: NoticeKind,
    now: datetime,
    recipients: list[oq.RecipientRow],
    *,
    reason: str = "",
) -> outbox.Enqueued:
    return await outbox.enqueue(
        session,
        kind=kind,
        recipients=recipients,
        render=render_event(catalogs, view, kind, reason=reason),
        zone=catalogs.zone,
        default_locale=catalogs.default_locale,
        network_id=view.network_id,
        event_id=view.id,
        digest_hold=False,
        now=now,
    )


async def update(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    event_id: int,
    draft: EventDraft,
    *,
    now: datetime | None = None,
    machine: MachineTranslation | None = None,
    tell_series: bool = True,
) -> EventView:
    """Change an event; those who said coming or maybe are told what it looks like now.

    Of a series' date, those coming to every date are told too, unless `tell_series` is off:
    an import that changes many dates of one series tells them once, with its first."""
    now = now or session_now(session)
    event = await q.get(session, event_id)
    if event is None or event.status is EventStatus.CANCELLED:
        raise NotFound()
    name = await require_host(session, actor, event.network_id)
    draft = clean_draft(replace(draft, network_id=event.network_id), now)
    # Read and translated before the event changes: a query after a change would write it.
    recipients = await _attendees(session, event.id, series=tell_series)
    found = await _machine(machine, catalogs, draft, recipients)
    series = await series_of(session, event)
    event.title, event.description, event.place = draft.title, draft.description, draft.place
    event.starts_at, event.ends_at, event.all_day = draft.starts_at, draft.ends_at, draft.all_day
    event.no_norwegian_needed, event.locale, event.updated_at = (
        draft.no_norwegian_needed,
        draft.locale,
        now,
    )
    await q.replace_texts(session, event.id, draft.translations)
    view = replace(make_view(event, name, draft.translations, {}, None, series), machine=found)
    await _tell_attendees(session, catalogs, view, NoticeKind.EVENT_CHANGED, now, recipients)
    await session.commit()
    return await load_view(session, event)


async def cancel(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    event_id: int,
    *,
    now: datetime | None = None,
    machine: MachineTranslation | None = None,
    tell_series: bool = True,
    reason: str = "",
) -> EventView:
    """Cancel an event (once) that has not yet happened; those who said coming or maybe are
    told (of a series' date, those coming to every date too, unless `tell_series` is off, as
    for `update`). A `reason` (the operator's, as written: it is not translated) is shown in
    the notice and kept nowhere else."""
    now = now or session_now(session)
    reason = " ".join(reason.split())
    if len(reason) > REASON_MAX:
        raise InvalidInput("reason", "too_long", REASON_MAX)
    event = await q.get(session, event_id)
    if event is None:
        raise NotFound()
    name = await require_host(session, actor, event.network_id)
    if event.status is not EventStatus.CANCELLED and has_happened(event, now):
        raise InvalidInput("event", "closed")
    if event.status is not EventStatus.CANCELLED:
        texts = (await q.texts(session, [event.id])).get(event.id, {})
        recipients = await _attendees(session, event.id, series=tell_series)
        series = await series_of(session, event)
        found = await machine_texts.for_readers(
            machine,
            (event.title, event.description),
            event.locale,
            machine_texts.reader_locales(recipients, catalogs.default_locale),
            texts,
        )
        event.status, event.updated_at = EventStatus.CANCELLED, now
        view = replace(make_view(event, name, texts, {}, None, series), machine=found)
        await _tell_attendees(
            session, catalogs, view, NoticeKind.EVENT_CANCELLED, now, recipients, reason=reason
        )
        await session.commit()
    return await load_view(session, event)


async def attendees(session: AsyncSession, actor: Actor, event_id: int) -> list[tuple[str, Answer]]:
    """Who answered, first names only: for the network's hosts and coordinators."""
    event = await q.get(session, event_id)
    if event is None:
        raise NotFound()
    await require_host(session, actor, event.network_id)
    return [(name, answer) for _, name, answer in await q.attendees(session, event_id)]
