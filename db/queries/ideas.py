"""Ideas and their supporters: the lists residents page through (most supported first), the
supporters a status change reaches, the reports of an idea, the week's new ideas for the digest,
what /mydata and /forget read, and the operator's list. The rules live in
`bot.services.ideas`; this module only reads and writes the rows."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Idea, IdeaStatus, IdeaSupport, Network, Report

# Ideas a resident meets in lists and the digest: not hidden by a host, not merged away.
LISTED = (IdeaStatus.PROPOSED, IdeaStatus.CONSIDERING, IdeaStatus.PLANNED, IdeaStatus.DONE,
          IdeaStatus.NOT_NOW)  # fmt: skip
# Still in the making: what the SMS list offers to support.
OPEN = (IdeaStatus.PROPOSED, IdeaStatus.CONSIDERING, IdeaStatus.PLANNED)


@dataclass(frozen=True)
class IdeaRow:
    idea: Idea
    supporters: int
    supported: bool  # by the resident the list is for


def _counts() -> Select[int, int]:
    return select(IdeaSupport.idea_id, func.count().label("n")).group_by(IdeaSupport.idea_id)


async def listed_page(
    session: AsyncSession,
    network_ids: Collection[int],
    resident_id: int,
    offset: int,
    limit: int,
    statuses: Collection[IdeaStatus] = LISTED,
) -> list[IdeaRow]:
    """A page of the listed ideas (of `statuses`) of `network_ids`, most supported first (then
    newest), with their support counts and whether `resident_id` supports each."""
    if not network_ids:
        return []
    counts = _counts().subquery()
    mine = select(IdeaSupport.idea_id).where(IdeaSupport.resident_id == resident_id).subquery()
    supporters = func.coalesce(counts.c.n, 0)
    rows = await session.execute(
        select(Idea, supporters, mine.c.idea_id)
        .outerjoin(counts, counts.c.idea_id == Idea.id)
        .outerjoin(mine, mine.c.idea_id == Idea.id)
        .where(Idea.network_id.in_(sorted(network_ids)), Idea.status.in_(list(statuses)))
        .order_by(supporters.desc(), Idea.created_at.desc(), Idea.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [IdeaRow(idea, int(n), supported is not None) for idea, n, supported in rows]


async def listed_count(
    session: AsyncSession, network_ids: Collection[int], statuses: Collection[IdeaStatus] = LISTED
) -> int:
    if not network_ids:
        return 0
    found = await session.scalar(
        select(func.count())
        .select_from(Idea)
        .where(Idea.network_id.in_(sorted(network_ids)), Idea.status.in_(list(statuses)))
    )
    return int(found or 0)


async def support_count(session: AsyncSession, idea_id: int) -> int:
    found = await session.scalar(
        select(func.count()).select_from(IdeaSupport).where(IdeaSupport.idea_id == idea_id)
    )
    return int(found or 0)


async def supporter_ids(session: AsyncSession, idea_id: int) -> list[int]:
    rows = await session.scalars(
        select(IdeaSupport.resident_id)
        .where(IdeaSupport.idea_id == idea_id)
        .order_by(IdeaSupport.resident_id)
    )
    return list(rows)


async def supports(session: AsyncSession, idea_id: int) -> list[IdeaSupport]:
    return list(await session.scalars(select(IdeaSupport).where(IdeaSupport.idea_id == idea_id)))


async def drop_supports(session: AsyncSession, idea_id: int) -> None:
    await session.execute(delete(IdeaSupport).where(IdeaSupport.idea_id == idea_id))


async def others_in_network(
    session: AsyncSession, network_id: int, idea_id: int, offset: int, limit: int
) -> list[IdeaRow]:
    """The listed ideas of a network other than `idea_id`, most supported first: what a
    duplicate can be merged into."""
    counts = _counts().subquery()
    supporters = func.coalesce(counts.c.n, 0)
    rows = await session.execute(
        select(Idea, supporters)
        .outerjoin(counts, counts.c.idea_id == Idea.id)
        .where(Idea.network_id == network_id, Idea.id != idea_id, Idea.status.in_(LISTED))
        .order_by(supporters.desc(), Idea.created_at.desc(), Idea.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [IdeaRow(idea, int(n), False) for idea, n in rows]


async def others_count(session: AsyncSession, network_id: int, idea_id: int) -> int:
    found = await session.scalar(
        select(func.count())
        .select_from(Idea)
        .where(Idea.network_id == network_id, Idea.id != idea_id, Idea.status.in_(LISTED))
    )
    return int(found or 0)


async def open_reporters(session: AsyncSession, idea_id: int) -> set[int]:
    """Who has an open report of an idea; a reporter since forgotten shows as 0."""
    rows = await session.scalars(
        select(Report.reporter_id).where(Report.idea_id == idea_id, Report.handled_at.is_(None))
    )
    return {reporter_id or 0 for reporter_id in rows}


async def open_reports_on(session: AsyncSession, idea_id: int) -> list[Report]:
    rows = await session.scalars(
        select(Report).where(Report.idea_id == idea_id, Report.handled_at.is_(None))
    )
    return list(rows)


async def texts_of(session: AsyncSession, idea_ids: Sequence[int]) -> dict[int, str]:
    """The words of some ideas (the reported ones /reports shows)."""
    if not idea_ids:
        return {}
    rows = await session.execute(select(Idea.id, Idea.text).where(Idea.id.in_(sorted(idea_ids))))
    return {int(i): text for i, text in rows}


async def new_since(session: AsyncSession, since: datetime) -> list[IdeaRow]:
    """Ideas proposed since `since` in live networks and still listed, most supported first:
    the digest's "new ideas"."""
    counts = _counts().subquery()
    supporters = func.coalesce(counts.c.n, 0)
    rows = await session.execute(
        select(Idea, supporters)
        .join(Network, Network.id == Idea.network_id)
        .outerjoin(counts, counts.c.idea_id == Idea.id)
        .where(
            Idea.created_at >= since,
            Idea.status.in_(LISTED),
            Network.archived_at.is_(None),
        )
        .order_by(supporters.desc(), Idea.created_at.desc(), Idea.id.desc())
    )
    return [IdeaRow(idea, int(n), False) for idea, n in rows]


# --- A resident's own: /mydata and /forget ------------------------------------------------------


async def by_author(session: AsyncSession, resident_id: int) -> list[tuple[Idea, str]]:
    """The ideas a resident proposed, with their network's name, oldest first."""
    rows = await session.execute(
        select(Idea, Network.name)
        .join(Network, Network.id == Idea.network_id)
        .where(Idea.author_id == resident_id)
        .order_by(Idea.created_at, Idea.id)
    )
    return [(idea, name) for idea, name in rows]


async def supported_by(session: AsyncSession, resident_id: int) -> list[tuple[Idea, IdeaSupport]]:
    """The ideas a resident supports (their own included), with the support."""
    rows = await session.execute(
        select(Idea, IdeaSupport)
        .join(IdeaSupport, IdeaSupport.idea_id == Idea.id)
        .where(IdeaSupport.resident_id == resident_id)
        .order_by(IdeaSupport.created_at, Idea.id)
    )
    return [(idea, support) for idea, support in rows]


async def forget_author(session: AsyncSession, resident_id: int) -> None:
    """Remove a resident's ideas and supports (their words go with them, as their help
    requests do); said here as well as by the cascades so that it holds on any connection."""
    mine = select(Idea.id).where(Idea.author_id == resident_id)
    await session.execute(delete(Report).where(Report.idea_id.in_(mine)))
    await session.execute(delete(IdeaSupport).where(IdeaSupport.idea_id.in_(mine)))
    await session.execute(delete(IdeaSupport).where(IdeaSupport.resident_id == resident_id))
    await session.execute(delete(Idea).where(Idea.author_id == resident_id))


# --- The operator's list -------------------------------------------------------------------------


async def operator_page(
    session: AsyncSession,
    *,
    after_id: int,
    limit: int,
    status: IdeaStatus | None,
    network_id: int | None,
) -> list[tuple[Idea, str, str, int]]:
    """A batch of ideas by id after `after_id`: (idea, network slug, network name, supporters)."""
    counts = _counts().subquery()
    conditions = [Idea.id > after_id]
    if status is not None:
        conditions.append(Idea.status == status)
    if network_id is not None:
        conditions.append(Idea.network_id == network_id)
    rows = await session.execute(
        select(Idea, Network.slug, Network.name, func.coalesce(counts.c.n, 0))
        .join(Network, Network.id == Idea.network_id)
        .outerjoin(counts, counts.c.idea_id == Idea.id)
        .where(and_(*conditions))
        .order_by(Idea.id)
        .limit(limit)
    )
    return [(idea, slug, name, int(n)) for idea, slug, name, n in rows]


# Answered for good, merged away or hidden: history the retention period prunes.
FINISHED = (IdeaStatus.DONE, IdeaStatus.NOT_NOW, IdeaStatus.MERGED, IdeaStatus.HIDDEN)


async def old_finished(session: AsyncSession, before: datetime) -> int:
    """Delete finished ideas last changed before `before` (their supports and reports go by
    cascade); open ones stay, whatever their age."""
    result = await session.execute(
        delete(Idea).where(Idea.status.in_(FINISHED), Idea.updated_at < before)
    )
    return int(getattr(result, "rowcount", 0) or 0)
