"""Neighbour help by the local day a request was made: how many were asked, how many of them
found a helper, and how long each matched one waited. Requests hidden by moderation are left
out: they were not real asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import HelpRequest, RequestStatus
from db.queries.insight.local_days import Window, as_date

# Matched before `matched_at` was kept (schema 0015): a helper on a matched or done request.
_MATCHED = or_(
    HelpRequest.matched_at.is_not(None),
    HelpRequest.status.in_((RequestStatus.MATCHED, RequestStatus.DONE))
    & HelpRequest.helper_id.is_not(None),
)


@dataclass(frozen=True)
class HelpDays:
    counts: dict[date, tuple[int, int]]  # day -> (asked, matched)
    waits: dict[date, list[float]]  # day -> hours from asking to a match, of each matched one


def _scope(window: Window, network_id: int | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [
        window.contains(HelpRequest.created_at),
        HelpRequest.status != RequestStatus.HIDDEN,
    ]
    if network_id is not None:
        where.append(HelpRequest.network_id == network_id)
    return where


async def help_days(
    session: AsyncSession, window: Window, network_id: int | None = None
) -> HelpDays:
    where = _scope(window, network_id)
    day = window.day(HelpRequest.created_at).label("day")
    counts = {
        as_date(d): (int(asked), int(matched))
        for d, asked, matched in await session.execute(
            select(day, func.count(), func.count().filter(_MATCHED)).where(*where).group_by(day)
        )
    }
    # One row per matched request (its two moments, nothing of who): the median needs them
    # all, and SQLite has no median.
    waits: dict[date, list[float]] = {}
    for d, created, matched in await session.execute(
        select(day, HelpRequest.created_at, HelpRequest.matched_at).where(
            *where,
            HelpRequest.matched_at.is_not(None),
        )
    ):
        hours = max((matched - created).total_seconds(), 0.0) / 3600
        waits.setdefault(as_date(d), []).append(hours)
    return HelpDays(counts, waits)
