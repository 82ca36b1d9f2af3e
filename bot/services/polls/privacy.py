"""A resident's poll ballots in /mydata, and what /forget does about them.

Ballots and their choices go with the resident by cascade (`poll_ballots.resident_id` and
`poll_choices.resident_id` are ON DELETE CASCADE), so the results counted later no longer
include them. The words a resident wrote for "Other" may already sit in the creator's results
notice: they are replaced by "…" there. Polls a host created stay with the network (the
question is the network's, like an event's title); `created_by` becomes NULL."""

from __future__ import annotations

import html
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.queries import polls as q


async def ballots_record(session: AsyncSession, resident_id: int) -> list[dict[str, Any]]:
    """Every poll the resident answered: the question, what they chose, their words for
    "Other", when, and by which channel and in which language."""
    chosen = await q.choice_texts_of(session, resident_id)
    return [
        {
            "poll": poll.id,
            "question": poll.question,
            "status": poll.status.value,
            "chose": chosen.get(poll.id, []),
            "other": ballot.other_text,
            "channel": ballot.channel,
            "language": ballot.locale,
            "answered_at": ballot.answered_at.isoformat(),
        }
        for poll, ballot in await q.ballots_of(session, resident_id)
    ]


async def forget_ballots(session: AsyncSession, resident_id: int) -> None:
    """Before the resident's row goes (and their ballots with it by cascade): their words for
    "Other" out of the results notices that quote them."""
    for _poll, ballot in await q.ballots_of(session, resident_id):
        if not ballot.other_text:
            continue
        quoted = html.escape(ballot.other_text)
        for rendering in await q.results_renderings_with(session, f"• {quoted}"):
            rendering.text = rendering.text.replace(f"• {quoted}", "• …")
