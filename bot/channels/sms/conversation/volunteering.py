"""Volunteer calls by SMS: DUGNAD (VOLUNTEER, ...) lists the coming shifts of open calls in the
resident's networks, numbered; a number signs up for a shift with free slots or, for a shift
the resident is signed up for, withdraws from it (the list says which). The list pages with
MORE, each row fitted so the instruction survives. A notice's numbered choices (sign up, or
withdraw from a reminder) arrive here too.

By SMS the first name stays hidden from others signed up unless an earlier signup (on
Telegram) said it may be shown: asking would cost an SMS each way."""

from __future__ import annotations

from bot.channels.sms.conversation.turn import MAX_LISTED, Turn
from bot.services import volunteering
from bot.services.actions import Action, SignUpShift, WithdrawShift
from bot.services.volunteering import CallView, ShiftView
from db.models import Channel


def _row(turn: Turn, header: str, number: int, view: CallView, shift: ShiftView) -> str:
    t = turn.t
    when = volunteering.short_when(t, shift.starts_at, shift.ends_at)
    if shift.mine:  # the header says what the mark means
        return turn.fitted_row(header, f"{number}. *", view.title, f", {when}")
    trail = f", {when}, {volunteering.free_text(t, shift)}"
    return turn.fitted_row(header, f"{number}. ", view.title, trail)


async def list_shifts(turn: Turn) -> None:
    """The coming shifts with room (and those the resident is in), a number each."""
    t = turn.t
    views = await volunteering.open_calls(turn.session, turn.actor, now=turn.now)
    entries = [
        (view, shift)
        for view in views
        for shift in view.upcoming(turn.now)
        if shift.free or shift.mine
    ][:MAX_LISTED]
    if not entries:
        await turn.reply(t.gettext("No open volunteer calls in your networks right now."))
        return
    header = t.gettext("Reply a number to sign up.")
    if any(shift.mine for _, shift in entries):
        header += " " + t.gettext("*: you're in; its number withdraws.")
    rows = [_row(turn, header, n, view, shift) for n, (view, shift) in enumerate(entries, 1)]
    options: list[Action] = [
        WithdrawShift(shift.id) if shift.mine else SignUpShift(shift.id) for _, shift in entries
    ]
    await turn.reply_list(header, rows, options)


async def sign_up(turn: Turn, shift_id: int) -> None:
    t = turn.t
    result = await volunteering.sign_up(
        turn.session,
        turn.actor,
        turn.context.catalogs,
        shift_id,
        channel=Channel.SMS,
        now=turn.now,
    )
    when = volunteering.shift_when(t, result.shift.starts_at, result.shift.ends_at)
    if result.outcome is volunteering.Outcome.ALREADY:
        await turn.reply(t.gettext("You're already signed up for {when}.", when=when))
        return
    await turn.reply(
        t.gettext(
            "Thank you! You're signed up for {call}, {when}. We'll remind you before.",
            call=result.call.title[:60],
            when=when,
        )
    )


async def withdraw(turn: Turn, shift_id: int) -> None:
    view = await volunteering.withdraw(
        turn.session, turn.actor, turn.context.catalogs, shift_id, now=turn.now
    )
    await turn.reply(
        turn.t.gettext(
            "You're no longer signed up for {call}. Thank you for letting us know.",
            call=view.title[:60],
        )
    )
