"""What the networks' services return: a network as the actor sees it, members, reach."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.actors import Actor
from bot.services.errors import (
    NotFound,
)
from db.models import JoinPolicy, MemberRole, NetworkKind
from db.queries import networks as q


@dataclass(frozen=True)
class NetworkView:
    """A network as one resident sees it."""

    id: int
    slug: str
    name: str
    description: str
    kind: NetworkKind
    join_policy: JoinPolicy
    member_count: int
    my_role: MemberRole | None
    archived: bool
    invite_code: str | None = None  # only filled in for coordinators and hosts

    @property
    def is_member(self) -> bool:
        return self.my_role is not None

    @property
    def is_host(self) -> bool:
        return self.my_role is MemberRole.HOST


@dataclass(frozen=True)
class JoinResult:
    network: NetworkView
    already_member: bool


@dataclass(frozen=True)
class MemberView:
    resident_id: int
    first_name: str
    locale: str | None
    is_host: bool


@dataclass(frozen=True)
class MemberPage:
    network: NetworkView
    members: list[MemberView]
    total: int
    offset: int


@dataclass(frozen=True)
class ReachRow:
    """Members of one network, split by language and whether we can reach them."""

    network: NetworkView
    by_locale: dict[str, int] = field(default_factory=dict)
    unreachable: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_locale.values())


def view_of(row: q.NetworkRow, actor: Actor) -> NetworkView:
    n = row.network
    sees_code = actor.is_coordinator or row.my_role is MemberRole.HOST
    return NetworkView(
        id=n.id,
        slug=n.slug,
        name=n.name,
        description=n.description,
        kind=n.kind,
        join_policy=n.join_policy,
        member_count=row.member_count,
        my_role=row.my_role,
        archived=n.archived_at is not None,
        invite_code=n.invite_code if sees_code else None,
    )


async def network_row(session: AsyncSession, actor: Actor, network_id: int) -> q.NetworkRow:
    row = await q.one(session, network_id, actor.resident_id)
    if row is None:
        raise NotFound()
    return row
