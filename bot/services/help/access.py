"""Who may take part in neighbour help: active, unsuspended members of the network; hosts (and
coordinators) for moderation; and nobody between two residents when one has blocked the
other. The rules are enforced here, not by hiding buttons: callback data can be forged."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.actors import Actor
from bot.services.errors import NetworkArchived, NotFound, PermissionDenied
from bot.services.help.views import get_request
from db.models import Block, HelpRequest, HelpResponse, MemberRole, Network, Suspension
from db.queries import networks as nq


async def is_suspended(session: AsyncSession, resident_id: int, network_id: int) -> bool:
    return await session.get(Suspension, (network_id, resident_id)) is not None


async def member_id(session: AsyncSession, actor: Actor, network_id: int) -> int:
    """The acting resident's id if they are an active member of the network, and it is not
    archived: an archived network takes no new requests, offers or reports (nobody hosts it
    any more to read them)."""
    resident_id = actor.require_resident()
    if await nq.membership(session, resident_id, network_id) is None:
        raise NotFound()
    network = await session.get(Network, network_id)
    if network is None or network.archived_at is not None:
        raise NetworkArchived(joining=False)
    if await is_suspended(session, resident_id, network_id):
        raise PermissionDenied("resident")
    return resident_id


async def blocked(session: AsyncSession, a: int | None, b: int | None) -> bool:
    """Whether either of two residents has blocked the other."""
    if a is None or b is None:
        return False
    return (
        await session.get(Block, (a, b)) is not None or await session.get(Block, (b, a)) is not None
    )


async def require_host(session: AsyncSession, actor: Actor, network_id: int) -> None:
    """Refuse unless the actor hosts the network or is a coordinator."""
    if actor.is_coordinator:
        return
    row = await nq.one(session, network_id, actor.resident_id)
    if row is None or row.my_role is not MemberRole.HOST:
        raise PermissionDenied("host")


async def own_request(session: AsyncSession, actor: Actor, request_id: int) -> HelpRequest:
    """The acting resident's own request; anyone else's is refused as if it did not exist."""
    request = await get_request(session, request_id)
    if request.requester_id != actor.resident_id:
        raise NotFound()
    return request


async def other_side(session: AsyncSession, request: HelpRequest, me: int) -> int | None:
    """The other side of a request for resident `me`: the helper (if any) for the requester;
    the requester for the matched helper or, while nobody is matched, for one who offered.
    Anyone else is refused as if there were nothing: a neighbour who also offered must not
    end or report someone else's match."""
    if me == request.requester_id:
        return request.helper_id
    if me == request.helper_id or (
        request.helper_id is None and await session.get(HelpResponse, (request.id, me)) is not None
    ):
        return request.requester_id
    raise NotFound()
