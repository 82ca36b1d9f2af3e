"""An SMS straight to one resident: the answer to what they just texted, or the welcome when
someone enrols them. It goes through the outbox on the SMS channel (its pacing and retries),
not held for quiet hours since it answers the resident, and fits in two segments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.delivery.messages import Rendered
from bot.i18n import Catalogs
from bot.pages import Page, text_pages
from bot.sms_segments import count, fit, gsm_safe
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
    segments: int = REPLY_SEGMENTS,
) -> None:
    """Queue an SMS to this resident (already in their language), cut to two segments (or
    `segments`, for the few texts whose message says it may take more)."""
    message = fit(plain(text), segments)
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


def sms_pages(header: str, rows: Sequence[str], more: str) -> list[Page]:
    """A list as replies of at most two segments each: the first under `header`, each but
    the last ending with `more` ("Reply MORE for the rest.")."""

    def fits(text: str) -> bool:
        # As sent: `fit` makes a text GSM where stand-ins can ("…" as "..."), and a row that
        # `Turn.fitted_row` shortened with "…" fits only when measured so.
        return count(gsm_safe(plain(text))).segments <= REPLY_SEGMENTS

    return text_pages(header, rows, more, fits, html_mode=False)
