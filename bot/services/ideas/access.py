"""Who may do what with an idea: members of its network see, support and report it; its hosts
(and coordinators) answer, merge, forward and hide it. Enforced here, not by hiding buttons:
callback data and SMS numbers can be forged, and someone else's idea id is refused as if it
did not exist."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound
from bot.services.help.access import member_id, require_host
from bot.services.ideas.views import get_idea
from db.models import Idea
from db.queries import ideas as iq
from db.queries import networks as nq


async def visible_idea(session: AsyncSession, actor: Actor, idea_id: int) -> Idea:
    """A listed idea in one of the actor's networks (any, for a coordinator)."""
    idea = await get_idea(session, idea_id)
    if not actor.is_coordinator:
        resident_id = actor.require_resident()
        if await nq.membership(session, resident_id, idea.network_id) is None:
            raise NotFound()
    if idea.status not in iq.LISTED:
        raise InvalidInput("idea", "closed")
    return idea


async def open_idea_as_member(
    session: AsyncSession, actor: Actor, idea_id: int
) -> tuple[Idea, int]:
    """A listed idea and the acting resident's id, for one who may take part in its network
    (an active, unsuspended member of a network that is not archived)."""
    idea = await get_idea(session, idea_id)
    resident_id = await member_id(session, actor, idea.network_id)
    if idea.status not in iq.LISTED:
        raise InvalidInput("idea", "closed")
    return idea, resident_id


async def hosted_idea(session: AsyncSession, actor: Actor, idea_id: int) -> Idea:
    """An idea the actor may answer: they host its network, or are a coordinator."""
    idea = await get_idea(session, idea_id)
    await require_host(session, actor, idea.network_id)
    return idea


async def may_answer(session: AsyncSession, actor: Actor, network_id: int) -> bool:
    """Whether the actor sees the host's tools on the network's ideas (the services check
    again on every press)."""
    if actor.is_coordinator:
        return True
    if actor.resident_id is None:
        return False
    return actor.resident_id in await nq.host_ids(session, network_id)


async def require_answerer(session: AsyncSession, actor: Actor, idea_id: int) -> None:
    """Refuse unless the actor may answer the idea (its network's host, or a coordinator)."""
    await hosted_idea(session, actor, idea_id)
