"""What the SMS channel keeps per resident: where they are in a conversation (the step a plain
answer belongs to, what each number means)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import SmsConversation
from db.session import session_now


async def conversation(session: AsyncSession, resident_id: int) -> SmsConversation:
    """The resident's conversation state, added (not yet flushed) if they have none."""
    row = await session.get(SmsConversation, resident_id)
    if row is None:
        row = SmsConversation(resident_id=resident_id, updated_at=session_now(session))
        session.add(row)
    return row
