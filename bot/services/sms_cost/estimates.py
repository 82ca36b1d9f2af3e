"""Estimates for a host's preview: made from the SMS text that would actually be sent (`to_sms`
of the rendering in each language), so a Ukrainian notice in UCS-2 shows its real two or three
segments next to the Norwegian one's single GSM segment."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.delivery import outbox
from bot.i18n import NATIVE_NAMES, Catalogs, Translator
from bot.services.actors import Actor
from bot.services.errors import NotFound, PermissionDenied
from bot.services.sms_cost.budget import month_usage, usage_line
from bot.services.sms_cost.costs import (
    SmsCosts,
    money,
)
from bot.sms_segments import count
from bot.sms_texts import to_sms
from db.models import Channel, MemberRole, NotifyMode
from db.queries import networks as nq
from db.queries import outbox as q


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
