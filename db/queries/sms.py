"""What the SMS channel reads and keeps per resident: who a number belongs to, and where they
are in a conversation (the step a plain answer belongs to, what each number means)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Resident, SmsConversation
from db.session import session_now


async def resident_by_phone(session: AsyncSession, phone: str) -> Resident | None:
    """The resident whose number is `phone` (E.164), if any."""
    return await session.scalar(select(Resident).where(Resident.phone == phone))


async def conversation(session: AsyncSession, resident_id: int) -> SmsConversation:
    """The resident's conversation state, added (not yet flushed) if they have none."""
    row = await session.get(SmsConversation, resident_id)
    if row is None:
        row = SmsConversation(resident_id=resident_id, updated_at=session_now(session))
        session.add(row)
    return row
