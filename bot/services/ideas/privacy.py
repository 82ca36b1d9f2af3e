"""A resident's ideas under their rights: what /mydata shows of them (the ideas they proposed,
the ideas they support) and what /forget does. Their ideas go with them, as their help requests
do (docs/privacy.md: nothing they wrote is kept), and with them everyone's support of them; a
digest that quoted one keeps "…" in its place, and its machine translations leave the cache."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.machine_translation import service as machine_translation
from bot.services.digest.writer import quoted_idea
from db.models import IdeaStatus
from db.queries import ideas as iq
from db.queries import privacy as pq


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def ideas_record(session: AsyncSession, resident_id: int) -> dict[str, Any]:
    proposed = [
        {
            "id": idea.id,
            "network": network,
            "text": idea.text,
            "language": idea.locale,
            "status": IdeaStatus(idea.status).value,
            "answer": idea.reason,
            "created_at": _iso(idea.created_at),
            "forwarded_at": _iso(idea.forwarded_at),
        }
        for idea, network in await iq.by_author(session, resident_id)
    ]
    # Others' ideas by their id only: their words are theirs, not part of this record.
    supported = [
        {
            "idea": idea.id,
            "own": idea.author_id == resident_id,
            "channel": support.channel,
            "supported_at": _iso(support.created_at),
        }
        for idea, support in await iq.supported_by(session, resident_id)
    ]
    return {"proposed": proposed, "supported": supported}


async def forget_ideas(session: AsyncSession, resident_id: int) -> None:
    """Remove the resident's ideas (and every support and report of them) and their support
    of others' ideas, before the resident row goes."""
    texts = [idea.text for idea, _ in await iq.by_author(session, resident_id)]
    for text in texts:
        quoted = quoted_idea(text)
        for rendering in await pq.digest_renderings_with(session, quoted):
            rendering.text = rendering.text.replace(quoted, "…")
    await machine_translation.forget(session, texts)
    await iq.forget_author(session, resident_id)
