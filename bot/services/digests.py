"""The weekly digest: one short letter per resident about the coming week near them.

A digest holds the coming week's events in the resident's networks (with RSVP counts and the
"no Norwegian needed" mark), open help requests they could answer (from their offers), what
changed in their networks, and everything held back for them (digest-only residents, weekly
helpers). Empty digests are not sent.

Once only: a row in `digests` per resident and ISO week is written in the same transaction as
the digest's delivery, so running the round twice, restarting it halfway or running it in two
processes sends each digest once. Digests go through the outbox like every other notice, so
pacing, quiet hours, retries and the SMS channel apply.

Residents are handled a page at a time; what the week shares (events, requests, news) is read
once and rendered once per language, so a round's memory does not grow with the residents.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.messages import Button, Rendered
from bot.delivery.quiet_hours import DEFAULT_END, DEFAULT_START, release_time
from bot.i18n import Catalogs, Translator
from bot.services.actions import MenuItem, OpenMenu
from bot.services.help import category_label
from bot.sms_segments import fit
from db.models import (
    Answer,
    Channel,
    DeliveryStatus,
    Event,
    EventStatus,
    HelpCategory,
    HelpRequest,
    NoticeKind,
)
from db.queries import digests as q
from db.queries import events as eq
from db.queries import outbox as oq
from db.session import clock_of, session_now

WINDOW = timedelta(days=7)  # "the coming week", from the moment the digest is made
CATCH_UP = timedelta(days=2)  # a round missed by downtime is still worth sending this late
PAGE = 500  # residents per transaction
MAX_EVENTS = 8
MAX_MESSAGES = 5
MAX_REQUESTS = 5
MAX_LATER = 5
EXCERPT = 160
TELEGRAM_LIMIT = 4096
SMS_SEGMENTS = 2
# Distinct digest texts remembered per round so residents with the same digest share one
# notice and rendering; bounded, so memory stays flat however many residents there are.
SHARED_TEXTS = 5000


# ---- which week ---------------------------------------------------------------------------------


def week_of(moment: datetime, zone: ZoneInfo) -> str:
    """The ISO week ("2026-W48") that `moment` falls in, on the local calendar."""
    year, week, _ = moment.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def _wall(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time as a UTC moment. A time skipped by the spring DST change is
    taken as the first moment after the gap; a repeated autumn time as its first occurrence."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def latest_slot(now: datetime, zone: ZoneInfo, weekday: int, at: time) -> datetime:
    """The most recent scheduled digest moment at or before `now` (UTC)."""
    local = now.astimezone(zone)
    back = (local.weekday() - weekday) % 7
    slot = _wall(local.date() - timedelta(days=back), at, zone)
    return slot if slot <= now else _wall(local.date() - timedelta(days=back + 7), at, zone)


def due_week(now: datetime, zone: ZoneInfo, weekday: int, at: time) -> str | None:
    """The week whose digest round is due now: that of the latest slot, while it is recent
    enough to catch up after downtime; None when no round is due."""
    slot = latest_slot(now, zone, weekday, at)
    return week_of(slot, zone) if now - slot <= CATCH_UP else None


# ---- what the week holds --------------------------------------------------------------------


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


@dataclass
class Content:
    """One resident's digest before it is put into words."""

    events: list[WeekEvent] = field(default_factory=list)
    more_events: int = 0
    messages: list[tuple[str, str]] = field(default_factory=list)  # (from, text)
    more_messages: int = 0
    later: list[WeekEvent] = field(default_factory=list)
    requests: list[HelpRequest] = field(default_factory=list)
    more_requests: int = 0
    news: list[tuple[str, int, int]] = field(default_factory=list)
    held: list[int] = field(default_factory=list)  # held deliveries this digest tells

    @property
    def empty(self) -> bool:
        return not (self.events or self.messages or self.later or self.requests or self.news)


def gather(
    week: Week,
    resident_id: int,
    networks: list[int],
    offers: set[tuple[int, HelpCategory]],
    blocked: set[int],
    held: list[q.HeldRow],
) -> Content:
    content = Content()
    mine = set(networks)
    events = sorted(
        (e for n in mine for e in week.events.get(n, [])),
        key=lambda e: (e.event.starts_at, e.event.id),
    )
    content.events, content.more_events = events[:MAX_EVENTS], max(len(events) - MAX_EVENTS, 0)
    shown = {e.event.id for e in events}

    requests = [
        r
        for key in offers
        if key[0] in mine
        for r in week.requests.get(key, [])
        if r.requester_id != resident_id and r.requester_id not in blocked
    ]
    requests.sort(key=lambda r: r.created_at, reverse=True)
    content.requests = requests[:MAX_REQUESTS]
    content.more_requests = max(len(requests) - MAX_REQUESTS, 0)

    messages: list[tuple[str, str]] = []
    for row in held:
        content.held.append(row.delivery_id)
        if row.kind is NoticeKind.BROADCAST and row.body:
            sender = week.names.get(row.network_id or 0, week.municipality)
            messages.append((sender, row.body))
        elif row.kind is NoticeKind.EVENT and row.event_id is not None:
            later = week.later.get(row.event_id)
            if later is not None and row.event_id not in shown:
                content.later.append(later)
                shown.add(row.event_id)
        # Held help requests are in the requests above while they are still open.
    content.messages, content.more_messages = (
        messages[:MAX_MESSAGES],
        max(len(messages) - MAX_MESSAGES, 0),
    )
    content.later = sorted(content.later, key=lambda e: e.event.starts_at)[:MAX_LATER]
    content.news = [
        (week.names.get(n, ""), *week.news[n])
        for n in sorted(mine, key=lambda n: week.names.get(n, ""))
        if n in week.news
    ]
    return content


# ---- putting it into words --------------------------------------------------------------------


def _excerpt(text: str, limit: int = EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Writer:
    """Renders digests. Lines that many residents share (an event in one language) are
    formatted once per round: Babel's date formatting is the costly part."""

    def __init__(self, catalogs: Catalogs) -> None:
        self.catalogs = catalogs
        self._lines: dict[tuple[str, str, int], str] = {}

    def _once(self, kind: str, locale: str, key: int, make: Callable[[], str]) -> str:
        line = self._lines.get((kind, locale, key))
        if line is None:
            line = self._lines[(kind, locale, key)] = make()
        return line

    def _event(self, t: Translator, item: WeekEvent, network: str) -> str:
        def make() -> str:
            event = item.event
            when = t.gettext(
                "{day} at {time}",
                day=t.format_day(event.starts_at),
                time=t.format_time(event.starts_at),
            )
            line = f"• <b>{html.escape(item.title_for(t.locale))}</b>\n   {when} · "
            line += html.escape(network)
            marks = []
            if item.yes or item.maybe:
                marks.append(f"✅ {t.number(item.yes)} · 🤔 {t.number(item.maybe)}")
            if event.no_norwegian_needed:
                marks.append("🌍 " + t.gettext("No Norwegian needed"))
            return line + ("\n   " + " · ".join(marks) if marks else "")

        return self._once("event", t.locale, item.event.id, make)

    def _request(self, t: Translator, request: HelpRequest, network: str) -> str:
        def make() -> str:
            return (
                f"• {category_label(t, HelpCategory(request.category))} · {html.escape(network)}"
                f"\n   {html.escape(_excerpt(request.description))}"
            )

        return self._once("request", t.locale, request.id, make)

    def _header(self, t: Translator, week: Week) -> str:
        def make() -> str:
            first, last = week.now, week.now + WINDOW - timedelta(days=1)
            period = t.gettext(
                "{first} to {last}", first=t.format_day(first), last=t.format_day(last)
            )
            title = t.gettext("📰 Your week in the neighbourhood")
            return f"<b>{title}</b>\n<i>{period}</i>"

        return self._once("header", t.locale, 0, make)

    def _news(self, t: Translator, name: str, joined: int, helped: int) -> str:
        def make() -> str:
            bits = []
            if joined:
                bits.append(t.ngettext("{n} new member", "{n} new members", joined))
            if helped:
                bits.append(t.ngettext("{n} neighbour got help", "{n} neighbours got help", helped))
            return f"• {html.escape(name)}: " + ", ".join(bits)

        return self._once(f"news:{name}:{joined}", t.locale, helped, make)

    def _later(self, t: Translator, item: WeekEvent) -> str:
        def make() -> str:
            title = html.escape(item.title_for(t.locale))
            return f"• {title} · {t.format_day(item.event.starts_at)}"

        return self._once("later", t.locale, item.event.id, make)

    def telegram(self, t: Translator, week: Week, content: Content) -> Rendered:
        parts = [self._header(t, week)]
        if content.events:
            lines = ["<b>" + t.gettext("🗓 Coming up") + "</b>"]
            lines += [
                self._event(t, e, week.names.get(e.event.network_id, "")) for e in content.events
            ]
            if content.more_events:
                lines.append(
                    t.ngettext(
                        "…and {n} more event: /events",
                        "…and {n} more events: /events",
                        content.more_events,
                    )
                )
            parts.append("\n".join(lines))
        if content.messages:
            lines = ["<b>" + t.gettext("📣 From your hosts") + "</b>"]
            lines += [
                f"<b>{html.escape(sender)}:</b> {html.escape(_excerpt(text, 300))}"
                for sender, text in content.messages
            ]
            if content.more_messages:
                lines.append(
                    t.ngettext(
                        "…and {n} more message", "…and {n} more messages", content.more_messages
                    )
                )
            parts.append("\n".join(lines))
        if content.later:
            lines = ["<b>" + t.gettext("🗓 Announced for later") + "</b>"]
            lines += [self._later(t, e) for e in content.later]
            parts.append("\n".join(lines))
        if content.requests:
            lines = ["<b>" + t.gettext("🤝 You could help") + "</b>"]
            lines += [
                self._request(t, r, week.names.get(r.network_id, "")) for r in content.requests
            ]
            if content.more_requests:
                lines.append(
                    t.ngettext(
                        "…and {n} more request: /requests",
                        "…and {n} more requests: /requests",
                        content.more_requests,
                    )
                )
            else:
                lines.append(t.gettext("Answer them in /requests."))
            parts.append("\n".join(lines))
        if content.news:
            lines = ["<b>" + t.gettext("🏘 In your networks") + "</b>"]
            lines += [self._news(t, name, j, h) for name, j, h in content.news]
            parts.append("\n".join(lines))
        parts.append("<i>" + t.gettext("You can turn the digest off in /settings.") + "</i>")
        text = "\n\n".join(parts)
        if len(text) > TELEGRAM_LIMIT:  # only with very long network names; never cut a tag
            text = "\n\n".join([parts[0], *parts[1:3], parts[-1]])[:TELEGRAM_LIMIT]
            text = text[: text.rfind("\n")]
        buttons = (
            (
                Button(t.gettext("🗓 Events"), OpenMenu(MenuItem.EVENTS)),
                Button(t.gettext("⚙️ Settings"), OpenMenu(MenuItem.SETTINGS)),
            ),
        )
        return Rendered(text, buttons)

    def sms(self, t: Translator, week: Week, content: Content) -> Rendered:
        """Plain text in two segments at most: the events first, then what else there is."""
        bits = []
        for item in content.events + content.later:
            when = format_skeleton("EEEHm", item.event.starts_at, tzinfo=t.zone, locale=t.locale)
            bits.append(f"{when} {item.title_for(t.locale)}")
        counts = []
        if content.more_events:
            counts.append(t.ngettext("{n} more event", "{n} more events", content.more_events))
        if content.requests:
            n = len(content.requests) + content.more_requests
            counts.append(t.ngettext("{n} asks for help", "{n} ask for help", n))
        if content.messages:
            n = len(content.messages) + content.more_messages
            counts.append(t.ngettext("{n} message", "{n} messages", n))
        head = t.gettext("Naboskap this week:")
        text = " ".join([head, "; ".join(bits + counts)]) if bits or counts else head
        return Rendered(fit(_plain(text), SMS_SEGMENTS))


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# ---- a round ----------------------------------------------------------------------------------


@dataclass
class Summary:
    week: str
    sent: int = 0
    empty: int = 0
    already: int = 0
    by_locale: Counter[str] = field(default_factory=Counter)
    dry_run: bool = False


@dataclass(frozen=True)
class Preview:
    resident: q.DigestResident
    channel: Channel
    rendered: Rendered | None  # None: nothing to tell this week, so nothing is sent


class _Shared:
    """Notices already written this round, by their text: residents with the same digest
    share one notice and rendering. An LRU, so the table stays small."""

    def __init__(self) -> None:
        self.ids: OrderedDict[bytes, int] = OrderedDict()

    @staticmethod
    def key(channel: Channel, locale: str, rendered: Rendered) -> bytes:
        raw = f"{channel}\0{locale}\0{rendered.text}\0{rendered.markup_json()}"
        return hashlib.blake2b(raw.encode(), digest_size=16).digest()

    def get(self, key: bytes) -> int | None:
        found = self.ids.get(key)
        if found is not None:
            self.ids.move_to_end(key)
        return found

    def put(self, key: bytes, notice_id: int) -> None:
        self.ids[key] = notice_id
        if len(self.ids) > SHARED_TEXTS:
            self.ids.popitem(last=False)


def _channel(resident: q.DigestResident) -> Channel:
    return Channel.TELEGRAM if resident.telegram_id is not None else Channel.SMS


class Round:
    """One week's digests, made and enqueued page by page."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        catalogs: Catalogs,
        *,
        municipality: str,
        now: datetime | None = None,
        page: int = PAGE,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.catalogs = catalogs
        self.municipality = municipality
        self.now = now or clock_of(sessionmaker)()
        self.page = page
        self.writer = Writer(catalogs)
        self.shared = _Shared()

    def render(self, week: Week, resident: q.DigestResident, content: Content) -> Rendered:
        t = self.catalogs.translator(resident.locale)
        if _channel(resident) is Channel.SMS:
            return self.writer.sms(t, week, content)
        return self.writer.telegram(t, week, content)

    async def _contents(
        self, session: AsyncSession, week: Week, page: list[q.DigestResident]
    ) -> list[Content]:
        ids = [r.id for r in page]
        networks = await q.memberships(session, ids)
        offers = await q.offers(session, ids)
        blocks = await q.blocks(session, ids)
        held_rows = await q.held(session, ids)
        held: dict[int, list[q.HeldRow]] = {}
        for row in held_rows:
            held.setdefault(row.resident_id, []).append(row)
        later_ids = {
            r.event_id
            for r in held_rows
            if r.kind is NoticeKind.EVENT
            and r.event_id is not None
            and r.event_id not in week.later
        }
        for event in await q.events_by_id(session, list(later_ids)):
            if event.status == EventStatus.PUBLISHED and event.starts_at >= week.now + WINDOW:
                week.later[event.id] = WeekEvent(event, {}, 0, 0)
        return [
            gather(
                week,
                r.id,
                networks.get(r.id, []),
                offers.get(r.id, set()),
                blocks.get(r.id, set()),
                held.get(r.id, []),
            )
            for r in page
        ]

    async def preview(self, resident: q.DigestResident) -> Preview:
        async with self.sessionmaker() as session:
            week = await read_week(
                session, week_of(self.now, self.catalogs.zone), self.now, self.municipality
            )
            [content] = await self._contents(session, week, [resident])
        rendered = None if content.empty else self.render(week, resident, content)
        return Preview(resident, _channel(resident), rendered)

    async def run(
        self,
        week_key: str,
        *,
        dry_run: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> Summary:
        """Make and enqueue `week_key`'s digests for everyone due. `progress` is told how many
        residents each page handled."""
        summary = Summary(week_key, dry_run=dry_run)
        async with self.sessionmaker() as session:
            summary.already = await q.count_done(session, week_key)
            if not dry_run:
                await q.release_held_without_digest(session, self.now)
                await q.start_run(session, week_key, self.now)
                await session.commit()
            week = await read_week(session, week_key, self.now, self.municipality)
        after, retries = 0, 0
        while True:
            async with self.sessionmaker() as session:
                page = await q.due_page(session, week_key, after, self.page)
                if not page:
                    break
                try:
                    done = await self._page(session, week, page, dry_run)
                except IntegrityError:
                    # Another process wrote some of these digests first: this page again,
                    # without the ones it already has.
                    await session.rollback()
                    retries += 1
                    if retries > 3:
                        raise
                    continue
            retries, after = 0, page[-1].id
            summary.sent += done.sent
            summary.empty += done.empty
            summary.by_locale.update(done.by_locale)
            if progress is not None:
                progress(len(page))
        if not dry_run:
            async with self.sessionmaker() as session:
                await q.finish_run(session, week_key, session_now(session))
                await session.commit()
        return summary

    async def _page(
        self,
        session: AsyncSession,
        week: Week,
        page: list[q.DigestResident],
        dry_run: bool,
    ) -> Summary:
        summary = Summary(week.week, dry_run=dry_run)
        contents = await self._contents(session, week, page)
        todo: list[tuple[q.DigestResident, Content, bytes, int | None]] = []
        new: dict[bytes, tuple[q.DigestResident, Rendered]] = {}
        for resident, content in zip(page, contents, strict=True):
            if content.empty:
                summary.empty += 1
                continue
            rendered = self.render(week, resident, content)
            locale = resident.locale or self.catalogs.default_locale
            key = _Shared.key(_channel(resident), locale, rendered)
            existing = self.shared.get(key)
            if existing is None and key not in new:
                new[key] = (resident, rendered)
            todo.append((resident, content, key, existing))
            summary.by_locale[locale] += 1
        summary.sent += len(todo)
        if dry_run or not todo:
            return summary
        keys = list(new)
        notice_ids = await q.add_notices(
            session,
            [{"kind": NoticeKind.DIGEST, "body": "", "created_at": self.now} for _ in keys],
        )
        await oq.add_renderings(
            session,
            [
                {
                    "notice_id": notice_id,
                    "locale": new[key][0].locale or self.catalogs.default_locale,
                    "channel": _channel(new[key][0]),
                    "text": new[key][1].text,
                    "markup": new[key][1].markup_json(),
                    "attachment": None,
                }
                for key, notice_id in zip(keys, notice_ids, strict=True)
            ],
        )
        written = dict(zip(keys, notice_ids, strict=True))
        deliveries, digests = [], []
        told: list[int] = []
        for resident, content, key, existing in todo:
            notice_id = existing if existing is not None else written[key]
            start = DEFAULT_START if resident.quiet_start is None else resident.quiet_start
            end = DEFAULT_END if resident.quiet_end is None else resident.quiet_end
            deliveries.append(
                {
                    "notice_id": notice_id,
                    "resident_id": resident.id,
                    "channel": _channel(resident),
                    "locale": resident.locale or self.catalogs.default_locale,
                    "status": DeliveryStatus.PENDING,
                    "attempts": 0,
                    "not_before": release_time(self.now, self.catalogs.zone, start, end),
                }
            )
            digests.append(
                {
                    "resident_id": resident.id,
                    "week": week.week,
                    "notice_id": notice_id,
                    "created_at": self.now,
                }
            )
            told += content.held
        await q.add_digests(session, digests)
        await oq.add_deliveries(session, deliveries)
        await q.mark_held_sent(session, told, week.week, self.now)
        await session.commit()
        # Only now are the new notices real; a rolled-back page must not be shared from.
        for key, notice_id in written.items():
            self.shared.put(key, notice_id)
        return summary
