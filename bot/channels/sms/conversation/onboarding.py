"""Onboarding by SMS, and stopping: a text from an unknown number gets a numbered language
choice, then a short privacy notice to accept with "1", and how to stop.

STOP is honoured at once and never overridden: the resident's waiting SMS are dropped, no
broadcast or notice reaches them by SMS again, and only their own START brings them back.
"""

from __future__ import annotations

from bot.channels.sms.conversation import memberships
from bot.channels.sms.conversation.texts import language_menu
from bot.channels.sms.conversation.turn import Turn
from bot.i18n import SHIPPED_LOCALES
from bot.services.actions import AcceptPrivacy, ChooseLanguage, LocaleCode
from bot.sms_keywords import Command, Parsed, shown
from db.models import NoticeKind
from db.queries import outbox as oq

PRIVACY_SEGMENTS = 3


async def offer_languages(turn: Turn) -> None:
    turn.ask([ChooseLanguage(LocaleCode(loc)) for loc in SHIPPED_LOCALES], step="language")
    await turn.reply(language_menu())


async def offer_privacy(turn: Turn) -> None:
    t = turn.t
    turn.ask([AcceptPrivacy()], step="privacy")
    # Three segments, once per resident: the notice is read whole before "1" accepts it, and
    # in Ukrainian or Dari two would cut off "Reply 1 to accept".
    text = (
        # Translators: by SMS, at most 3 segments.
        t.gettext(
            "{municipality} keeps your number, language, networks and what you send us, to "
            "run Naboskap. {stop} stops SMS, {delete} deletes it all. Reply 1 to accept.",
            municipality=turn.context.municipality,
            stop=shown(Command.STOP, t.locale),
            delete=shown(Command.DELETE, t.locale),
        )
    )
    await turn.reply(text, segments=PRIVACY_SEGMENTS)


async def welcome_or_continue(turn: Turn) -> None:
    """Onboarding where the resident left it, if they had not finished it."""
    if turn.resident.locale is None:
        await offer_languages(turn)
    elif turn.resident.privacy_accepted_at is None:
        await offer_privacy(turn)


async def choose_language(turn: Turn, locale: str) -> None:
    """A language chosen from the menu: onboarding goes on to the privacy notice."""
    resident = turn.resident
    first_time = resident.locale is None
    resident.locale = locale
    turn.speak(locale)
    turn.ask([])
    if first_time or resident.privacy_accepted_at is None:
        await offer_privacy(turn)
    else:
        await turn.reply(turn.t.gettext("Language changed."))


async def accept_privacy(turn: Turn) -> None:
    """The privacy notice accepted: welcome, and join what their first message asked for."""
    t = turn.t
    turn.resident.privacy_accepted_at = turn.now
    pending = turn.data().get("join")
    turn.ask([])
    turn.set_data()
    await turn.reply(
        t.gettext(
            "Welcome to Naboskap! Send {networks} to see networks and {help} for all "
            "commands. {stop} stops everything.",
            networks=shown(Command.NETWORKS, t.locale),
            help=shown(Command.HELP, t.locale),
            stop=shown(Command.STOP, t.locale),
        )
    )
    if isinstance(pending, str):  # what they asked for in their first message
        await memberships.by_keyword(turn, Command.JOIN, pending)


async def stop(turn: Turn) -> None:
    t = turn.t
    resident = turn.resident
    resident.sms_stopped_at = turn.now
    turn.ask([], step=None)
    turn.set_data()
    # What was waiting for them by SMS is dropped now, not sent on the way out.
    await oq.drop_waiting_sms(turn.session, resident.id, "stopped by the resident")
    await turn.reply(
        t.gettext(
            "You will get no more SMS from Naboskap. Send {start} if you want to come back.",
            start=shown(Command.START, t.locale),
        ),
        kind=NoticeKind.SMS_STOPPED,
    )


async def while_stopped(turn: Turn, parsed: Parsed | None) -> None:
    """A text from someone who sent STOP: only START brings them back."""
    t = turn.t
    if parsed is not None and parsed.command is Command.START:
        turn.resident.sms_stopped_at = None
        await turn.reply(t.gettext("Welcome back!"))
        await welcome_or_continue(turn)
    else:
        await turn.reply(
            t.gettext(
                "You have stopped all SMS from Naboskap. Send {start} to start again.",
                start=shown(Command.START, t.locale),
            )
        )
