"""Hosts: appointing and removing them, and the member lists they (and coordinators) see."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.actors import Actor
from bot.services.errors import (
    NotFound,
    PermissionDenied,
)
from bot.services.networks.views import MemberPage, MemberView, network_row, view_of
from db.models import MemberRole, Membership
from db.queries import networks as q
from db.queries import residents as rq


async def set_host(
    session: AsyncSession, actor: Actor, network_id: int, resident_id: int, host: bool
) -> MemberView:
    """Appoint a network member as host, or make a host a plain member (coordinators only)."""
    actor.require_coordinator()
    membership = await q.membership(session, resident_id, network_id)
    resident = await rq.by_id(session, resident_id)
    if membership is None or resident is None:
        raise NotFound()
    membership.role = MemberRole.HOST if host else MemberRole.MEMBER
    await session.commit()
    return MemberView(resident.id, resident.first_name or "", resident.locale, host)


async def toggle_host(
    session: AsyncSession, actor: Actor, network_id: int, resident_id: int
) -> MemberView:
    """Make a member a host, or a host a member again (coordinators only)."""
    actor.require_coordinator()
    membership = await q.membership(session, resident_id, network_id)
    if membership is None:
        raise NotFound()
    return await set_host(
        session, actor, network_id, resident_id, host=membership.role is not MemberRole.HOST
    )


async def set_host_by_telegram_id(
    session: AsyncSession, actor: Actor, slug: str, telegram_id: int, host: bool = True
) -> bool:
    """The CLI's door: appoint someone by Telegram id, making them a member if needed (they
    may not have started the bot yet). Returns whether anything changed."""
    actor.require_coordinator()
    network = await q.by_slug(session, slug)
    if network is None:
        raise NotFound()
    resident = (
        await rq.get_or_create_by_telegram_id(session, telegram_id)
        if host
        else await rq.by_telegram_id(session, telegram_id)
    )
    if resident is None:
        return False
    membership = await q.membership(session, resident.id, network.id)
    role = MemberRole.HOST if host else MemberRole.MEMBER
    if membership is None:
        if not host:
            return False
        session.add(Membership(resident_id=resident.id, network_id=network.id, role=role))
        await q.count_members(session, network.id, joined=1)
    elif membership.role is role:
        return False
    else:
        membership.role = role
    await session.commit()
    return True


async def members(
    session: AsyncSession, actor: Actor, network_id: int, offset: int = 0, limit: int = 8
) -> MemberPage:
    """A page of members (first names only): for coordinators and the network's hosts."""
    row = await network_row(session, actor, network_id)
    if not actor.is_coordinator and row.my_role is not MemberRole.HOST:
        raise PermissionDenied("host")
    page, total = await q.members(session, network_id, max(offset, 0), limit)
    return MemberPage(
        network=view_of(row, actor),
        members=[
            MemberView(r.id, r.first_name or "", r.locale, role is MemberRole.HOST)
            for r, role in page
        ],
        total=total,
        offset=max(offset, 0),
    )
