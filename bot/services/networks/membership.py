"""Finding networks, joining (with an invite code where needed) and leaving them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.actors import Actor
from bot.services.errors import (
    InviteCodeRequired,
    InviteCodeWrong,
    NetworkArchived,
    NotFound,
)
from bot.services.networks.views import JoinResult, NetworkView, network_row, view_of
from db.models import JoinPolicy, MemberRole
from db.queries import networks as q


async def list_networks(
    session: AsyncSession, actor: Actor, include_archived: bool = False
) -> list[NetworkView]:
    """Live networks with member counts and the actor's role; coordinators may see archived."""
    if include_archived:
        actor.require_coordinator()
    rows = await q.listing(session, actor.resident_id, include_archived, actor.locale)
    return [view_of(r, actor) for r in rows]


async def get_network(session: AsyncSession, actor: Actor, network_id: int) -> NetworkView:
    row = await network_row(session, actor, network_id)
    if row.network.archived_at is not None and not actor.is_coordinator:
        raise NotFound()
    return view_of(row, actor)


async def find_by_slug(session: AsyncSession, actor: Actor, slug: str) -> NetworkView:
    found = await lookup_slug(session, actor, slug)
    if found is None:
        raise NotFound()
    return found


async def lookup_slug(session: AsyncSession, actor: Actor, slug: str) -> NetworkView | None:
    """The network a join link names, or None if there is none (an archived one is hidden
    from all but coordinators)."""
    network = await q.by_slug(session, slug.lower())
    if network is None or (network.archived_at is not None and not actor.is_coordinator):
        return None
    return await get_network(session, actor, network.id)


@dataclass(frozen=True)
class JoinAttempt:
    """What came of trying to join: a membership, or the invite code it still needs."""

    joined: JoinResult | None
    code_needed: bool = False
    code_wrong: bool = False


async def attempt_join(
    session: AsyncSession, actor: Actor, network_id: int, invite_code: str | None = None
) -> JoinAttempt:
    """Like `join`, but a missing or wrong invite code is an answer, not a refusal: the bot
    then asks for the code instead of saying no."""
    try:
        return JoinAttempt(await join(session, actor, network_id, invite_code))
    except InviteCodeRequired:
        return JoinAttempt(None, code_needed=True)
    except InviteCodeWrong:
        return JoinAttempt(None, code_wrong=True)


async def join(
    session: AsyncSession, actor: Actor, network_id: int, invite_code: str | None = None
) -> JoinResult:
    """Make the acting resident a member. Invite-only networks need the right code."""
    resident_id = actor.require_resident()
    row = await network_row(session, actor, network_id)
    network = row.network
    if network.archived_at is not None:
        raise NetworkArchived()
    if row.my_role is not None:
        return JoinResult(view_of(row, actor), already_member=True)
    if network.join_policy is JoinPolicy.INVITE and not actor.is_coordinator:
        if not invite_code:
            raise InviteCodeRequired()
        # As bytes: compare_digest refuses str with anything but ASCII in it (TypeError),
        # and a resident may well type "BLÅBÆR".
        if not network.invite_code or not secrets.compare_digest(
            invite_code.strip().upper().encode(), network.invite_code.upper().encode()
        ):
            raise InviteCodeWrong()
    try:
        await q.add_member(session, resident_id, network.id)
        await session.commit()
    except IntegrityError:
        # A double tap: the first one made them a member already.
        await session.rollback()
        return JoinResult(
            view_of(await network_row(session, actor, network_id), actor), already_member=True
        )
    joined = replace(row, member_count=row.member_count + 1, my_role=MemberRole.MEMBER)
    return JoinResult(view_of(joined, actor), already_member=False)


async def leave(session: AsyncSession, actor: Actor, network_id: int) -> tuple[NetworkView, bool]:
    """Remove the acting resident from a network (a host stops being its host too); the flag
    says whether they were a member (a stale button or number may ask someone who is not)."""
    resident_id = actor.require_resident()
    membership = await q.membership(session, resident_id, network_id)
    if membership is None:
        row = await network_row(session, actor, network_id)
        return view_of(row, actor), False
    await session.delete(membership)
    await q.count_members(session, network_id, left=1)
    await session.commit()
    return view_of(await network_row(session, actor, network_id), actor), True
