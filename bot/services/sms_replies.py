"""An SMS straight to one resident: the answer to what they just texted, or the welcome when
someone enrols them. It goes through the outbox on the SMS channel (its pacing and retries),
not held for quiet hours since it answers the resident, and fits in two segments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.delivery.messages import Rendered
from bot.i18n import Catalogs
from bot.sms_segments import fit
from bot.sms_texts import REPLY_SEGMENTS, plain
from db.models import NoticeKind, NotifyMode, Resident
from db.queries.outbox import RecipientRow


async def queue_reply(
    session: AsyncSession,
    catalogs: Catalogs,
    resident: Resident,
    text: str,
    now: datetime,
    kind: NoticeKind = NoticeKind.SMS_REPLY,
) -> None:
    """Queue an SMS to this resident (already in their language), cut to two segments."""
    message = fit(plain(text), REPLY_SEGMENTS)
    await outbox.enqueue(
        session,
        kind=kind,
        recipients=[
            RecipientRow(
                resident.id,
                None,
                resident.locale,
                NotifyMode.INSTANT,
                0,
                0,
                resident.phone,
                on_telegram=False,
            )
        ],
        render=lambda locale, channel: Rendered(message),
        zone=catalogs.zone,
        default_locale=catalogs.default_locale,
        quiet_hours=False,
        digest_hold=False,
        now=now,
    )
