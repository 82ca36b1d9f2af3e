"""Proposing an idea: a member writes it for one of their networks, in their own language; they
support it themselves at once, and the network's hosts hear of it through the outbox with the
buttons to answer it. The list residents page through lives here too."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import RateLimits
from bot.delivery import outbox
from bot.delivery.messages import Button, Rendered
from bot.i18n import Catalogs
from bot.services.actions import AnswerIdea, OriginalOf
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NetworkArchived
from bot.services.help.access import member_id
from bot.services.ideas.access import visible_idea
from bot.services.ideas.views import TEXT_MAX, IdeaView, in_reader_language, view_of
from bot.services.machine_texts import for_readers, machine_note, original_button, reader_locales
from bot.services.networks.views import network_name
from bot.services.rate_limits import DEFAULT_LIMITS
from bot.services.rate_limits import check as check_limit
from bot.services.rate_limits import take as take_limit
from db.models import Channel, Idea, IdeaStatus, IdeaSupport, Network, NoticeKind, RateKind
from db.queries import ideas as iq
from db.queries import networks as nq
from db.queries import outbox as oq
from db.session import session_now

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation


def clean_text(text: str) -> str:
    """The idea's words as stored: trimmed; refused when empty or longer than `TEXT_MAX`."""
    text = text.strip()
    if not text:
        raise InvalidInput("idea", "empty")
    if len(text) > TEXT_MAX:
        raise InvalidInput("idea", "too_long", TEXT_MAX)
    return text


async def may_propose(
    session: AsyncSession,
    actor: Actor,
    now: datetime | None = None,
    limits: RateLimits = DEFAULT_LIMITS,
) -> None:
    """`RateLimited` if the resident could not propose an idea now: said before they write it."""
    now = now or session_now(session)
    await check_limit(session, actor.require_resident(), RateKind.IDEA, limits.ideas, now)


async def propose(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    *,
    network_id: int,
    text: str,
    now: datetime | None = None,
    limits: RateLimits = DEFAULT_LIMITS,
    machine: MachineTranslation | None = None,
    channel: Channel = Channel.TELEGRAM,
) -> IdeaView:
    """Post an idea in a network the actor is a member of; they support it themselves, and the
    hosts are told (each in their language, the words machine-translated where set up).
    Over `limits.ideas`, `RateLimited` and nothing is posted."""
    now = now or session_now(session)
    resident_id = await member_id(session, actor, network_id)
    network = await session.get(Network, network_id)
    if network is None or network.archived_at is not None:
        raise NetworkArchived(joining=False)
    text = clean_text(text)
    await check_limit(session, resident_id, RateKind.IDEA, limits.ideas, now)
    hosts = [h for h in await nq.host_ids(session, network_id) if h != resident_id]
    recipients = await oq.residents(session, hosts)
    source = actor.locale or catalogs.default_locale
    # The translations before anything is written: a slow translator must not hold the lock.
    found = await for_readers(
        machine, (text,), source, reader_locales(recipients, catalogs.default_locale)
    )
    await take_limit(session, resident_id, RateKind.IDEA, limits.ideas, now)
    idea = Idea(
        network_id=network_id,
        author_id=resident_id,
        text=text,
        locale=source,
        status=IdeaStatus.PROPOSED,
        reason="",
        created_at=now,
        updated_at=now,
    )
    session.add(idea)
    await session.flush()
    session.add(
        IdeaSupport(idea_id=idea.id, resident_id=resident_id, channel=channel, created_at=now)
    )
    await session.flush()
    view = await view_of(session, idea, resident_id, supporters=1, supported=True)
    if recipients:
        names = await network_name(session, network_id)

        def render(locale: str, channel: Channel) -> Rendered:
            t = catalogs.translator(locale)
            words, translated = (found[locale][0], True) if locale in found else (text, False)
            lines = [
                "<b>"
                + t.gettext(
                    "💡 A new idea in {network}", network=html.escape(names.in_locale(locale))
                )
                + "</b>",
                "",
                html.escape(words),
            ]
            if translated:
                lines += ["", "<i>" + machine_note(t, source) + "</i>"]
            lines += ["", t.gettext("Answer it so that its supporters know where it stands.")]
            buttons: tuple[tuple[Button, ...], ...] = (
                (Button(t.gettext("✍️ Answer the idea"), AnswerIdea(idea.id)),),
            )
            if translated:
                buttons += ((original_button(t, OriginalOf.IDEA, idea.id),),)
            return Rendered("\n".join(lines), buttons)

        await outbox.enqueue(
            session,
            kind=NoticeKind.IDEA,
            recipients=recipients,
            render=render,
            zone=catalogs.zone,
            default_locale=catalogs.default_locale,
            network_id=network_id,
            author_id=resident_id,
            digest_hold=False,
            now=now,
        )
    await session.commit()
    return view


@dataclass(frozen=True)
class IdeaPage:
    """A page of the ideas of a resident's networks, most supported first."""

    views: list[IdeaView]
    number: int  # from 0
    pages: int
    total: int
    first: int  # the index of the page's first idea in the whole list
    hosted: frozenset[int]  # networks whose ideas the reader may answer (host or coordinator)


async def ideas_page(
    session: AsyncSession,
    actor: Actor,
    number: int,
    per_page: int,
    *,
    machine: MachineTranslation | None = None,
    locale: str | None = None,
    open_only: bool = False,
) -> IdeaPage:
    """Page `number` (the nearest that exists) of the ideas in the actor's networks (with
    `open_only`, those still in the making: proposed, under consideration, planned)."""
    resident_id = actor.require_resident()
    networks = await nq.network_ids_of(session, resident_id)
    statuses = iq.OPEN if open_only else iq.LISTED
    total = await iq.listed_count(session, networks, statuses)
    pages = max(1, -(-total // per_page))
    number = min(max(number, 0), pages - 1)
    rows = await iq.listed_page(
        session, networks, resident_id, number * per_page, per_page, statuses
    )
    views = [
        await view_of(session, r.idea, resident_id, supporters=r.supporters, supported=r.supported)
        for r in rows
    ]
    if locale is not None:
        views = await in_reader_language(views, machine, locale)
    hosted = set()
    for network_id in networks:
        if actor.is_coordinator or resident_id in await nq.host_ids(session, network_id):
            hosted.add(network_id)
    return IdeaPage(views, number, pages, total, number * per_page, frozenset(hosted))


async def open_count(session: AsyncSession, actor: Actor) -> int:
    """How many ideas are still in the making in the actor's networks (for the Take part
    hub's count)."""
    resident_id = actor.require_resident()
    networks = await nq.network_ids_of(session, resident_id)
    return await iq.listed_count(session, networks, iq.OPEN)


async def idea(
    session: AsyncSession,
    actor: Actor,
    idea_id: int,
    *,
    machine: MachineTranslation | None = None,
    locale: str | None = None,
) -> IdeaView:
    """One idea for its card: a member of its network (or a coordinator) sees it while it is
    listed; anyone else, or a hidden or merged one, is refused as if it did not exist."""
    found = await visible_idea(session, actor, idea_id)
    view = await view_of(session, found, actor.resident_id)
    if locale is not None:
        view = (await in_reader_language([view], machine, locale))[0]
    return view
