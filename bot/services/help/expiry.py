"""Requests do not stay open for ever: two days before an open request expires its requester
is nudged, and then it closes. The scheduler runs this; running it twice does nothing twice."""

from __future__ import annotations

import html
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.messages import Rendered
from bot.i18n import Catalogs
from bot.services.help.notices import notify
from db.models import Channel, NoticeKind, RequestStatus
from db.queries import help as hq
from db.session import session_now

NUDGE_BEFORE = timedelta(days=2)


async def expire_due(
    session: AsyncSession, catalogs: Catalogs, now: datetime | None = None
) -> tuple[int, int]:
    """Nudge requesters two days before their open request expires, then expire it.
    Returns (nudged, expired); running it again does neither twice."""
    now = now or session_now(session)
    nudged = expired = 0
    for request in await hq.open_expiring_by(session, now + NUDGE_BEFORE):
        if request.expires_at <= now:
            request.status, request.closed_at = RequestStatus.EXPIRED, now
            kind, expired = NoticeKind.HELP_EXPIRED, expired + 1
        elif request.nudged_at is None:
            request.nudged_at = now
            kind, nudged = NoticeKind.HELP_NUDGE, nudged + 1
        else:
            continue
        description = request.description

        def render(
            locale: str, channel: Channel, kind: NoticeKind = kind, text: str = description
        ) -> Rendered:
            t = catalogs.translator(locale)
            if kind is NoticeKind.HELP_NUDGE:
                return Rendered(
                    t.gettext(
                        "Still need help with: {request}? It closes in two days. "
                        "/requests shows it.",
                        request=html.escape(text[:80]),
                    )
                )
            return Rendered(
                t.gettext(
                    "Your request “{request}” has closed. Ask again any time with /ask.",
                    request=html.escape(text[:80]),
                )
            )

        await notify(
            session,
            catalogs,
            kind,
            request.requester_id,
            request.network_id,
            render,
            now,
            author_id=request.requester_id,
        )
    await session.commit()
    return nudged, expired
