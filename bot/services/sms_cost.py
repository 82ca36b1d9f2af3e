"""What SMS cost: estimates for a host's preview, the monthly segment budget, and the notice
that tells hosts and coordinators when the budget is used up.

Estimates are made from the SMS text that would actually be sent (`to_sms` of the rendering in
each language), so a Ukrainian notice in UCS-2 shows its real two or three segments next to
the Norwegian one's single GSM segment.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_currency
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.delivery import outbox
from bot.delivery.messages import Rendered
from bot.i18n import NATIVE_NAMES, Catalogs, Translator
from bot.services.actors import Actor
from bot.services.errors import NotFound, PermissionDenied
from bot.sms_segments import count
from bot.sms_texts import to_sms
from db.models import Channel, DeliveryStatus, MemberRole, NoticeKind, NotifyMode
from db.queries import networks as nq
from db.queries import outbox as q
from db.queries import sms_cost as cq
from db.session import session_now

CURRENCY = "NOK"

# Answers to what a resident sent us and confirmations they are waiting for: these go out even
# when the month's budget is used up. Everything else waits for the next month.
ESSENTIAL = frozenset(
    {
        NoticeKind.SMS_REPLY,
        NoticeKind.SMS_STOPPED,
        NoticeKind.SMS_WELCOME,
        NoticeKind.PHONE_CODE,
        NoticeKind.HELP_RELAY,
        NoticeKind.EVENT_CHANGED,
        NoticeKind.EVENT_CANCELLED,
        NoticeKind.REMINDER,
    }
)


def is_essential(kind: NoticeKind | None) -> bool:
    return kind is None or kind in ESSENTIAL


@dataclass(frozen=True)
class SmsCosts:
    """The SMS settings that matter for cost: from `Settings`."""

    enabled: bool
    price: Decimal  # NOK per segment
    monthly_segments: int | None  # None: no budget
    zone: ZoneInfo

    @classmethod
    def from_settings(cls, settings: Settings) -> SmsCosts:
        return cls(
            enabled=settings.sms_gateway is not None,
            price=Decimal(str(settings.sms_price_per_segment)),
            monthly_segments=settings.sms_monthly_segments,
            zone=settings.zone,
        )


def month_bounds(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The start of `now`'s calendar month in `zone` and the start of the next one (aware)."""
    local = now.astimezone(zone)
    start = datetime(local.year, local.month, 1, tzinfo=zone)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return start, datetime(year, month, 1, tzinfo=zone)


def money(t: Translator, amount: Decimal) -> str:
    return str(format_currency(amount, CURRENCY, locale=t.locale))


# ---- estimates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LanguageCost:
    locale: str
    recipients: int
    segments: int  # what one SMS costs in this language

    @property
    def total(self) -> int:
        return self.recipients * self.segments


@dataclass(frozen=True)
class Estimate:
    languages: tuple[LanguageCost, ...]
    price: Decimal

    @property
    def recipients(self) -> int:
        return sum(c.recipients for c in self.languages)

    @property
    def segments(self) -> int:
        return sum(c.total for c in self.languages)

    def cost(self, language: LanguageCost | None = None) -> Decimal:
        return (language.total if language else self.segments) * self.price


def sms_by_locale(recipients: Iterable[q.RecipientRow], default_locale: str) -> dict[str, int]:
    """Recipients who would get a notice by SMS now, by language (digest-only ones get it in
    the digest instead)."""
    by_locale: dict[str, int] = {}
    for r in recipients:
        if r.channel is Channel.SMS and r.notify_mode is not NotifyMode.DIGEST:
            locale = r.locale or default_locale
            by_locale[locale] = by_locale.get(locale, 0) + 1
    return by_locale


async def sms_recipients(
    session: AsyncSession, actor: Actor, network_id: int | None, default_locale: str
) -> dict[str, int]:
    """A network's (None: every network's) SMS recipients by language, for its host or a
    coordinator."""
    if network_id is None:
        actor.require_coordinator()
        rows = await q.everyone(session)
    else:
        if not actor.is_coordinator:
            row = await nq.one(session, network_id, actor.resident_id)
            if row is None:
                raise NotFound()
            if row.my_role is not MemberRole.HOST:
                raise PermissionDenied("host")
        rows = await q.network_members(session, network_id)
    return sms_by_locale(rows, default_locale)


def estimate(
    by_locale: Mapping[str, int], render: outbox.Render, catalogs: Catalogs, price: Decimal
) -> Estimate:
    """Segments per SMS in each language, from the text that would be sent."""
    languages = []
    for locale, n in sorted(by_locale.items()):
        if n <= 0:
            continue
        sms = to_sms(render(locale, Channel.SMS), catalogs.translator(locale))
        languages.append(LanguageCost(locale, n, count(sms.text).segments))
    return Estimate(tuple(languages), price)


def estimate_lines(t: Translator, found: Estimate) -> list[str]:
    """The preview's SMS part, in the reader's language; nothing when no one gets an SMS."""
    if not found.languages:
        return []
    priced = found.price > 0
    lines = [
        t.ngettext(
            "By SMS: {n} member (estimate):",
            "By SMS: {n} members (estimate):",
            found.recipients,
        )
    ]
    for c in found.languages:
        each = t.ngettext("{n} SMS each", "{n} SMS each", c.segments)
        language = NATIVE_NAMES.get(c.locale, c.locale)
        if priced:
            lines.append(
                t.ngettext(
                    "{language}: {n} by SMS, {each}, ≈ {cost}",
                    "{language}: {n} by SMS, {each}, ≈ {cost}",
                    c.recipients,
                    language=language,
                    each=each,
                    cost=money(t, found.cost(c)),
                )
            )
        else:
            lines.append(
                t.ngettext(
                    "{language}: {n} by SMS, {each}",
                    "{language}: {n} by SMS, {each}",
                    c.recipients,
                    language=language,
                    each=each,
                )
            )
    if priced:
        lines.append(
            t.ngettext(
                "In all: {n} SMS segment, ≈ {cost}",
                "In all: {n} SMS segments, ≈ {cost}",
                found.segments,
                cost=money(t, found.cost()),
            )
        )
    else:
        lines.append(
            t.ngettext("In all: {n} SMS segment", "In all: {n} SMS segments", found.segments)
        )
    return lines


async def preview_lines(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    settings: Settings,
    t: Translator,
    network_id: int | None,
    render: outbox.Render,
    now: datetime | None = None,
) -> list[str]:
    """What a broadcast or event notice would cost by SMS, and the month's budget if there is
    one; empty when SMS is not configured or no recipient gets an SMS."""
    costs = SmsCosts.from_settings(settings)
    if not costs.enabled:
        return []
    by_locale = await sms_recipients(session, actor, network_id, catalogs.default_locale)
    found = estimate(by_locale, render, catalogs, costs.price)
    lines = estimate_lines(t, found)
    if lines and costs.monthly_segments is not None:
        used = await month_usage(session, costs, now)
        lines.append(usage_line(t, used))
        if used.used + found.segments > costs.monthly_segments:
            lines.append(
                t.gettext(
                    "The monthly SMS budget will not cover all of it: "
                    "the rest waits until next month."
                )
            )
    return lines


# ---- the monthly budget ------------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    used: int
    budget: int | None  # None: no budget

    @property
    def reached(self) -> bool:
        return self.budget is not None and self.used >= self.budget


async def month_usage(session: AsyncSession, costs: SmsCosts, now: datetime | None = None) -> Usage:
    start, end = month_bounds(now or session_now(session), costs.zone)
    return Usage(await cq.segments_used(session, start, end), costs.monthly_segments)


def usage_line(t: Translator, usage: Usage) -> str:
    if usage.budget is None:
        return t.ngettext("SMS this month: {n} segment", "SMS this month: {n} segments", usage.used)
    return t.ngettext(
        "SMS this month: {used} of {n} segment",
        "SMS this month: {used} of {n} segments",
        usage.budget,
        used=t.number(usage.used),
    )


async def coordinator_usage_line(
    session: AsyncSession, actor: Actor, settings: Settings, t: Translator
) -> str | None:
    """The coordinator's reach screen line; None when SMS is not configured."""
    actor.require_coordinator()
    costs = SmsCosts.from_settings(settings)
    if not costs.enabled:
        return None
    return usage_line(t, await month_usage(session, costs))


def budget_notice(catalogs: Catalogs, budget: int, until: datetime) -> outbox.Render:
    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        title = t.gettext("📵 The monthly SMS budget is used up")
        body = t.ngettext(
            "All {n} SMS segment of this month's budget is used. Replies to residents' own "
            "SMS and confirmations still go out; other SMS wait until {date}.",
            "All {n} SMS segments of this month's budget are used. Replies to residents' own "
            "SMS and confirmations still go out; other SMS wait until {date}.",
            budget,
            date=html.escape(t.format_date(until)),
        )
        return Rendered(f"<b>{title}</b>\n\n{body}")

    return render


async def tell_budget_reached(
    session: AsyncSession,
    catalogs: Catalogs,
    coordinator_ids: Iterable[int],
    budget: int,
    zone: ZoneInfo,
    now: datetime,
) -> bool:
    """Tell coordinators and hosts, on Telegram and once a month, that the budget is used up.
    Commits; False if they have been told this month already."""
    start, end = month_bounds(now, zone)
    key = f"sms-budget:{start:%Y-%m}"
    if await q.notice_by_key(session, key) is not None:
        return False
    staff = await cq.staff(session, frozenset(coordinator_ids))
    try:
        await outbox.enqueue(
            session,
            kind=NoticeKind.SMS_BUDGET,
            recipients=[r for r in staff if r.channel is Channel.TELEGRAM],
            render=budget_notice(catalogs, budget, end),
            zone=zone,
            default_locale=catalogs.default_locale,
            dedupe_key=key,
            digest_hold=False,
            now=now,
        )
        await session.commit()
    except IntegrityError:  # another worker told them a moment ago
        await session.rollback()
        return False
    return True


# ---- a sent notice -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeSms:
    by_status: dict[DeliveryStatus, int]
    segments: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


async def notice_sms(session: AsyncSession, notice_id: int) -> NoticeSms:
    """A notice's SMS figures; the caller has checked that the actor may see its reach."""
    by_status, segments = await cq.notice_sms(session, notice_id)
    return NoticeSms(by_status, segments)


def notice_sms_line(t: Translator, found: NoticeSms) -> str | None:
    if not found.total:
        return None
    return t.ngettext(
        "By SMS: {sent} sent, {waiting} waiting, {failed} failed; {n} segment used",
        "By SMS: {sent} sent, {waiting} waiting, {failed} failed; {n} segments used",
        found.segments,
        sent=t.number(found.by_status.get(DeliveryStatus.SENT, 0)),
        waiting=t.number(found.by_status.get(DeliveryStatus.PENDING, 0)),
        failed=t.number(found.by_status.get(DeliveryStatus.FAILED, 0)),
    )
