"""The monthly report to coordinators: at 08:00 (local) on the 1st, each coordinator who
turned it on in /settings gets last month's report (bot.services.insight.report) as an HTML
file in the chat, through the outbox.

Once only: each coordinator's report for a month is a notice with a unique dedupe key, so a
second run, a restart or a second process sends nothing twice. The job looks again every 15
minutes for the first three days of the month, so a report missed while nothing ran goes out
when we are back, and a coordinator who turns the report on in those days gets it too.

The notice is short text with the attachment `insight-report:<YYYY-MM>:<locale>`;
`ReportFiles`, one of the senders' attachment resolvers (bot.services.attachments), makes the
page when the worker sends it, once per month and language, kept for the next coordinator:
the outbox holds no copy of a page of charts, and the figures are as of the moment it goes."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from bot.delivery import outbox
from bot.delivery.messages import Rendered
from bot.i18n import Catalogs, Translator
from bot.services.insight.periods import month_name
from bot.services.insight.report import Draw, build_report, file_name
from bot.services.made_files import MadeFiles
from db.models import Channel, NoticeKind
from db.queries import outbox as oq
from db.session import clock_of, session_now

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger("naboskap.insight")

SEND_AT = time(8, 0)  # local, on the 1st: the start of a working day, after quiet hours
CATCH_UP = timedelta(days=3)  # how long after SEND_AT a missed report still goes out
PREFIX = "insight-report"
KEPT = 8  # reports kept by one resolver (a month in a few languages)


def previous_month(day: date) -> date:
    """The first day of the month before `day`'s."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def due_month(
    now: datetime, zone: ZoneInfo, at: time = SEND_AT, catch_up: timedelta = CATCH_UP
) -> date | None:
    """The month whose report is due at `now` (its first day): last month, from `at` on the
    1st (local wall clock, so 08:00 stays 08:00 across DST) for `catch_up`; else None."""
    local = now.astimezone(zone)
    first = datetime.combine(local.date().replace(day=1), at, tzinfo=zone)
    if not first <= local < first + catch_up:
        return None
    return previous_month(local.date())


def dedupe_key(month: date, resident_id: int) -> str:
    return f"monthly-report:{month:%Y-%m}:{resident_id}"


def attachment_name(month: date, locale: str) -> str:
    """The rendering's attachment for a month's report in `locale` (at most 40 characters)."""
    return f"{PREFIX}:{month:%Y-%m}:{locale}"


def parse_attachment(name: str) -> tuple[date, str] | None:
    parts = name.split(":")
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    year, _, number = parts[1].partition("-")
    if not (year.isdecimal() and number.isdecimal() and 1 <= int(number) <= 12):
        return None
    return date(int(year), int(number), 1), parts[2]


def report_text(t: Translator, month: date) -> str:
    """The message the report file comes with (its caption: well under 1024 characters)."""
    title = t.gettext("📈 Monthly report: {period}", period=month_name(month, t))
    body = t.gettext(
        "Last month in all networks: members, reach by language and channel, notices, help, "
        "events, polls and volunteering. Open the file in a browser; you can print it or "
        "pass it on as it is."
    )
    why = t.gettext("You get this on the 1st of each month because you turned it on in /settings.")
    return f"<b>{html.escape(title)}</b>\n\n{html.escape(body)}\n\n<i>{html.escape(why)}</i>"


def report_notice(catalogs: Catalogs, month: date) -> outbox.Render:
    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        return Rendered(report_text(t, month), attachment=attachment_name(month, locale))

    return render


async def send_reports(
    session: AsyncSession,
    catalogs: Catalogs,
    coordinator_ids: Collection[int],
    month: date,
    now: datetime | None = None,
) -> int:
    """Queue `month`'s report for each coordinator who turned it on and has not had it yet,
    on Telegram (a page of charts is no SMS). Commits each; the number queued."""
    now = now or session_now(session)
    readers = await oq.report_readers(session, coordinator_ids)
    queued = 0
    for reader in readers:
        if reader.channel is not Channel.TELEGRAM:
            continue
        key = dedupe_key(month, reader.resident_id)
        if await oq.notice_by_key(session, key) is not None:
            continue
        try:
            await outbox.enqueue(
                session,
                kind=NoticeKind.MONTHLY_REPORT,
                recipients=[reader],
                render=report_notice(catalogs, month),
                zone=catalogs.zone,
                default_locale=catalogs.default_locale,
                dedupe_key=key,
                # Asked for, for work: not held for the weekly digest; quiet hours still apply.
                digest_hold=False,
                now=now,
            )
            await session.commit()
        except IntegrityError:  # another process queued it a moment ago
            await session.rollback()
            continue
        queued += 1
    return queued


class MonthlyReportJob:
    """The scheduler's job: on the 1st from 08:00, and again every few minutes for three
    days, queue last month's report for whoever should have it and has not."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        catalogs: Catalogs,
        coordinator_ids: Collection[int] = frozenset(),
        at: time = SEND_AT,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.catalogs = catalogs
        self.coordinator_ids = frozenset(coordinator_ids)
        self.at = at
        # The cron and catch-up triggers may fire together; one run at a time is enough.
        self._running = asyncio.Lock()

    async def __call__(self, now: datetime | None = None) -> int | None:
        """How many reports were queued; None when none is due (not the first days of a
        month, or a run already under way)."""
        now = now or clock_of(self.sessionmaker)()
        month = due_month(now, self.catalogs.zone, self.at)
        if month is None or self._running.locked():
            return None
        async with self._running, self.sessionmaker() as session:
            queued = await send_reports(session, self.catalogs, self.coordinator_ids, month, now)
        if queued:
            log.info("monthly report %s: queued for %d coordinators", f"{month:%Y-%m}", queued)
        return queued


class ReportFiles:
    """The senders' `attachments` for monthly reports: `insight-report:<YYYY-MM>:<locale>`
    → the HTML page, for all networks. Made once per month and language and kept (the few
    coordinators who read it in one language get the same page)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        catalogs: Catalogs,
        *,
        min_group: int = 5,
        municipality: str = "",
        draw: Draw | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.catalogs = catalogs
        self.min_group = min_group
        self.municipality = municipality
        self.draw = draw
        self._files = MadeFiles(KEPT)

    async def __call__(self, name: str) -> tuple[str, bytes] | None:
        parsed = parse_attachment(name)
        if parsed is None:
            return None
        month, locale = parsed

        async def make() -> bytes:
            async with self.sessionmaker() as session:
                made = await build_report(
                    session,
                    self.catalogs.translator(locale),
                    month,
                    min_group=self.min_group,
                    made=session_now(session),
                    municipality=self.municipality,
                    draw=self.draw,
                )
            return made.html.encode("utf-8")

        found = await self._files.get(name, make)
        return None if found is None else (file_name(month), found)
