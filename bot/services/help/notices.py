"""A help notice to one resident (an offer, a match, a relayed message, thanks, a nudge),
through the outbox. Help notices are never held for the digest; all but relayed messages wait
for the end of the recipient's quiet hours. Each names its author, the resident whose name or
words it carries, so that /forget can find and neutralise it (`bot.services.residents`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.i18n import Catalogs
from db.models import NoticeKind
from db.queries import outbox as oq


async def notify(
    session: AsyncSession,
    catalogs: Catalogs,
    kind: NoticeKind,
    resident_id: int,
    network_id: int,
    render: outbox.Render,
    now: datetime,
    *,
    author_id: int,
    body: str = "",
) -> None:
    await outbox.enqueue(
        session,
        kind=kind,
        recipients=await oq.residents(session, [resident_id]),
        render=render,
        zone=catalogs.zone,
        default_locale=catalogs.default_locale,
        network_id=network_id,
        author_id=author_id,
        body=body,
        digest_hold=False,
        quiet_hours=kind is not NoticeKind.HELP_RELAY,
        now=now,
    )
