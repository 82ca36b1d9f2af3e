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

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import RateLimits
from bot.i18n import Catalogs, Translator
from bot.services import actions
from bot.services.actions import Action
from bot.services.actors import Actor
from bot.services.rate_limits import DEFAULT_LIMITS
from bot.services.sms_replies import queue_reply
from db.models import NoticeKind, Resident, SmsConversation

MAX_LISTED = 6  # networks or events in one reply


@dataclass(frozen=True)
class Context:
    """What every conversation shares: the catalogs, the municipality that runs Naboskap and
    the per-resident rate limits (`RATE_LIMIT_*`)."""

    catalogs: Catalogs
    municipality: str
    limits: RateLimits = DEFAULT_LIMITS


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

    async def reply(self, text: str, kind: NoticeKind = NoticeKind.SMS_REPLY) -> None:
        """Queue an SMS to the resident (already in their language), cut to two segments."""
        await queue_reply(self.session, self.context.catalogs, self.resident, text, self.now, kind)

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

    def data(self) -> dict[str, object]:
        """What a multi-step flow has collected so far."""
        return dict(json.loads(self.conversation.data or "{}"))

    def set_data(self, **values: object) -> None:
        self.conversation.data = json.dumps(values) if values else None
