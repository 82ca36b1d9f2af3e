"""Reminders before an event, for those who said they are coming: one notice per event (its
dedupe key), one delivery per resident, so the scheduler can run this as often as it likes and
two processes can run it at once; late "coming" answers are added to the existing notice."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.delivery.messages import Rendered
from bot.i18n import Catalogs
from bot.services.events.notices import render_event
from bot.services.events.views import load_view, translated
from bot.services.machine_texts import reader_locales
from db.models import Answer, NoticeKind
from db.queries import events as q
from db.queries import outbox as oq
from db.session import session_now

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation


def _stored(rendered: Rendered) -> dict[str, str | None]:
    return {
        "text": rendered.text,
        "markup": rendered.markup_json(),
        "attachment": rendered.attachment,
    }


async def send_due_reminders(
    session: AsyncSession,
    catalogs: Catalogs,
    hours: int,
    now: datetime | None = None,
    machine: MachineTranslation | None = None,
) -> int:
    """For events starting within `hours`, remind those who said they are coming, once;
    in their language as the event's notice was, from the machine translations cached then.

    The reminder notice is unique per event (its dedupe key) and its deliveries unique per
    resident, so running this again (or in two processes) adds only late "coming" answers."""
    now = now or session_now(session)
    added = 0
    for event in await q.starting_between(session, now, now + timedelta(hours=hours)):
        ids = await q.attendee_ids(session, event.id, (Answer.YES,))
        if not ids:
            continue
        key = f"reminder:event:{event.id}"
        existing = await oq.notice_by_key(session, key)
        recipients = await oq.residents(session, ids)
        readers = reader_locales(recipients, catalogs.default_locale)
        view = await translated(await load_view(session, event), machine, readers, cached_only=True)
        if existing is None:
            try:
                async with session.begin_nested():
                    result = await outbox.enqueue(
                        session,
                        kind=NoticeKind.REMINDER,
                        recipients=recipients,
                        render=render_event(catalogs, view, NoticeKind.REMINDER),
                        zone=catalogs.zone,
                        default_locale=catalogs.default_locale,
                        network_id=event.network_id,
                        event_id=event.id,
                        dedupe_key=key,
                        digest_hold=False,
                        now=now,
                    )
                added += sum(result.by_locale.values())
            except IntegrityError:
                continue  # another process made it first
        else:
            late = await oq.add_missing_deliveries(session, existing, ids, now)
            new = {(r.locale or catalogs.default_locale, r.channel) for r in late}
            new -= await oq.rendered(session, existing.id)
            if new:
                render = render_event(catalogs, view, NoticeKind.REMINDER)
                await oq.add_renderings(
                    session,
                    [
                        {
                            "notice_id": existing.id,
                            "locale": loc,
                            "channel": channel,
                            **_stored(render(loc, channel)),
                        }
                        for loc, channel in sorted(new)
                    ],
                )
            added += len(late)
    await session.commit()
    return added
