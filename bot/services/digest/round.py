"""A digest round: one week's digests made and enqueued a page of residents at a time.

Once only: a row in `digests` per resident and ISO week is written in the same transaction as
the digest's delivery, so running the round twice, restarting it halfway or running it in two
processes sends each digest once. Residents with the same digest share one notice and
rendering, remembered in a bounded table so memory stays flat.
"""

from __future__ import annotations

import hashlib
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.messages import Rendered
from bot.delivery.quiet_hours import DEFAULT_END, DEFAULT_START, release_time
from bot.i18n import Catalogs
from bot.services.digest.content import Content, gather
from bot.services.digest.schedule import week_of
from bot.services.digest.week import WINDOW, Week, WeekEvent, add_machine_titles, read_week
from bot.services.digest.writer import Writer
from db.models import Channel, DeliveryStatus, EventStatus, NoticeKind
from db.queries import digests as q
from db.queries import outbox as oq
from db.session import clock_of, session_now

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation

PAGE = 500  # residents per transaction
# Distinct digest texts remembered per round so residents with the same digest share one
# notice and rendering; bounded, so memory stays flat however many residents there are.
SHARED_TEXTS = 5000


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
        machine: MachineTranslation | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.machine = machine
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
                r.locale,
            )
            for r in page
        ]

    async def preview(self, resident: q.DigestResident) -> Preview:
        async with self.sessionmaker() as session:
            week = await read_week(
                session, week_of(self.now, self.catalogs.zone), self.now, self.municipality
            )
            await add_machine_titles(week, self.machine)
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
        await add_machine_titles(week, self.machine)
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
        notice_ids = await oq.add_notices(
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
        releases: dict[tuple[int, int], datetime] = {}  # by quiet window: one zone sum each
        for resident, content, key, existing in todo:
            notice_id = existing if existing is not None else written[key]
            window = (
                DEFAULT_START if resident.quiet_start is None else resident.quiet_start,
                DEFAULT_END if resident.quiet_end is None else resident.quiet_end,
            )
            if window not in releases:
                releases[window] = release_time(self.now, self.catalogs.zone, *window)
            deliveries.append(
                {
                    "notice_id": notice_id,
                    "resident_id": resident.id,
                    "channel": _channel(resident),
                    "locale": resident.locale or self.catalogs.default_locale,
                    "status": DeliveryStatus.PENDING,
                    "attempts": 0,
                    "not_before": releases[window],
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
