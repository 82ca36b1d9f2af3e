"""Keyword commands by SMS (see `bot.sms_keywords`): HELP, LANGUAGE, DELETE, MY DATA, NETWORKS,
JOIN, LEAVE, EVENTS, ASK, OFFER, QUIET (quiet hours) and MORE (the rest of a list), in any
shipped language, once the resident is onboarded."""

from __future__ import annotations

from bot.channels.sms.conversation import (
    ideas,
    memberships,
    neighbour_help,
    onboarding,
    volunteering,
)
from bot.channels.sms.conversation import polls as poll_answers
from bot.channels.sms.conversation.texts import help_texts, refusal
from bot.channels.sms.conversation.turn import MAX_LISTED, Turn
from bot.i18n import NATIVE_NAMES, Translator
from bot.services import events, preferences, residents
from bot.services import help as helping
from bot.services.actions import ChooseQuietHours, ConfirmForget, Rsvp
from bot.services.errors import RateLimited
from bot.sms_keywords import Command, shown
from bot.sms_segments import count
from bot.sms_texts import REPLY_SEGMENTS, choices_line
from db.models import Answer


async def command(turn: Turn, command: Command, argument: str) -> None:
    """Answer one keyword and what follows it (`argument`, e.g. a network's name)."""
    t = turn.t
    if command in (Command.HELP, Command.START):
        for text in help_texts(t):
            await turn.reply(text)
    elif command is Command.LANGUAGE:
        await onboarding.offer_languages(turn)
    elif command is Command.DELETE:
        # The question says it all: after "1" nothing more is sent, since nothing is kept.
        turn.ask([ConfirmForget()])
        await turn.reply(
            t.gettext(
                "Reply 1 to delete your number, language, networks, answers and help requests "
                "for good. You will get no more SMS from us."
            )
        )
    elif command is Command.MYDATA:
        await _my_data(turn)
    elif command in (Command.NETWORKS, Command.JOIN, Command.LEAVE):
        await memberships.by_keyword(turn, command, argument)
    elif command is Command.EVENTS:
        await _events(turn)
    elif command is Command.POLL:
        await poll_answers.list_open(turn)
    elif command is Command.QUIET:
        await quiet_hours_menu(turn)
    elif command is Command.IDEA:
        await ideas.by_keyword(turn, argument)
    elif command is Command.VOLUNTEER:
        await volunteering.list_shifts(turn)
    elif command is Command.MORE:
        if not await turn.more():
            await turn.reply(t.gettext("There is nothing more to show."))
    elif command in (Command.ASK, Command.OFFER):
        if not await memberships.my_networks(turn):
            await turn.reply(t.gettext("Join a network first."))
            return
        if command is Command.ASK:
            try:  # over the limit, say so before they write what they need
                await helping.may_ask(
                    turn.session, turn.actor, now=turn.now, limits=turn.context.limits
                )
            except RateLimited as error:
                await turn.reply(refusal(t, error))
                return
        await neighbour_help.category_menu(turn, asking=command is Command.ASK)


async def _my_data(turn: Turn) -> None:
    """The right of access by SMS: what is kept, counted, in as few SMS as fit (never cut), and
    how to get the whole of it or delete it."""
    t = turn.t
    record = await residents.export(turn.session, turn.actor)
    names = ", ".join(m.network_name for m in record.memberships) or t.gettext("none yet")
    parts = [
        t.gettext(
            "We keep your number, your language ({language}) and your networks: {networks}.",
            language=NATIVE_NAMES.get(record.locale or "", "–"),
            networks=names,
        ),
        *(f"{line}." for line in residents.kept_counts(t, record)),
        t.gettext(
            "For a full copy, ask {municipality}. {delete} deletes it all.",
            municipality=turn.context.municipality,
            delete=shown(Command.DELETE, t.locale),
        ),
    ]
    text = ""
    for part in parts:
        joined = f"{text} {part}".strip()
        if text and count(joined).segments > REPLY_SEGMENTS:
            await turn.reply(text)
            joined = part
        text = joined
    await turn.reply(text)


async def _events(turn: Turn) -> None:
    """The next events in the resident's networks, a number to say they are coming."""
    t = turn.t
    views, _ = await events.upcoming(turn.session, turn.actor, limit=MAX_LISTED, now=turn.now)
    if not views:
        await turn.reply(t.gettext("No events coming up in your networks."))
        return
    header = t.gettext("Reply with a number to say you are coming.")
    await turn.reply_list(
        header,
        [
            turn.fitted_row(
                header, f"{n}. ", view.text_for(t.locale)[0], f", {events.when_text(t, view)}"
            )
            for n, view in enumerate(views, 1)
        ],
        [Rsvp(v.id, Answer.YES) for v in views],
    )


def quiet_hours_text(t: Translator, prefs: preferences.NoticePreferences) -> str:
    """The resident's quiet hours in a sentence, as /settings says them."""
    if not prefs.quiet:
        return t.gettext("No quiet hours: notices come at any time.")
    return t.gettext(
        "Quiet hours: {start}–{end}. Notices wait until the morning.",
        start=t.clock(prefs.quiet_start),
        end=t.clock(prefs.quiet_end),
    )


async def quiet_hours_menu(turn: Turn) -> None:
    """The quiet hours now, and the choices /settings offers, by number."""
    t = turn.t
    prefs = await preferences.get(turn.session, turn.actor)
    labels = [
        f"{t.clock(start)}-{t.clock(end)}" if start != end else t.gettext("No quiet hours")
        for start, end in preferences.QUIET_CHOICES
    ]
    turn.ask([ChooseQuietHours(n) for n in range(1, len(labels) + 1)])
    await turn.reply(f"{quiet_hours_text(t, prefs)}\n{choices_line(t, labels)}")
