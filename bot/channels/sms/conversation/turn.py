"""One turn of an SMS conversation: a resident's text being answered.

Every step of the conversation works on the same few things — the session, what the whole
channel shares (`Context`), the resident and their conversation state, their language, and
the time the text came in — so they travel together as one `Turn` instead of as five
arguments to every function.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import RateLimits
from bot.i18n import Catalogs, Translator
from bot.pages import join
from bot.services import actions
from bot.services.actions import Action
from bot.services.actors import Actor
from bot.services.rate_limits import DEFAULT_LIMITS

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation
from bot.services.sms_replies import queue_reply, sms_pages
from bot.sms_keywords import Command as SmsCommand
from bot.sms_keywords import shown
from bot.sms_segments import count, gsm_safe
from bot.sms_texts import REPLY_SEGMENTS, plain
from db.models import NoticeKind, Resident, SmsConversation

MAX_LISTED = 60  # networks or events offered by number; MORE walks them a reply at a time
_MORE = "more"  # the key in `data` of the pages of the last list not yet sent


@dataclass(frozen=True)
class Context:
    """What every conversation shares: the catalogs, the municipality that runs Naboskap,
    the per-resident rate limits (`RATE_LIMIT_*`) and the machine translator, if any."""

    catalogs: Catalogs
    municipality: str
    limits: RateLimits = DEFAULT_LIMITS
    machine: MachineTranslation | None = None


@dataclass
class Turn:
    """One inbound text being answered. `t` speaks the resident's language and follows it when
    they choose another."""

    session: AsyncSession
    context: Context
    resident: Resident
    conversation: SmsConversation
    t: Translator
    now: datetime

    @property
    def actor(self) -> Actor:
        """The resident as the services see them: never a coordinator by SMS (roles are for the
        bot and the command line)."""
        resident = self.resident
        return Actor(
            resident_id=resident.id,
            telegram_id=resident.telegram_id,
            locale=resident.locale,
            is_coordinator=False,
            onboarded=resident.privacy_accepted_at is not None and resident.locale is not None,
        )

    def speak(self, locale: str) -> None:
        """Answer in `locale` from now on."""
        self.t = self.context.catalogs.translator(locale)

    async def reply(
        self, text: str, kind: NoticeKind = NoticeKind.SMS_REPLY, segments: int = REPLY_SEGMENTS
    ) -> None:
        """Queue an SMS to the resident (already in their language), cut to two segments
        unless the text's message allows more (see `bot.catalog_review`)."""
        await queue_reply(
            self.session, self.context.catalogs, self.resident, text, self.now, kind, segments
        )

    @property
    def options(self) -> list[str]:
        """The packed actions of the last numbered question (see `bot.services.actions`)."""
        return list(json.loads(self.conversation.options or "[]"))

    def ask(self, options: Sequence[Action], step: str | None = None) -> None:
        """Remember what each number of the question we are sending means, and the step a plain
        answer to it belongs to."""
        self.conversation.options = json.dumps([actions.pack(option) for option in options])
        self.conversation.step = step
        self.conversation.updated_at = self.now
        # A new question ends the last list: MORE must not show numbers that mean nothing now.
        data = self.data()
        if data.pop(_MORE, None) is not None:
            self.set_data(**data)

    async def reply_list(
        self, header: str, rows: Sequence[str], options: Sequence[Action], step: str | None = None
    ) -> None:
        """A numbered list as one reply within the segment cap; what does not fit waits for
        MORE (the rest is kept with the conversation). The numbers run on across the replies,
        so every number of the list keeps its meaning."""
        self.ask(options, step)
        more = self._more_line()
        pages = sms_pages(header, rows, more)
        texts = [
            join(header if p.number == 0 else "", p.rows, more if p.has_next else "") for p in pages
        ]
        if len(texts) > 1:
            self.set_data(**self.data(), **{_MORE: texts[1:]})
        await self.reply(texts[0])

    def _more_line(self) -> str:
        return self.t.gettext(
            "Reply {more} for the rest.", more=shown(SmsCommand.MORE, self.t.locale)
        )

    def fitted_row(self, header: str, lead: str, title: str, trail: str = "") -> str:
        """`lead + title + trail` as a row of a list under `header`, the title shortened
        (never the lead's number or the trail's time) until the row fits one reply with the
        list's instructions: a row split over two replies reads as two and costs one more."""
        more = self._more_line()

        def fits(row: str) -> bool:
            page = join(header, [row], more)
            return count(gsm_safe(plain(page))).segments <= REPLY_SEGMENTS

        row = f"{lead}{title}{trail}"
        keep = len(title)
        while not fits(row) and keep > 3:
            keep = max(3, keep - 3)
            row = f"{lead}{title[:keep].rstrip(' ,.;:')}…{trail}"
        return row

    async def more(self) -> bool:
        """Send the next part of the last list, if there is one."""
        data = self.data()
        rest = data.get(_MORE)
        if not isinstance(rest, list) or not rest:
            return False
        first, *others = (str(text) for text in rest)
        if others:
            data[_MORE] = others
        else:
            data.pop(_MORE)
        self.set_data(**data)
        await self.reply(first)
        return True

    def data(self) -> dict[str, object]:
        """What a multi-step flow has collected so far."""
        return dict(json.loads(self.conversation.data or "{}"))

    def set_data(self, **values: object) -> None:
        self.conversation.data = json.dumps(values) if values else None
