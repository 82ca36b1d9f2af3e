"""Whom the networks reach: members by language, and how many have blocked the bot."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import SHIPPED_LOCALES
from bot.services.actors import Actor
from bot.services.errors import (
    PermissionDenied,
)
from bot.services.networks.membership import list_networks
from bot.services.networks.views import NetworkView, ReachRow, network_row, view_of
from db.models import MemberRole
from db.queries import networks as q

# The key of members who have not chosen a language yet (a host appointed before they started
# the bot): no locale is spelled so. Each reader shows it in its own words.
UNCHOSEN = "?"


def _reach_rows(
    views: Iterable[NetworkView], counts: Iterable[tuple[int, str | None, bool, int]]
) -> list[ReachRow]:
    locales: dict[int, dict[str, int]] = defaultdict(dict)
    unreachable: dict[int, int] = defaultdict(int)
    for network_id, locale, reachable, count in counts:
        key = locale or UNCHOSEN
        locales[network_id][key] = locales[network_id].get(key, 0) + count
        if not reachable:
            unreachable[network_id] += count

    def order(item: tuple[str, int]) -> tuple[int, str]:
        code = item[0]
        return (SHIPPED_LOCALES.index(code) if code in SHIPPED_LOCALES else 99, code)

    return [
        ReachRow(n, dict(sorted(locales[n.id].items(), key=order)), unreachable[n.id])
        for n in views
    ]


async def reach(session: AsyncSession, actor: Actor) -> list[ReachRow]:
    """Members per live network, by language, and how many cannot be reached (coordinators)."""
    actor.require_coordinator()
    return _reach_rows(await list_networks(session, actor), await q.reach(session))


async def network_reach(session: AsyncSession, actor: Actor, network_id: int) -> ReachRow:
    """One network's members by language and reachability: for its hosts and coordinators."""
    row = await network_row(session, actor, network_id)
    if not actor.is_coordinator and row.my_role is not MemberRole.HOST:
        raise PermissionDenied("host")
    return _reach_rows([view_of(row, actor)], await q.reach(session, network_id))[0]
