"""A reminder before a shift, for those signed up, as event reminders work
(`bot.services.events.reminders`): within REMINDER_HOURS of its start, one notice per shift
(its dedupe key) and one delivery per resident, so the scheduler can run this every minute and
two processes at once; a late signup is added to the existing notice. Quiet hours apply."""

from __future__ import annotations

import html
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.delivery.messages import Button, Rendered
from bot.i18n import Catalogs
from bot.services.actions import WithdrawShift
from bot.services.volunteering.notices import to_signed_up
from bot.services.volunteering.views import CallView, ShiftView, get_call, shift_when, view_of
from db.models import Channel, NoticeKind
from db.queries import outbox as oq
from db.queries import volunteering as q
from db.session import session_now


def render_reminder(catalogs: Catalogs, view: CallView, shift: ShiftView) -> outbox.Render:
    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        lines = [
            t.gettext("⏰ Reminder: you signed up to lend a hand"),
            "",
            f"<b>🧹 {html.escape(view.title)}</b>",
            "🕒 " + shift_when(t, shift.starts_at, shift.ends_at),
        ]
        if view.place:
            lines.append("📍 " + html.escape(view.place))
        button = Button(t.gettext("↩️ I can't come after all"), WithdrawShift(shift.id))
        return Rendered("\n".join(lines), ((button,),))

    return render


async def send_due_reminders(
    session: AsyncSession, catalogs: Catalogs, hours: int, now: datetime | None = None
) -> int:
    """Remind those signed up for shifts starting within `hours`, once each. Returns how many
    deliveries were added."""
    now = now or session_now(session)
    added = 0
    for shift in await q.starting_between(session, now, now + timedelta(hours=hours)):
        ids = await q.resident_ids(session, [shift.id])
        if not ids:
            continue
        call = await get_call(session, shift.call_id)
        view = await view_of(session, call, None)
        render = render_reminder(catalogs, view, view.shift(shift.id))
        key = f"reminder:shift:{shift.id}"
        existing = await oq.notice_by_key(session, key)
        if existing is None:
            try:
                async with session.begin_nested():
                    result = await to_signed_up(
                        session,
                        catalogs,
                        NoticeKind.SHIFT_REMINDER,
                        ids,
                        call.network_id,
                        render,
                        now,
                        dedupe_key=key,
                    )
                if result is not None:
                    added += sum(result.by_locale.values())
                    shift.reminded_at = now
            except IntegrityError:
                continue  # another process made it first
        else:
            late = await oq.add_missing_deliveries(session, existing, ids, now)
            new = {(r.locale or catalogs.default_locale, r.channel) for r in late}
            new -= await oq.rendered(session, existing.id)
            if new:
                rows = []
                for locale, channel in sorted(new):
                    rendered = render(locale, channel)
                    rows.append(
                        {
                            "notice_id": existing.id,
                            "locale": locale,
                            "channel": channel,
                            "text": rendered.text,
                            "markup": rendered.markup_json(),
                            "attachment": rendered.attachment,
                        }
                    )
                await oq.add_renderings(session, rows)
            added += len(late)
    await session.commit()
    return added
