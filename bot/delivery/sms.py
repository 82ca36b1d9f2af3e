"""Sending outbox deliveries by SMS through the configured gateway."""

from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.messages import Rendered
from bot.delivery.outcomes import Outcome, Permanent, Sent
from bot.i18n import Catalogs
from bot.sms.gateway import SmsGateway
from bot.sms.segments import count
from bot.sms.texts import to_sms
from db.models import SmsConversation, utcnow
from db.queries import outbox as q


class SmsSender:
    """Turns a rendering into its SMS version in the delivery's language, sends it with our
    delivery id (which comes back in the gateway's reports), and records what it cost and, for
    a message with numbered choices, what a bare "1" or "2" from the resident will mean."""

    def __init__(
        self,
        gateway: SmsGateway,
        catalogs: Catalogs,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        self.gateway = gateway
        self.catalogs = catalogs
        self.sessionmaker = sessionmaker

    async def send(self, address: int | str, message: Rendered, item: q.Claimed) -> Outcome:
        if not isinstance(address, str):
            return Permanent("no phone number")
        sms = to_sms(message, self.catalogs.translator(item.locale))
        outcome = await self.gateway.send(address, sms.text, item.id)
        if isinstance(outcome, Sent):
            async with self.sessionmaker() as session:
                await q.record_sms(session, item.id, count(sms.text).segments)
                if sms.options:
                    await remember_choices(session, item.resident_id, list(sms.options))
                await session.commit()
        return outcome


async def remember_choices(session: AsyncSession, resident_id: int, options: list[str]) -> None:
    """The numbered choices of the last question sent to a resident by SMS."""
    row = await session.get(SmsConversation, resident_id)
    if row is None:
        row = SmsConversation(resident_id=resident_id)
        session.add(row)
    row.options = json.dumps(options)
    row.step = None
    row.updated_at = utcnow()
