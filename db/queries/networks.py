"""Networks and memberships."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, case, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import MemberRole, Membership, Network, Resident
from db.session import session_now


@dataclass(frozen=True)
class NetworkRow:
    network: Network
    member_count: int
    my_role: MemberRole | None


def _listing() -> Select[Any]:
    counts = (
        select(Membership.network_id, func.count().label("n"))
        .group_by(Membership.network_id)
        .subquery()
    )
    mine = (
        select(Membership.network_id, Membership.role)
        .where(Membership.resident_id == bindparam("resident_id"))
        .subquery()
    )
    return (
        select(Network, func.coalesce(counts.c.n, 0), mine.c.role)
        .outerjoin(counts, counts.c.network_id == Network.id)
        .outerjoin(mine, mine.c.network_id == Network.id)
    )


# Built once: these run on most updates, and building a statement costs more than running it
# from SQLAlchemy's compiled cache.
_LIVE = _listing().where(Network.archived_at.is_(None)).order_by(Network.kind, Network.name)
_ALL = _listing().order_by(Network.kind, Network.name)
_ONE = select(
    Network,
    select(func.count())
    .where(Membership.network_id == Network.id)
    .correlate(Network)
    .scalar_subquery(),
    select(Membership.role)
    .where(Membership.network_id == Network.id, Membership.resident_id == bindparam("resident_id"))
    .correlate(Network)
    .scalar_subquery(),
).where(Network.id == bindparam("network_id"))


def _rows(rows: Sequence[Any]) -> list[NetworkRow]:
    return [NetworkRow(row[0], int(row[1]), MemberRole(row[2]) if row[2] else None) for row in rows]


async def listing(
    session: AsyncSession, resident_id: int | None, include_archived: bool = False
) -> list[NetworkRow]:
    """Networks with member counts and the resident's role, areas first, then by name."""
    query = _ALL if include_archived else _LIVE
    params = {"resident_id": resident_id if resident_id is not None else -1}
    return _rows((await session.execute(query, params)).all())


async def one(session: AsyncSession, network_id: int, resident_id: int | None) -> NetworkRow | None:
    params = {
        "network_id": network_id,
        "resident_id": resident_id if resident_id is not None else -1,
    }
    rows = _rows((await session.execute(_ONE, params)).all())
    return rows[0] if rows else None


async def add_member(session: AsyncSession, resident_id: int, network_id: int) -> None:
    await session.execute(
        insert(Membership).values(
            resident_id=resident_id,
            network_id=network_id,
            role=MemberRole.MEMBER,
            joined_at=session_now(session),
        )
    )


async def by_slug(session: AsyncSession, slug: str) -> Network | None:
    return await session.scalar(select(Network).where(Network.slug == slug))


async def slugs_like(session: AsyncSession, base: str) -> set[str]:
    rows = await session.scalars(select(Network.slug).where(Network.slug.startswith(base)))
    return set(rows)


async def membership(session: AsyncSession, resident_id: int, network_id: int) -> Membership | None:
    return await session.get(Membership, (resident_id, network_id))


async def network_ids_of(session: AsyncSession, resident_id: int) -> set[int]:
    """The networks a resident is a member of (in any role)."""
    rows = await session.scalars(
        select(Membership.network_id).where(Membership.resident_id == resident_id)
    )
    return set(rows)


async def host_ids(session: AsyncSession, network_id: int) -> list[int]:
    """The residents who host a network."""
    rows = await session.scalars(
        select(Membership.resident_id).where(
            Membership.network_id == network_id, Membership.role == MemberRole.HOST
        )
    )
    return list(rows)


async def members(
    session: AsyncSession, network_id: int, offset: int, limit: int
) -> tuple[list[tuple[Resident, MemberRole]], int]:
    """A page of a network's members, hosts first, and the total count."""
    total = await session.scalar(
        select(func.count()).select_from(Membership).where(Membership.network_id == network_id)
    )
    rows = await session.execute(
        select(Resident, Membership.role)
        .join(Membership, Membership.resident_id == Resident.id)
        .where(Membership.network_id == network_id)
        .order_by(
            case((Membership.role == MemberRole.HOST, 0), else_=1), Resident.first_name, Resident.id
        )
        .offset(offset)
        .limit(limit)
    )
    return [(r, MemberRole(role)) for r, role in rows], int(total or 0)


async def reach(
    session: AsyncSession, network_id: int | None = None
) -> list[tuple[int, str | None, bool, int]]:
    """(network id, locale, reachable, count) for the memberships of live networks (or of one)."""
    query = (
        select(Membership.network_id, Resident.locale, Resident.reachable, func.count())
        .join(Resident, Resident.id == Membership.resident_id)
        .join(Network, Network.id == Membership.network_id)
        .group_by(Membership.network_id, Resident.locale, Resident.reachable)
    )
    if network_id is None:
        query = query.where(Network.archived_at.is_(None))
    else:
        query = query.where(Membership.network_id == network_id)
    rows = await session.execute(query)
    return [(int(n), loc, bool(ok), int(c)) for n, loc, ok, c in rows]
