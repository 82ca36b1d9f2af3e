"""The operator's list of ideas (`naboskap idea list`): every idea in batches by id, with its
network, status and supporters; coordinators only (the command line acts as one)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.actors import Actor
from bot.services.errors import NotFound
from db.models import IdeaStatus
from db.queries import ideas as iq
from db.queries import networks as nq

BATCH = 1000


async def operator_rows(
    session: AsyncSession,
    actor: Actor,
    *,
    status: IdeaStatus | None = None,
    network_slug: str | None = None,
    batch: int = BATCH,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Batches of rows (id, network, status, supporters, created, text), by id."""
    actor.require_coordinator()
    network_id = None
    if network_slug is not None:
        network = await nq.by_slug(session, network_slug)
        if network is None:
            raise NotFound()
        network_id = network.id
    after = 0
    while True:
        rows = await iq.operator_page(
            session, after_id=after, limit=batch, status=status, network_id=network_id
        )
        if not rows:
            return
        yield [
            {
                "id": idea.id,
                "network": slug,
                "status": IdeaStatus(idea.status).value,
                "supporters": supporters,
                "created": idea.created_at,
                "forwarded": idea.forwarded_at,
                "text": idea.text,
            }
            for idea, slug, _name, supporters in rows
        ]
        after = rows[-1][0].id
