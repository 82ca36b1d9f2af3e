"""Networks and memberships."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, case, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import MemberRole, Membership, MembershipDay, Network, NetworkText, Resident
from db.session import session_now, session_today


@dataclass(frozen=True)
class NetworkRow:
    """A network with its member count, the resident's role in it and, when the reader's
    language has one, the name and description its hosts gave in that language."""

    network: Network
    member_count: int
    my_role: MemberRole | None
    local_name: str | None = None
    local_description: str | None = None


# The reader's own version of the texts, if there is one: an outer join on the primary key, so
# a list in the reader's language costs the same one query as the list in Norwegian.
_READERS_TEXT = (NetworkText.network_id == Network.id) & (NetworkText.locale == bindparam("locale"))


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
        select(
            Network,
            func.coalesce(counts.c.n, 0),
            mine.c.role,
            NetworkText.name,
            NetworkText.description,
        )
        .outerjoin(counts, counts.c.network_id == Network.id)
        .outerjoin(mine, mine.c.network_id == Network.id)
        .outerjoin(NetworkText, _READERS_TEXT)
    )


# Built once: these run on most updates, and building a statement costs more than running it
# from SQLAlchemy's compiled cache. Sorted by the name the reader sees.
_SHOWN_NAME = func.coalesce(NetworkText.name, Network.name)
_LIVE = _listing().where(Network.archived_at.is_(None)).order_by(Network.kind, _SHOWN_NAME)
_ALL = _listing().order_by(Network.kind, _SHOWN_NAME)
_ONE = (
    select(
        Network,
        select(func.count())
        .where(Membership.network_id == Network.id)
        .correlate(Network)
        .scalar_subquery(),
        select(Membership.role)
        .where(
            Membership.network_id == Network.id,
            Membership.resident_id == bindparam("resident_id"),
        )
        .correlate(Network)
        .scalar_subquery(),
        NetworkText.name,
        NetworkText.description,
    )
    .outerjoin(NetworkText, _READERS_TEXT)
    .where(Network.id == bindparam("network_id"))
)


def _rows(rows: Sequence[Any]) -> list[NetworkRow]:
    return [
        NetworkRow(row[0], int(row[1]), MemberRole(row[2]) if row[2] else None, row[3], row[4])
        for row in rows
    ]


async def listing(
    session: AsyncSession,
    resident_id: int | None,
    include_archived: bool = False,
    locale: str | None = None,
) -> list[NetworkRow]:
    """Networks with member counts and the resident's role, areas first, then by name; with
    `locale`, each network's texts in that language where its hosts gave them."""
    query = _ALL if include_archived else _LIVE
    params = {"resident_id": resident_id if resident_id is not None else -1, "locale": locale or ""}
    return _rows((await session.execute(query, params)).all())


async def one(
    session: AsyncSession, network_id: int, resident_id: int | None, locale: str | None = None
) -> NetworkRow | None:
    params = {
        "network_id": network_id,
        "resident_id": resident_id if resident_id is not None else -1,
        "locale": locale or "",
    }
    rows = _rows((await session.execute(_ONE, params)).all())
    return rows[0] if rows else None


async def texts(
    session: AsyncSession, network_ids: Collection[int] | None = None
) -> dict[int, dict[str, tuple[str, str]]]:
    """Every language's name and description of these networks (None: of every network), by
    network and locale."""
    query = select(NetworkText)
    if network_ids is not None:
        if not network_ids:
            return {}
        query = query.where(NetworkText.network_id.in_(network_ids))
    found: dict[int, dict[str, tuple[str, str]]] = {}
    for row in await session.scalars(query.order_by(NetworkText.network_id, NetworkText.locale)):
        found.setdefault(row.network_id, {})[row.locale] = (row.name, row.description)
    return found


async def names(
    session: AsyncSession, network_ids: Collection[int] | None = None
) -> dict[int, tuple[str, dict[str, str]]]:
    """Each network's own name and its names in other languages, for renderings that serve
    readers of many languages at once (None: every network). One query, however many."""
    query = select(Network.id, Network.name, NetworkText.locale, NetworkText.name).outerjoin(
        NetworkText, NetworkText.network_id == Network.id
    )
    if network_ids is not None:
        if not network_ids:
            return {}
        query = query.where(Network.id.in_(network_ids))
    found: dict[int, tuple[str, dict[str, str]]] = {}
    for network_id, name, locale, translated in await session.execute(query):
        entry = found.setdefault(int(network_id), (name, {}))
        if locale is not None:
            entry[1][locale] = translated
    return found


async def set_text(
    session: AsyncSession, network_id: int, locale: str, name: str, description: str
) -> None:
    """Write (or overwrite) one language's name and description of a network."""
    row = await session.get(NetworkText, (network_id, locale))
    if row is None:
        session.add(
            NetworkText(network_id=network_id, locale=locale, name=name, description=description)
        )
    else:
        row.name, row.description = name, description


async def delete_text(session: AsyncSession, network_id: int, locale: str) -> bool:
    """Remove one language's texts; whether there were any."""
    result = await session.execute(
        delete(NetworkText).where(
            NetworkText.network_id == network_id, NetworkText.locale == locale
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def add_member(session: AsyncSession, resident_id: int, network_id: int) -> None:
    await session.execute(
        insert(Membership).values(
            resident_id=resident_id,
            network_id=network_id,
            role=MemberRole.MEMBER,
            joined_at=session_now(session),
        )
    )
    await count_members(session, network_id, joined=1)


async def count_members(
    session: AsyncSession, network_id: int, joined: int = 0, left: int = 0, day: date | None = None
) -> None:
    """Add to the day's count of who joined and left a network (today, in the municipality's
    time zone, unless `day` says otherwise): every way a membership starts or ends calls this
    in the same transaction. An upsert, so two processes counting the same day both add."""
    name = session.get_bind().dialect.name
    upsert = postgresql.insert if name == "postgresql" else sqlite.insert
    statement = upsert(MembershipDay).values(
        network_id=network_id, day=day or session_today(session), joined=joined, left=left
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[MembershipDay.network_id, MembershipDay.day],
            set_={
                "joined": MembershipDay.joined + statement.excluded.joined,
                "left": MembershipDay.left + statement.excluded.left,
            },
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
