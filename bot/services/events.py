"""Events: hosts publish them, members answer coming / maybe / can't come, everyone is told.

Publishing, changing and cancelling write notices to the outbox in the same transaction;
reminders are created once per event (a unique notice) for those who said they are coming.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from babel import Locale
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.delivery.messages import Button, Rendered
from bot.i18n import SHIPPED_LOCALES, Catalogs, Translator
from bot.services.actions import CalendarFile, Rsvp
from bot.services.actors import Actor
from bot.services.calendar_files import CalendarEvent, event_file
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from db.models import Answer, Channel, Event, EventStatus, MemberRole, NoticeKind
from db.queries import events as q
from db.queries import networks as nq
from db.queries import outbox as oq
from db.session import session_now

TITLE_MAX = 120
DESCRIPTION_MAX = 2000
PLACE_MAX = 200


@dataclass(frozen=True)
class EventDraft:
    """What a host fills in; times are aware (UTC or local)."""

    network_id: int
    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    place: str = ""
    description: str = ""
    no_norwegian_needed: bool = False
    locale: str = "nb"
    translations: dict[str, tuple[str, str]] = field(default_factory=dict)


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

    def text_for(self, locale: str) -> tuple[str, str, bool]:
        """Title and description in `locale` if the host wrote them, else the original; the
        flag says whether the reader gets another language than their own."""
        if locale in self.translations:
            title, description = self.translations[locale]
            return title, description, False
        return self.title, self.description, locale != self.locale


def _clean(draft: EventDraft, now: datetime) -> EventDraft:
    title = " ".join(draft.title.split())
    if not title:
        raise InvalidInput("title", "empty")
    for name, value, limit in (
        ("title", title, TITLE_MAX),
        ("description", draft.description, DESCRIPTION_MAX),
        ("place", draft.place, PLACE_MAX),
    ):
        if len(value) > limit:
            raise InvalidInput(name, "too_long", limit)
    if draft.starts_at.tzinfo is None or draft.starts_at < now - timedelta(minutes=5):
        raise InvalidInput("starts_at", "past")
    if draft.ends_at is not None and draft.ends_at <= draft.starts_at:
        raise InvalidInput("ends_at", "before_start")
    translations = {
        loc: (" ".join(t.split())[:TITLE_MAX], d.strip()[:DESCRIPTION_MAX])
        for loc, (t, d) in draft.translations.items()
        if loc in SHIPPED_LOCALES and loc != draft.locale and t.strip()
    }
    return replace(
        draft,
        title=title,
        description=draft.description.strip(),
        place=draft.place.strip(),
        translations=translations,
    )


async def _require_host(session: AsyncSession, actor: Actor, network_id: int) -> str:
    row = await nq.one(session, network_id, actor.resident_id)
    if row is None or row.network.archived_at is not None:
        raise NotFound()
    if not actor.is_coordinator and row.my_role is not MemberRole.HOST:
        raise PermissionDenied("host")
    return row.network.name


async def _view(session: AsyncSession, event: Event, resident_id: int | None = None) -> EventView:
    network = await nq.one(session, event.network_id, None)
    texts = (await q.texts(session, [event.id])).get(event.id, {})
    counts = (await q.counts(session, [event.id])).get(event.id, {})
    mine = (
        (await q.answers_of(session, resident_id, [event.id])).get(event.id)
        if resident_id
        else None
    )
    return _make_view(event, network.network.name if network else "", texts, counts, mine)


def _make_view(
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


# ---- how a notice about an event reads ------------------------------------------------------


def when_text(t: Translator, view: EventView) -> str:
    start = t.gettext(
        "{day} at {time}", day=t.format_day(view.starts_at), time=t.format_time(view.starts_at)
    )
    if view.ends_at is None:
        return start
    return t.gettext("{start}–{end}", start=start, end=t.format_time(view.ends_at))


def event_card(t: Translator, view: EventView) -> str:
    """The event as a member reads it, in their language (HTML)."""
    title, description, foreign = view.text_for(t.locale)
    lines = [f"<b>{html.escape(title)}</b>", "🕒 " + when_text(t, view)]
    if view.place:
        lines.append("📍 " + html.escape(view.place))
    if view.no_norwegian_needed:
        lines.append("🌍 " + t.gettext("No Norwegian needed"))
    if description:
        lines += ["", html.escape(description)]
    if foreign:
        language = Locale.parse(view.locale).get_display_name(Locale.parse(t.locale)) or view.locale
        lines += ["", "<i>" + t.gettext("Written in {language}.", language=language) + "</i>"]
    return "\n".join(lines)


def render_event(catalogs: Catalogs, view: EventView, kind: NoticeKind) -> outbox.Render:
    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        network = html.escape(view.network_name)
        headline = {
            NoticeKind.EVENT: t.gettext("🗓 New event in {network}", network=network),
            NoticeKind.EVENT_CHANGED: t.gettext("✏️ An event you're going to has changed"),
            NoticeKind.EVENT_CANCELLED: t.gettext("❌ An event you were going to is cancelled"),
            NoticeKind.REMINDER: t.gettext("⏰ Reminder: you're going to this"),
        }[kind]
        text = f"{headline}\n\n{event_card(t, view)}"
        if kind is NoticeKind.EVENT_CANCELLED:
            return Rendered(text)
        buttons = (
            (
                Button(t.gettext("✅ Coming"), Rsvp(view.id, Answer.YES)),
                Button(t.gettext("🤔 Maybe"), Rsvp(view.id, Answer.MAYBE)),
                Button(t.gettext("❌ Can't come"), Rsvp(view.id, Answer.NO)),
            ),
            (Button(t.gettext("📅 Add to calendar"), CalendarFile(view.id)),),
        )
        return Rendered(text, buttons)

    return render


# ---- the host's side --------------------------------------------------------------------------


async def hosts(session: AsyncSession, actor: Actor, network_id: int) -> bool:
    """Whether the actor may manage the network's events: one of its hosts, or a coordinator
    (and the network is not archived)."""
    row = await nq.one(session, network_id, actor.resident_id)
    if row is None or row.network.archived_at is not None:
        return False
    return actor.is_coordinator or row.my_role is MemberRole.HOST


async def audience(session: AsyncSession, actor: Actor, network_id: int) -> dict[str, int]:
    """Members who would get the notice, by language: for the host's preview."""
    await _require_host(session, actor, network_id)
    by_locale: dict[str, int] = {}
    for r in await oq.network_members(session, network_id):
        by_locale[r.locale or "nb"] = by_locale.get(r.locale or "nb", 0) + 1
    return by_locale


async def publish(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    draft: EventDraft,
    *,
    uid: str | None = None,
    now: datetime | None = None,
) -> tuple[EventView, outbox.Enqueued]:
    """Create the event and tell the network's members, in one transaction."""
    now = now or session_now(session)
    name = await _require_host(session, actor, draft.network_id)
    draft = _clean(draft, now)
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
        status=EventStatus.PUBLISHED,
        created_by=actor.resident_id,
        created_at=now,
        updated_at=now,
    )
    session.add(event)
    await session.flush()
    await q.replace_texts(session, event.id, draft.translations)
    view = _make_view(event, name, draft.translations, {}, None)
    enqueued = await outbox.enqueue(
        session,
        kind=NoticeKind.EVENT,
        recipients=await oq.network_members(session, draft.network_id),
        render=render_event(catalogs, view, NoticeKind.EVENT),
        zone=catalogs.zone,
        default_locale=catalogs.default_locale,
        network_id=draft.network_id,
        event_id=event.id,
        author_id=actor.resident_id,
        now=now,
    )
    await session.commit()
    return view, enqueued


async def _tell_attendees(
    session: AsyncSession, catalogs: Catalogs, view: EventView, kind: NoticeKind, now: datetime
) -> outbox.Enqueued:
    ids = await q.attendee_ids(session, view.id, (Answer.YES, Answer.MAYBE))
    return await outbox.enqueue(
        session,
        kind=kind,
        recipients=await oq.residents(session, ids),
        render=render_event(catalogs, view, kind),
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
) -> EventView:
    """Change an event; those who said coming or maybe are told what it looks like now."""
    now = now or session_now(session)
    event = await q.get(session, event_id)
    if event is None or event.status is EventStatus.CANCELLED:
        raise NotFound()
    name = await _require_host(session, actor, event.network_id)
    draft = _clean(replace(draft, network_id=event.network_id), now)
    event.title, event.description, event.place = draft.title, draft.description, draft.place
    event.starts_at, event.ends_at = draft.starts_at, draft.ends_at
    event.no_norwegian_needed, event.locale, event.updated_at = (
        draft.no_norwegian_needed,
        draft.locale,
        now,
    )
    await q.replace_texts(session, event.id, draft.translations)
    view = _make_view(event, name, draft.translations, {}, None)
    await _tell_attendees(session, catalogs, view, NoticeKind.EVENT_CHANGED, now)
    await session.commit()
    return await _view(session, event)


async def cancel(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    event_id: int,
    *,
    now: datetime | None = None,
) -> EventView:
    now = now or session_now(session)
    event = await q.get(session, event_id)
    if event is None:
        raise NotFound()
    name = await _require_host(session, actor, event.network_id)
    if event.status is not EventStatus.CANCELLED:
        event.status, event.updated_at = EventStatus.CANCELLED, now
        view = _make_view(
            event, name, (await q.texts(session, [event.id])).get(event.id, {}), {}, None
        )
        await _tell_attendees(session, catalogs, view, NoticeKind.EVENT_CANCELLED, now)
        await session.commit()
    return await _view(session, event)


async def attendees(session: AsyncSession, actor: Actor, event_id: int) -> list[tuple[str, Answer]]:
    """Who answered, first names only: for the network's hosts and coordinators."""
    event = await q.get(session, event_id)
    if event is None:
        raise NotFound()
    await _require_host(session, actor, event.network_id)
    return [(name, answer) for _, name, answer in await q.attendees(session, event_id)]


# ---- the member's side ------------------------------------------------------------------------


async def get(session: AsyncSession, actor: Actor, event_id: int) -> EventView:
    """An event of one of the actor's networks (or any, for a coordinator)."""
    event = await q.get(session, event_id)
    if event is None:
        raise NotFound()
    if not actor.is_coordinator:
        resident_id = actor.require_resident()
        if await nq.membership(session, resident_id, event.network_id) is None:
            raise NotFound()
    return await _view(session, event, actor.resident_id)


async def answer(
    session: AsyncSession, actor: Actor, event_id: int, reply: Answer, now: datetime | None = None
) -> EventView:
    """Record coming / maybe / can't come for a member of the event's network."""
    resident_id = actor.require_resident()
    event = await q.get(session, event_id)
    if event is None or await nq.membership(session, resident_id, event.network_id) is None:
        raise NotFound()
    if event.status is not EventStatus.PUBLISHED or (event.ends_at or event.starts_at) < (
        now or session_now(session)
    ):
        raise InvalidInput("event", "closed")
    await q.set_answer(session, event_id, resident_id, reply)
    await session.commit()
    return await _view(session, event, resident_id)


async def upcoming(
    session: AsyncSession,
    actor: Actor,
    offset: int = 0,
    limit: int = 5,
    now: datetime | None = None,
) -> tuple[list[EventView], int]:
    """Upcoming events in my networks, soonest first, with RSVP counts and my answer."""
    resident_id = actor.require_resident()
    found, total = await q.upcoming_for(
        session, resident_id, now or session_now(session), max(offset, 0), limit
    )
    ids = [e.id for e in found]
    texts, counts, mine = (
        await q.texts(session, ids),
        await q.counts(session, ids),
        await q.answers_of(session, resident_id, ids),
    )
    names = {n.network.id: n.network.name for n in await nq.listing(session, resident_id, True)}
    views = [
        _make_view(
            e,
            names.get(e.network_id, ""),
            texts.get(e.id, {}),
            counts.get(e.id, {}),
            mine.get(e.id),
        )
        for e in found
    ]
    return views, total


async def calendar(
    session: AsyncSession, actor: Actor, event_id: int, catalogs: Catalogs
) -> tuple[str, bytes]:
    """The event as an .ics file for the member's own calendar."""
    view = await get(session, actor, event_id)
    entry = CalendarEvent(
        uid=f"naboskap-event-{view.id}",
        title=view.title,
        starts_at=view.starts_at,
        ends_at=view.ends_at,
        place=view.place,
        description=view.description,
        cancelled=view.status is EventStatus.CANCELLED,
    )
    return f"naboskap-{view.id}.ics", event_file(entry, zone=catalogs.zone)


def _stored(rendered: Rendered) -> dict[str, str | None]:
    return {
        "text": rendered.text,
        "markup": rendered.markup_json(),
        "attachment": rendered.attachment,
    }


# ---- reminders and calendar imports -----------------------------------------------------------


async def send_due_reminders(
    session: AsyncSession, catalogs: Catalogs, hours: int, now: datetime | None = None
) -> int:
    """For events starting within `hours`, remind those who said they are coming, once.

    The reminder notice is unique per event (its dedupe key) and its deliveries unique per
    resident, so running this again (or in two processes) adds only late "coming" answers."""
    now = now or session_now(session)
    added = 0
    for event in await q.starting_between(session, now, now + timedelta(hours=hours)):
        ids = await q.attendee_ids(session, event.id, (Answer.YES,))
        if not ids:
            continue
        key = f"reminder:event:{event.id}"
        existing = await oq.notice_by_key(session, key)
        if existing is None:
            view = await _view(session, event)
            try:
                async with session.begin_nested():
                    result = await outbox.enqueue(
                        session,
                        kind=NoticeKind.REMINDER,
                        recipients=await oq.residents(session, ids),
                        render=render_event(catalogs, view, NoticeKind.REMINDER),
                        zone=catalogs.zone,
                        default_locale=catalogs.default_locale,
                        network_id=event.network_id,
                        event_id=event.id,
                        dedupe_key=key,
                        digest_hold=False,
                        now=now,
                    )
                added += sum(result.by_locale.values())
            except IntegrityError:
                continue  # another process made it first
        else:
            late = await oq.add_missing_deliveries(session, existing, ids, now)
            new = {(r.locale or catalogs.default_locale, r.channel) for r in late}
            new -= await oq.rendered(session, existing.id)
            if new:
                render = render_event(catalogs, await _view(session, event), NoticeKind.REMINDER)
                await oq.add_renderings(
                    session,
                    [
                        {
                            "notice_id": existing.id,
                            "locale": loc,
                            "channel": channel,
                            **_stored(render(loc, channel)),
                        }
                        for loc, channel in sorted(new)
                    ],
                )
            added += len(late)
    await session.commit()
    return added


@dataclass(frozen=True)
class CalendarImport:
    created: list[str]
    updated: list[str]
    cancelled: list[str]
    unchanged: int


async def import_calendar(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    network_id: int,
    entries: Sequence[CalendarEvent],
    *,
    locale: str = "nb",
    now: datetime | None = None,
) -> CalendarImport:
    """Create or update the network's events by calendar UID: new ones are announced, changed
    ones told to attendees, cancelled ones cancelled. Importing the same file twice changes
    nothing."""
    now = now or session_now(session)
    await _require_host(session, actor, network_id)
    created: list[str] = []
    updated: list[str] = []
    cancelled: list[str] = []
    unchanged = 0
    for entry in entries:
        existing = await q.by_uid(session, network_id, entry.uid)
        draft = EventDraft(
            network_id=network_id,
            title=entry.title[:TITLE_MAX],
            starts_at=entry.starts_at,
            ends_at=entry.ends_at,
            place=entry.place[:PLACE_MAX],
            description=entry.description[:DESCRIPTION_MAX],
            locale=locale,
        )
        if existing is None:
            if entry.cancelled or entry.starts_at < now:
                continue
            await publish(session, actor, catalogs, draft, uid=entry.uid, now=now)
            created.append(entry.uid)
        elif entry.cancelled:
            if existing.status is not EventStatus.CANCELLED:
                await cancel(session, actor, catalogs, existing.id, now=now)
                cancelled.append(entry.uid)
            else:
                unchanged += 1
        elif (
            existing.title,
            existing.starts_at,
            existing.ends_at,
            existing.place,
            existing.description,
        ) != (draft.title, draft.starts_at, draft.ends_at, draft.place, draft.description):
            await update(session, actor, catalogs, existing.id, draft, now=now)
            updated.append(entry.uid)
        else:
            unchanged += 1
    return CalendarImport(created, updated, cancelled, unchanged)
