"""Neighbour help in figures, for coordinators: requests by network, category and status, and
how many helpers are active (offering, not paused) in each network."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.actors import Actor
from db.models import HelpCategory, RequestStatus
from db.queries import help as hq


@dataclass(frozen=True)
class HelpStats:
    network_id: int
    by_category: dict[HelpCategory, Counter[RequestStatus]]
    helpers_active: int


async def stats(session: AsyncSession, actor: Actor) -> list[HelpStats]:
    """Requests opened, matched, done and expired by category, and active helpers, per network."""
    actor.require_coordinator()
    found: dict[int, dict[HelpCategory, Counter[RequestStatus]]] = {}
    for network_id, category, status, count in await hq.request_counts(session):
        found.setdefault(network_id, {}).setdefault(category, Counter())[status] += count
    helpers = await hq.active_helper_counts(session)
    ids = sorted(set(found) | set(helpers))
    return [HelpStats(i, found.get(i, {}), helpers.get(i, 0)) for i in ids]
