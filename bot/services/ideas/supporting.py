"""Supporting an idea: one support per resident and idea (the table's primary key), so one
resident can't inflate it. In the bot a second press withdraws the support; by SMS a number
only ever supports (a mistyped number must not take back what someone meant)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.actors import Actor
from bot.services.ideas.access import open_idea_as_member
from db.models import Channel, IdeaSupport
from db.queries import ideas as iq
from db.session import session_now


@dataclass(frozen=True)
class Support:
    idea_id: int
    supported: bool  # whether the resident supports it now
    changed: bool  # False when it already was as asked
    supporters: int


async def set_support(
    session: AsyncSession,
    actor: Actor,
    idea_id: int,
    supported: bool | None = None,
    *,
    channel: Channel = Channel.TELEGRAM,
    now: datetime | None = None,
) -> Support:
    """Support (`supported` True), withdraw (False) or toggle (None) the actor's support of a
    listed idea in one of their networks."""
    now = now or session_now(session)
    idea, resident_id = await open_idea_as_member(session, actor, idea_id)
    existing = await session.get(IdeaSupport, (idea.id, resident_id))
    wanted = existing is None if supported is None else supported
    changed = wanted != (existing is not None)
    if changed and wanted:
        try:
            # A savepoint: a second press racing this one trips the primary key, not the rest.
            async with session.begin_nested():
                session.add(
                    IdeaSupport(
                        idea_id=idea.id, resident_id=resident_id, channel=channel, created_at=now
                    )
                )
        except IntegrityError:
            changed = False
    elif changed and existing is not None:
        await session.delete(existing)
    await session.commit()
    return Support(idea.id, wanted, changed, await iq.support_count(session, idea.id))
