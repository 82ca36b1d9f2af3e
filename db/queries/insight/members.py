"""Members over time and whom the networks reach today: counts per network and day from
`membership_days`, and distinct members by language and channel. Counts only, never who."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Membership, MembershipDay, Network, Resident
from db.queries.insight.local_days import Window, as_date


@dataclass(frozen=True)
class MemberDays:
    """Each network's members on the eve of the window (`before`), and who joined and left
    on each day of it: network id -> day -> (joined, left)."""

    before: dict[int, int]
    days: dict[int, dict[date, tuple[int, int]]]


async def member_days(
    session: AsyncSession, window: Window, network_id: int | None = None
) -> MemberDays:
    scope = [] if network_id is None else [MembershipDay.network_id == network_id]
    before = await session.execute(
        select(MembershipDay.network_id, func.sum(MembershipDay.joined - MembershipDay.left))
        .where(MembershipDay.day < window.first, *scope)
        .group_by(MembershipDay.network_id)
    )
    during = await session.execute(
        select(
            MembershipDay.network_id, MembershipDay.day, MembershipDay.joined, MembershipDay.left
        ).where(MembershipDay.day >= window.first, MembershipDay.day < window.end, *scope)
    )
    days: dict[int, dict[date, tuple[int, int]]] = {}
    for network, day, joined, left in during:
        days.setdefault(int(network), {})[as_date(day)] = (int(joined), int(left))
    return MemberDays({int(n): int(total or 0) for n, total in before}, days)


async def networks_during(
    session: AsyncSession, since: datetime, network_id: int | None = None
) -> list[int]:
    """The networks not archived before `since`: those whose members a chart of the window
    follows (an archived network keeps its last count, which says nothing about the window).
    A network asked for by its id is followed whatever it is."""
    if network_id is not None:
        query = select(Network.id).where(Network.id == network_id)
    else:
        query = select(Network.id).where(
            or_(Network.archived_at.is_(None), Network.archived_at >= since)
        )
    return [int(n) for n in await session.scalars(query.order_by(Network.id))]


async def reach(
    session: AsyncSession, network_id: int | None = None
) -> list[tuple[str | None, bool, int]]:
    """Today's members of the live networks (or of one network) by (language, on Telegram):
    distinct residents, so one in two networks counts once. An SMS-only resident has no
    Telegram id; a Telegram resident with SMS fallback counts as Telegram."""
    member = select(Membership.network_id).where(Membership.resident_id == Resident.id)
    if network_id is None:
        member = member.join(Network, Network.id == Membership.network_id).where(
            Network.archived_at.is_(None)
        )
    else:
        member = member.where(Membership.network_id == network_id)
    on_telegram = Resident.telegram_id.is_not(None)
    rows = await session.execute(
        select(Resident.locale, on_telegram, func.count())
        .where(exists(member.correlate(Resident)))
        .group_by(Resident.locale, on_telegram)
    )
    return [(locale, bool(telegram), int(n)) for locale, telegram, n in rows]


__all__ = ["MemberDays", "member_days", "networks_during", "reach"]
