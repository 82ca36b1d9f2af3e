"""The host's message to those signed up for a call (or one of its shifts): through the
outbox, in the host's words, machine-translated for readers of other languages where a
translator is configured (as broadcasts are), with "Show original" on Telegram."""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.delivery.messages import Rendered
from bot.edge_input import clean_text
from bot.i18n import Catalogs
from bot.services import machine_texts
from bot.services.actions import OriginalOf
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound
from bot.services.volunteering.calls import hosted_call
from bot.services.volunteering.views import view_of
from db.models import Channel, NoticeKind
from db.queries import outbox as oq
from db.queries import volunteering as q
from db.session import session_now

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation

TEXT_MAX = 1000


async def recipients_of(
    session: AsyncSession, actor: Actor, call_id: int, shift_id: int | None = None
) -> int:
    """How many a message to the call (or one shift) would reach: for the host's question."""
    call = await hosted_call(session, actor, call_id)
    view = await view_of(session, call, None)
    shifts = [s.id for s in view.shifts if shift_id in (None, s.id)]
    if shift_id is not None and not shifts:
        raise NotFound()
    return len(await q.resident_ids(session, shifts))


async def message_signed_up(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    call_id: int,
    text: str,
    *,
    shift_id: int | None = None,
    now: datetime | None = None,
    machine: MachineTranslation | None = None,
) -> outbox.Enqueued | None:
    """Send the host's words to everyone signed up for the call (or for `shift_id` of it);
    None when nobody is signed up."""
    now = now or session_now(session)
    text = clean_text(text).strip()
    if not text:
        raise InvalidInput("text", "empty")
    if len(text) > TEXT_MAX:
        raise InvalidInput("text", "too_long", TEXT_MAX)
    call = await hosted_call(session, actor, call_id)
    view = await view_of(session, call, None)
    shifts = [s.id for s in view.shifts if shift_id in (None, s.id)]
    if shift_id is not None and not shifts:
        raise NotFound()
    recipients = await oq.residents(session, await q.resident_ids(session, shifts))
    if not recipients:
        return None
    source = actor.locale or catalogs.default_locale
    # Translated before anything is written (bot.services.machine_texts says why).
    found = await machine_texts.for_readers(
        machine, (text,), source, machine_texts.reader_locales(recipients, catalogs.default_locale)
    )
    title = call.title

    def render_notice(notice_id: int) -> outbox.Render:
        def render(locale: str, channel: Channel) -> Rendered:
            t = catalogs.translator(locale)
            head = "<b>" + t.gettext("📣 About “{call}”", call=html.escape(title)) + "</b>"
            if locale in found:
                parts = [head, html.escape(found[locale][0])]
                parts.append("<i>" + machine_texts.machine_note(t, source) + "</i>")
                button = machine_texts.original_button(t, OriginalOf.NOTICE, notice_id)
                return Rendered("\n\n".join(parts), ((button,),))
            parts = [head, html.escape(text)]
            if source != locale:
                language = t.language_name(source)
                parts.append(
                    "<i>" + t.gettext("Written in {language}.", language=language) + "</i>"
                )
            return Rendered("\n\n".join(parts))

        return render

    result = await outbox.enqueue(
        session,
        kind=NoticeKind.SHIFT_MESSAGE,
        recipients=recipients,
        render_notice=render_notice,
        zone=catalogs.zone,
        default_locale=catalogs.default_locale,
        network_id=call.network_id,
        author_id=actor.resident_id,
        body=text,
        digest_hold=False,
        now=now,
    )
    await session.commit()
    return result
