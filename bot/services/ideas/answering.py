"""The host's side of an idea: answering it with a status and a reason in their own words
(every supporter is told, each in their language), merging a duplicate into another idea of the
same network (its supporters' support moves, counted once), and forwarding it to the
municipality's coordinators (once). Hosts of the idea's network and coordinators only."""

from __future__ import annotations

import html
from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.delivery.messages import Button, Rendered
from bot.i18n import Catalogs, Translator
from bot.services.actions import AnswerIdea, MenuItem, OpenMenu, OriginalOf
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound
from bot.services.ideas.access import hosted_idea
from bot.services.ideas.views import ANSWERS, REASON_MAX, IdeaView, status_label, view_of
from bot.services.machine_texts import ByLocale, for_readers, machine_note, reader_locales
from bot.services.machine_texts import original_button as _original_button
from bot.services.networks.views import network_name
from db.models import Channel, Idea, IdeaStatus, IdeaSupport, NoticeKind
from db.queries import ideas as iq
from db.queries import outbox as oq
from db.queries import residents as rq
from db.session import session_now

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation


def _words(found: ByLocale, locale: str, original: str) -> tuple[str, bool]:
    if locale in found:
        return found[locale][0], True
    return original, False


def _quoted(t: Translator, words: str, machine: bool, source: str | None) -> list[str]:
    lines = [f"«{html.escape(words)}»"]
    if machine:
        lines.append("<i>" + machine_note(t, source) + "</i>")
    return lines


async def set_status(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    idea_id: int,
    status: IdeaStatus,
    reason: str,
    *,
    now: datetime | None = None,
    machine: MachineTranslation | None = None,
) -> tuple[IdeaView, int]:
    """Answer an idea: its new status and the host's reason. Every supporter (the author too,
    if they withdrew their own support) is told once, each in their language, the idea and the
    reason machine-translated where set up (not the answering host, should they support it).
    Returns the idea and how many were told."""
    now = now or session_now(session)
    if status not in ANSWERS:
        raise InvalidInput("status", "format")
    idea = await hosted_idea(session, actor, idea_id)
    if idea.status not in iq.LISTED:
        raise InvalidInput("idea", "closed")
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise InvalidInput("reason", "too_long", REASON_MAX)
    told = set(await iq.supporter_ids(session, idea.id))
    if idea.author_id is not None:
        told.add(idea.author_id)
    told.discard(actor.resident_id or 0)  # the host who answers needs no notice of it
    recipients = await oq.residents(session, sorted(told))
    readers = reader_locales(recipients, catalogs.default_locale)
    host_locale = actor.locale or catalogs.default_locale
    text_found = await for_readers(machine, (idea.text,), idea.locale, readers)
    reason_found = await for_readers(machine, (reason,), host_locale, readers)
    idea.status, idea.reason, idea.updated_at = status, reason, now
    names = await network_name(session, idea.network_id)

    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        words, machine_words = _words(text_found, locale, idea.text)
        lines = [
            "<b>"
            + t.gettext(
                "💡 News about an idea you support in {network}",
                network=html.escape(names.in_locale(locale)),
            )
            + "</b>",
            "",
            *_quoted(t, words, machine_words, idea.locale),
            "",
            t.gettext("Now: {status}", status=status_label(t, status)),
        ]
        if reason:
            said, machine_reason = _words(reason_found, locale, reason)
            lines += [
                "",
                t.gettext("The host says:"),
                *_quoted(t, said, machine_reason, host_locale),
            ]
        buttons: tuple[tuple[Button, ...], ...] = (
            (Button(t.gettext("💡 Ideas"), OpenMenu(MenuItem.IDEAS)),),
        )
        if machine_words:
            buttons += ((_original_button(t, OriginalOf.IDEA, idea.id),),)
        return Rendered("\n".join(lines), buttons)

    if recipients:
        await outbox.enqueue(
            session,
            kind=NoticeKind.IDEA_STATUS,
            recipients=recipients,
            render=render,
            zone=catalogs.zone,
            default_locale=catalogs.default_locale,
            network_id=idea.network_id,
            author_id=idea.author_id,
            # Its supporters asked to hear: not folded into a digest, but not at night.
            digest_hold=False,
            now=now,
        )
    await session.commit()
    return await view_of(session, idea, actor.resident_id), len(recipients)


async def merge_candidates(
    session: AsyncSession, actor: Actor, idea_id: int, number: int, per_page: int
) -> tuple[IdeaView, list[IdeaView], int, int]:
    """The other listed ideas of a duplicate's network, a page at a time: (the duplicate, page
    `number`'s ideas (the nearest that exists), the page, the number of pages)."""
    idea = await hosted_idea(session, actor, idea_id)
    if idea.status not in iq.LISTED:
        raise InvalidInput("idea", "closed")
    total = await iq.others_count(session, idea.network_id, idea.id)
    pages = max(1, -(-total // per_page))
    number = min(max(number, 0), pages - 1)
    rows = await iq.others_in_network(
        session, idea.network_id, idea.id, number * per_page, per_page
    )
    views = [await view_of(session, r.idea, None, supporters=r.supporters) for r in rows]
    return await view_of(session, idea, actor.resident_id), views, number, pages


async def merge(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    duplicate_id: int,
    target_id: int,
    *,
    now: datetime | None = None,
) -> IdeaView:
    """Merge a duplicate into another listed idea of the same network: the duplicate's
    supporters become the target's (each counted once), the duplicate becomes MERGED, and its
    supporters who did not support the target already are told where their support went."""
    now = now or session_now(session)
    duplicate = await hosted_idea(session, actor, duplicate_id)
    target = await session.get(Idea, target_id)
    if target is None or target.network_id != duplicate.network_id or target.id == duplicate.id:
        raise NotFound()
    if duplicate.status not in iq.LISTED or target.status not in iq.LISTED:
        raise InvalidInput("idea", "closed")
    already = set(await iq.supporter_ids(session, target.id))
    moved: list[int] = []
    for support in await iq.supports(session, duplicate.id):
        if support.resident_id not in already:
            moved.append(support.resident_id)
            session.add(
                IdeaSupport(
                    idea_id=target.id,
                    resident_id=support.resident_id,
                    channel=support.channel,
                    created_at=support.created_at,
                )
            )
    await iq.drop_supports(session, duplicate.id)
    duplicate.status, duplicate.merged_into_id, duplicate.updated_at = (
        IdeaStatus.MERGED,
        target.id,
        now,
    )
    target.updated_at = now
    await session.flush()
    supporters = await iq.support_count(session, target.id)
    recipients = await oq.residents(session, moved)
    if recipients:
        names = await network_name(session, target.network_id)

        def render(locale: str, channel: Channel) -> Rendered:
            t = catalogs.translator(locale)
            lines = [
                "<b>"
                + t.gettext(
                    "🔗 An idea you support in {network} was merged with a similar one",
                    network=html.escape(names.in_locale(locale)),
                )
                + "</b>",
                "",
                f"«{html.escape(duplicate.text)}»",
                "",
                t.gettext("Your support now counts for:"),
                f"«{html.escape(target.text)}»",
                "",
                t.ngettext("{n} supporter", "{n} supporters", supporters),
            ]
            return Rendered(
                "\n".join(lines), ((Button(t.gettext("💡 Ideas"), OpenMenu(MenuItem.IDEAS)),),)
            )

        await outbox.enqueue(
            session,
            kind=NoticeKind.IDEA_STATUS,
            recipients=recipients,
            render=render,
            zone=catalogs.zone,
            default_locale=catalogs.default_locale,
            network_id=target.network_id,
            author_id=duplicate.author_id,
            digest_hold=False,
            now=now,
        )
    await session.commit()
    return await view_of(session, target, actor.resident_id)


async def forward(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    idea_id: int,
    coordinator_ids: Collection[int],
    *,
    now: datetime | None = None,
) -> bool:
    """Pass an idea on to the municipality's coordinators (each told once, through the
    outbox). False, sending nothing, when it was forwarded before."""
    now = now or session_now(session)
    idea = await hosted_idea(session, actor, idea_id)
    if idea.status not in iq.LISTED:
        raise InvalidInput("idea", "closed")
    if idea.forwarded_at is not None:
        return False
    idea.forwarded_at = now
    coordinators = [
        row.resident_id
        for row in await rq.coordinators(session, coordinator_ids)
        if row.resident_id != actor.resident_id
    ]
    recipients = await oq.residents(session, coordinators)
    supporters = await iq.support_count(session, idea.id)
    names = await network_name(session, idea.network_id)

    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        lines = [
            "<b>"
            + t.gettext(
                "📨 The hosts of {network} pass an idea on to you",
                network=html.escape(names.in_locale(locale)),
            )
            + "</b>",
            "",
            f"«{html.escape(idea.text)}»",
            "",
            t.ngettext("{n} supporter", "{n} supporters", supporters)
            + " · "
            + status_label(t, IdeaStatus(idea.status)),
        ]
        buttons: tuple[tuple[Button, ...], ...] = (
            (Button(t.gettext("✍️ Answer the idea"), AnswerIdea(idea.id)),),
        )
        return Rendered("\n".join(lines), buttons)

    if recipients:
        await outbox.enqueue(
            session,
            kind=NoticeKind.IDEA_FORWARDED,
            recipients=recipients,
            render=render,
            zone=catalogs.zone,
            default_locale=catalogs.default_locale,
            network_id=idea.network_id,
            author_id=idea.author_id,
            digest_hold=False,
            dedupe_key=f"idea-forwarded:{idea.id}",
            now=now,
        )
    await session.commit()
    return True
