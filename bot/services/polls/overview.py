"""The operator's view of polls (`naboskap poll list|results`): every poll with its number of
answers, read a batch at a time, and one poll's results with the split, as a coordinator sees
them (the words for "Other" and the names of a named poll stay with its creator)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.actors import Actor
from bot.services.errors import NotFound
from bot.services.polls.results import DEFAULT_MIN_GROUP, PollResults, compute
from bot.services.polls.views import load_views
from db.queries import networks as nq
from db.queries import polls as q

BATCH = 1000


async def operator_rows(
    session: AsyncSession, actor: Actor, batch: int = BATCH
) -> AsyncIterator[list[dict[str, Any]]]:
    """Every poll, oldest first, a batch at a time (coordinators only)."""
    actor.require_coordinator()
    slugs: dict[int, str] = {}
    after = 0
    while rows := await q.listing(session, after, batch):
        missing = {p.network_id for p, _ in rows if p.network_id and p.network_id not in slugs}
        for network_id in missing:
            network = await nq.one(session, network_id, None)
            slugs[network_id] = network.network.slug if network is not None else ""
        yield [
            {
                "id": poll.id,
                "network": slugs.get(poll.network_id, "") if poll.network_id else "(everyone)",
                "status": poll.status.value,
                "answers": answers,
                "multiple": poll.multiple,
                "other": poll.allow_other,
                "anonymous": poll.anonymous,
                "closes_at": poll.closes_at,
                "closed_at": poll.closed_at,
                "question": poll.question,
            }
            for poll, answers in rows
        ]
        after = rows[-1][0].id


async def operator_results(
    session: AsyncSession, actor: Actor, poll_id: int, min_group: int = DEFAULT_MIN_GROUP
) -> PollResults:
    """A poll's results with the split by language and channel (coordinators only)."""
    actor.require_coordinator()
    poll = await q.get(session, poll_id)
    if poll is None:
        raise NotFound()
    view = (await load_views(session, [poll]))[0]
    return await compute(session, view, detailed=True, min_group=min_group)
