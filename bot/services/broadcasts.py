"""Broadcasts: a host's free-text notice to their network; a coordinator's to any or all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.delivery.messages import Rendered
from bot.i18n import SHIPPED_LOCALES, Catalogs
from bot.services import machine_texts
from bot.services.actions import OriginalOf
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.networks.views import NetworkName, network_name
from db.models import Channel, DeliveryStatus, MemberRole, NoticeKind
from db.queries import networks as nq
from db.queries import outbox as q

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation

TEXT_MAX = 3000  # leaves room for the frame within Telegram's 4096


@dataclass(frozen=True)
class Audience:
    """Who a broadcast would reach, before it is sent."""

    network: NetworkName | None  # None: every network
    by_locale: dict[str, int]
    digest_only: int

    @property
    def total(self) -> int:
        return sum(self.by_locale.values())


@dataclass(frozen=True)
class Reach:
    """What became of a sent notice, by language."""

    by_locale: dict[str, dict[DeliveryStatus, int]] = field(default_factory=dict)

    def total(self, status: DeliveryStatus) -> int:
        return sum(counts.get(status, 0) for counts in self.by_locale.values())


async def _authorize(
    session: AsyncSession, actor: Actor, network_id: int | None
) -> NetworkName | None:
    if network_id is None:
        actor.require_coordinator()
        return None
    row = await nq.one(session, network_id, actor.resident_id)
    if row is None or row.network.archived_at is not None:
        raise NotFound()
    if not actor.is_coordinator and row.my_role is not MemberRole.HOST:
        raise PermissionDenied("host")
    return await network_name(session, network_id)


async def _recipients(session: AsyncSession, network_id: int | None) -> list[q.RecipientRow]:
    if network_id is None:
        return await q.everyone(session)
    return await q.network_members(session, network_id)


def clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("text", "empty")
    if len(text) > TEXT_MAX:
        raise InvalidInput("text", "too_long", TEXT_MAX)
    return text


async def audience(session: AsyncSession, actor: Actor, network_id: int | None) -> Audience:
    """The preview: recipients by language (and how many only want the digest)."""
    name = await _authorize(session, actor, network_id)
    by_locale: dict[str, int] = {}
    held = 0
    for r in await _recipients(session, network_id):
        if r.notify_mode.value == "digest":
            held += 1
        locale = r.locale or "nb"
        by_locale[locale] = by_locale.get(locale, 0) + 1
    # The largest groups first, ties in the shipped order: the same preview whatever order
    # the database returned the members in.
    order = {locale: i for i, locale in enumerate(SHIPPED_LOCALES)}
    ranked = sorted(by_locale.items(), key=lambda item: (-item[1], order.get(item[0], 99)))
    return Audience(name, dict(ranked), held)


def render_broadcast(
    catalogs: Catalogs,
    network: NetworkName | None,
    text: str,
    author_locale: str | None,
    machine: machine_texts.ByLocale = machine_texts.NONE,
    notice_id: int | None = None,
) -> outbox.Render:
    """One rendering per language: the translated frame around the author's own words (the
    network named in the reader's language), with a note saying which language they wrote in
    when it is not the reader's — or their words machine-translated (`machine`, by locale),
    marked so, with the original a tap away."""
    import html

    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        if network is None:
            title = t.gettext("📣 Notice from the municipality")
        else:
            name = network.in_locale(locale)
            title = t.gettext("📣 Notice from {network}", network=html.escape(name))
        if locale in machine:
            parts = [f"<b>{title}</b>", html.escape(machine[locale][0])]
            parts.append("<i>" + machine_texts.machine_note(t, author_locale) + "</i>")
            if notice_id is None:
                return Rendered("\n\n".join(parts))
            button = machine_texts.original_button(t, OriginalOf.NOTICE, notice_id)
            return Rendered("\n\n".join(parts), ((button,),))
        parts = [f"<b>{title}</b>", html.escape(text)]
        if author_locale and author_locale != locale:
            language = t.language_name(author_locale)
            parts.append("<i>" + t.gettext("Written in {language}.", language=language) + "</i>")
        return Rendered("\n\n".join(parts))

    return render


async def broadcast(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    *,
    text: str,
    network_id: int | None,
    now: datetime | None = None,
    machine: MachineTranslation | None = None,
) -> outbox.Enqueued:
    """Send a notice to a network's members (a host or coordinator) or to everyone in any
    network (a coordinator). Written to the outbox and committed; the worker delivers it.
    Readers of other languages get it machine-translated when `machine` is set up."""
    text = clean_text(text)
    name = await _authorize(session, actor, network_id)
    recipients = await _recipients(session, network_id)
    source = actor.locale or catalogs.default_locale
    found = await machine_texts.for_readers(
        machine,
        (text,),
        source,
        machine_texts.reader_locales(recipients, catalogs.default_locale),
    )
    result = await outbox.enqueue(
        session,
        kind=NoticeKind.BROADCAST,
        recipients=recipients,
        render_notice=lambda notice_id: render_broadcast(
            catalogs, name, text, source, found, notice_id
        ),
        zone=catalogs.zone,
        default_locale=catalogs.default_locale,
        network_id=network_id,
        author_id=actor.resident_id,
        body=text,
        now=now,
    )
    await session.commit()
    return result


async def reach(session: AsyncSession, actor: Actor, notice_id: int) -> Reach:
    """Delivered, pending, failed, unreachable and held, by language (author, host or
    coordinator)."""
    notice = await q.notice(session, notice_id)
    if notice is None:
        raise NotFound()
    if not actor.is_coordinator and notice.author_id != actor.resident_id:
        if notice.network_id is None:
            raise PermissionDenied("coordinator")
        row = await nq.one(session, notice.network_id, actor.resident_id)
        if row is None or row.my_role is not MemberRole.HOST:
            raise PermissionDenied("host")
    by_locale: dict[str, dict[DeliveryStatus, int]] = {}
    for (locale, status), count in (await q.counts(session, notice_id)).items():
        by_locale.setdefault(locale, {})[status] = count
    return Reach(by_locale)
