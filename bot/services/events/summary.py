"""The summary of new events: once a day, every resident whose new-event notices the flood
guard held back (bot.services.events.flood) gets one message that counts and lists them, in
place of the notices: on Telegram with a button to the events, by SMS in two segments at most.

Once only: each resident's summary for a day is a notice with a unique dedupe key, written in
the same transaction that marks the held deliveries it tells as delivered (as the weekly digest
marks what it tells), so a second run, a restart or a second process sends nothing twice, and
the digest does not tell them again. Residents who chose "digest only" are left to the digest.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import outbox
from bot.delivery.messages import Button, Rendered
from bot.i18n import SHIPPED_LOCALES, Catalogs, Translator, native_digits
from bot.services.actions import MenuItem, OpenMenu
from bot.services.networks.views import NetworkName, network_names
from bot.sms_keywords import Command, shown
from bot.sms_segments import count, fit, gsm_safe
from bot.sms_texts import plain
from db.models import Channel, Event, EventStatus, NoticeKind
from db.queries import digests as dq
from db.queries import events as eq
from db.queries import new_events as q
from db.queries import outbox as oq
from db.queries.outbox import RecipientRow
from db.session import clock_of

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation

SUMMARY_AT = time(17, 0)  # local: after the working day, before the evening's events
PAGE = 500  # residents per transaction
LISTED = 5  # events a Telegram summary names; the rest are counted
SMS_SEGMENTS = 2
TITLE_CHARS = 40  # a title in an SMS list: whole, or cut at a word


@dataclass(frozen=True)
class Item:
    """One new event as a resident's summary lists it; `machine`: its title is
    machine-translated (the event's card has the original)."""

    title: str
    starts_at: datetime
    network: str
    machine: bool = False


@dataclass
class Result:
    sent: int = 0  # summaries written
    told: int = 0  # held deliveries they (or the check that the event is gone) accounted for


class _Taken(Exception):
    """Another process summarized some of this page first."""


def slot(now: datetime, zone: ZoneInfo, at: time = SUMMARY_AT) -> datetime:
    """The latest summary moment at or before `now`: `at` on the local wall clock, so 17:00
    stays 17:00 across a DST change."""
    local = now.astimezone(zone)
    day = local.date() if local.time() >= at else local.date() - timedelta(days=1)
    return datetime.combine(day, at, tzinfo=zone)


def dedupe_key(day: date, resident_id: int) -> str:
    return f"new-events:{day.isoformat()}:{resident_id}"


def _short(title: str) -> str:
    """A title as an SMS list shows it: whole, or its start to a word and "…" (gsm_safe makes
    it "..." where the rest is GSM)."""
    title = " ".join(title.split())
    if len(title) <= TITLE_CHARS:
        return title
    cut = title[: TITLE_CHARS - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > TITLE_CHARS // 2 else cut).rstrip(" ,.;:") + "…"


def _header(t: Translator, items: Sequence[Item], network: str | None) -> str:
    if network is not None:
        return t.ngettext(
            "🗓 New in {network}: {n} event",
            "🗓 New in {network}: {n} events",
            len(items),
            network=network,
        )
    return t.ngettext(
        "🗓 New in your networks: {n} event", "🗓 New in your networks: {n} events", len(items)
    )


def telegram(t: Translator, items: Sequence[Item], network: str | None) -> Rendered:
    """The header, the first few events (soonest first) and how many more, with a button to
    the events list where the resident can open each one."""
    name = None if network is None else html.escape(network)
    lines = ["<b>" + _header(t, items, name) + "</b>"]
    for item in items[:LISTED]:
        when = t.gettext(
            "{day} at {time}", day=t.format_day(item.starts_at), time=t.format_time(item.starts_at)
        )
        where = "" if network is not None else " · " + html.escape(item.network)
        robot = "🤖 " if item.machine else ""  # as the digest marks it
        lines.append(f"• {robot}<b>{html.escape(item.title)}</b>\n   {when}{where}")
    more = len(items) - LISTED
    if more > 0:
        lines.append(
            t.ngettext("…and {n} more event: /events", "…and {n} more events: /events", more)
        )
    buttons = ((Button(t.gettext("🗓 Events"), OpenMenu(MenuItem.EVENTS)),),)
    return Rendered("\n".join(lines), buttons)


def sms(t: Translator, items: Sequence[Item], network: str | None) -> Rendered:
    """Plain text in two segments at most: the count, as many events (day, time, title) as
    fit, how many more, and, never cut, the keyword that lists them all. Events are left out
    whole rather than cut, and counted."""
    head = " ".join(plain(_header(t, items, network)).split())
    tail = t.gettext("Send {events} for more.", events=shown(Command.EVENTS, t.locale))
    bits: list[str] = []

    def text(candidate: list[str]) -> str:
        return gsm_safe(" ".join([head, "; ".join(candidate)]).strip() + "\n" + tail)

    def add(bit: str) -> bool:
        if count(text([*bits, bit])).segments <= SMS_SEGMENTS:
            bits.append(bit)
            return True
        return False

    listed = 0
    for item in items:
        when = native_digits(
            format_skeleton("EEEHm", item.starts_at, tzinfo=t.zone, locale=t.locale), t.locale
        )
        if not add(f"{when} {_short(item.title)}"):
            break
        listed += 1
    more = len(items) - listed
    while more and listed and not add(t.ngettext("{n} more event", "{n} more events", more)):
        bits.pop()  # room for the count by one event fewer
        listed, more = listed - 1, more + 1
    whole = text(bits)
    if count(whole).segments > SMS_SEGMENTS:  # only with a very long network name
        whole = fit(gsm_safe(f"{head}\n{tail}"), SMS_SEGMENTS)
    return Rendered(whole)


def _render(
    catalogs: Catalogs,
    upcoming: list[Event],
    texts: dict[int, dict[str, tuple[str, str]]],
    names: dict[int, NetworkName],
    machine: dict[int, dict[str, str]],
) -> outbox.Render:
    """One resident's summary in their language and channel: titles as the host wrote them
    in that language where they did, else machine-translated where the cache has it (the
    notices it stands for were), network names as the hosts gave them."""
    networks = {e.network_id for e in upcoming}

    def render(locale: str, channel: Channel) -> Rendered:
        def name(network_id: int) -> str:
            return names.get(network_id, NetworkName("")).in_locale(locale)

        def item(event: Event) -> Item:
            written = texts.get(event.id, {}).get(locale)
            if written is not None:
                return Item(written[0], event.starts_at, name(event.network_id))
            translated = machine.get(event.id, {}).get(locale)
            if translated is not None:
                return Item(translated, event.starts_at, name(event.network_id), machine=True)
            return Item(event.title, event.starts_at, name(event.network_id))

        one = name(next(iter(networks))) if len(networks) == 1 else None
        write = sms if channel is Channel.SMS else telegram
        return write(catalogs.translator(locale), [item(e) for e in upcoming], one)

    return render


async def machine_titles(
    machine: MachineTranslation | None, events: Sequence[Event]
) -> dict[int, dict[str, str]]:
    """Event id -> locale -> the title machine-translated, from the cache alone (a summary
    round must not wait on a translator): the events' notices asked for them when they were
    held, so a newcomer's summary names them in the words those notices used."""
    if machine is None or not machine.enabled:
        return {}
    by_source: dict[str, list[Event]] = {}
    for event in events:
        by_source.setdefault(event.locale, []).append(event)
    found: dict[int, dict[str, str]] = {}
    for source, group in by_source.items():
        cached = await machine.cached_each([e.title for e in group], source, SHIPPED_LOCALES)
        for target, titles in cached.items():
            for event in group:
                if (title := titles.get(event.title)) is not None:
                    found.setdefault(event.id, {})[target] = title
    return found


class SummaryJob:
    """Writes the day's summaries of new events. Run at the summary moment and again now and
    then (see bot.scheduler): a run finds only what the latest moment's summaries have not
    told yet, so a missed run is caught up and a repeated one sends nothing."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        catalogs: Catalogs,
        *,
        at: time = SUMMARY_AT,
        page: int = PAGE,
        machine: MachineTranslation | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.catalogs = catalogs
        self.at = at
        self.page = page
        self.machine = machine

    async def __call__(self, now: datetime | None = None) -> Result:
        now = now or clock_of(self.sessionmaker)()
        moment = slot(now, self.catalogs.zone, self.at)
        result = Result()
        after, retries = 0, 0
        while True:
            async with self.sessionmaker() as session:
                ids = await q.residents_with_held(session, moment, after, self.page)
                if not ids:
                    break
                try:
                    done = await self._page(session, ids, moment, now)
                except (IntegrityError, _Taken):
                    # Another process summarized some of these residents first: this page
                    # again, which now leaves those out.
                    await session.rollback()
                    retries += 1
                    if retries > 3:
                        raise
                    continue
            retries, after = 0, ids[-1]
            result.sent += done.sent
            result.told += done.told
        return result

    async def _page(
        self, session: AsyncSession, ids: list[int], moment: datetime, now: datetime
    ) -> Result:
        result = Result()
        day = moment.date()
        keys = {resident_id: dedupe_key(day, resident_id) for resident_id in ids}
        summarized = await q.existing_keys(session, list(keys.values()))
        todo = [resident_id for resident_id in ids if keys[resident_id] not in summarized]
        rows = await q.held(session, todo, moment)
        recipients = {r.resident_id: r for r in await oq.residents(session, todo)}
        event_ids = sorted({r.event_id for r in rows if r.event_id is not None})
        events = {e.id: e for e in await dq.events_by_id(session, event_ids)}
        texts = await eq.texts(session, event_ids)
        names = await network_names(session, {e.network_id for e in events.values()})
        # Read before this session writes: the cache is read in sessions of its own.
        machine = await machine_titles(self.machine, list(events.values()))
        by_resident: dict[int, list[q.HeldEvent]] = {}
        for row in rows:
            by_resident.setdefault(row.resident_id, []).append(row)
        for resident_id, held in by_resident.items():
            recipient = recipients.get(resident_id)
            if recipient is None:
                continue  # not reachable now: left held, for a later summary or the digest
            # Events cancelled or begun since they were announced are left out, but their
            # deliveries are accounted for all the same: there is nothing left to tell.
            wanted = {r.event_id for r in held if r.event_id is not None}
            upcoming = sorted(
                (
                    events[i]
                    for i in wanted
                    if i in events
                    and events[i].status is EventStatus.PUBLISHED
                    and events[i].starts_at > now
                ),
                key=lambda e: (e.starts_at, e.id),
            )
            if upcoming:
                render = _render(self.catalogs, upcoming, texts, names, machine)
                networks = {e.network_id for e in upcoming}
                one = networks.pop() if len(networks) == 1 else None
                await self._enqueue(session, recipient, render, one, keys[resident_id], now)
                result.sent += 1
            told = [r.delivery_id for r in held]
            changed = await q.mark_summarized(session, told, now, f"summary:{day.isoformat()}")
            if changed != len(told):
                raise _Taken()
            result.told += len(told)
        await session.commit()
        return result

    async def _enqueue(
        self,
        session: AsyncSession,
        recipient: RecipientRow,
        render: outbox.Render,
        network_id: int | None,
        key: str,
        now: datetime,
    ) -> None:
        await outbox.enqueue(
            session,
            kind=NoticeKind.NEW_EVENTS,
            recipients=[recipient],
            render=render,
            zone=self.catalogs.zone,
            default_locale=self.catalogs.default_locale,
            network_id=network_id,
            dedupe_key=key,
            # The summary is what was held: it is not held again (and waits out quiet hours).
            digest_hold=False,
            now=now,
        )
