"""The original words behind a machine translation: what "Show original" under an event, a
help request, a broadcast or a network description sends the reader.

Only someone who could have been shown the translation gets the original: a member of the
event's or request's network, a recipient of the broadcast (a coordinator may read any), and
for a network's description anyone onboarded (networks are listed to everyone). A forged or
stale button meets the same `NotFound` as a deleted thing, so it reveals nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.actions import OriginalOf
from bot.services.actors import Actor
from bot.services.errors import NotFound
from db.models import (
    Event,
    EventStatus,
    HelpRequest,
    Idea,
    IdeaStatus,
    Network,
    Notice,
    RequestStatus,
    Resident,
)
from db.queries import networks as nq
from db.queries import outbox as oq


@dataclass(frozen=True)
class Original:
    locale: str | None  # the language it was written in, when known
    title: str  # an event's title or a network's name; empty for requests and broadcasts
    text: str


async def original(
    session: AsyncSession, actor: Actor, kind: OriginalOf, item_id: int, default_locale: str
) -> Original:
    # A coordinator may read anything; anyone else must be an onboarded resident.
    resident_id = -1 if actor.is_coordinator else actor.require_resident()

    async def member_of(network_id: int) -> bool:
        if actor.is_coordinator:
            return True
        return await nq.membership(session, resident_id, network_id) is not None

    async def locale_of(author_id: int | None) -> str | None:
        author = await session.get(Resident, author_id) if author_id is not None else None
        return author.locale if author is not None else None

    if kind is OriginalOf.EVENT:
        event = await session.get(Event, item_id)
        if event is None or event.status is EventStatus.DRAFT:
            raise NotFound()
        if not await member_of(event.network_id):
            raise NotFound()
        return Original(event.locale, event.title, event.description)
    if kind is OriginalOf.HELP_REQUEST:
        request = await session.get(HelpRequest, item_id)
        if request is None or request.status is RequestStatus.HIDDEN:
            raise NotFound()
        if not await member_of(request.network_id):
            raise NotFound()
        return Original(await locale_of(request.requester_id), "", request.description)
    if kind is OriginalOf.IDEA:
        idea = await session.get(Idea, item_id)
        if idea is None or idea.status is IdeaStatus.HIDDEN:
            raise NotFound()
        if not await member_of(idea.network_id):
            raise NotFound()
        return Original(idea.locale, "", idea.text)
    if kind is OriginalOf.NOTICE:
        notice = await session.get(Notice, item_id)
        if notice is None or not notice.body:
            raise NotFound()
        if not actor.is_coordinator and not await oq.received(session, item_id, resident_id):
            raise NotFound()
        return Original(await locale_of(notice.author_id), "", notice.body)
    network = await session.get(Network, item_id)
    if network is None or network.archived_at is not None:
        raise NotFound()
    # A network's own name and description are written in the municipality's language.
    return Original(default_locale, network.name, network.description)
