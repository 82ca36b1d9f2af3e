"""Polls by SMS: the numbers of a poll notice (or of a poll opened from POLLS) answer it — "2",
or "1 3" for several in a multiple-choice poll, the whole answer at once; "Other" asks for
the resident's own words, which their next text is. POLLS lists the open polls by number,
a reply at a time with MORE.

By SMS an answer is given whole rather than toggled (there is no ✅ to see): "2" after "1"
means 2, not 1 and 2."""

from __future__ import annotations

import re

from bot.channels.sms.conversation.texts import refusal
from bot.channels.sms.conversation.turn import MAX_LISTED, Turn
from bot.services import actions, polls
from bot.services.actions import PollOpen, PollOther, PollVote
from bot.services.errors import NotFound, ServiceError
from bot.services.polls import PollView
from bot.services.polls.notices import how_to_answer, option_buttons
from bot.sms_texts import REPLY_SEGMENTS, choices_line, fit_with_tail, plain
from db.models import Channel

OTHER_STEP = "poll_other"  # the resident's next text is their words for "Other"
# Several numbers in one text: "1 3", "1,3", "1, 3", "١ ٣".
_SEVERAL = re.compile(r"^\s*\d+(?:[\s,;.]+\d+)+\s*$")


def several_numbers(text: str) -> list[int] | None:
    """The numbers of a text made of two or more numbers, else None."""
    if not _SEVERAL.match(text):
        return None
    return [int(part) for part in re.split(r"[\s,;.]+", text.strip()) if part]


def _chosen_text(turn: Turn, view: PollView) -> str:
    texts = view.texts_for(turn.t.locale)
    labels = [
        label
        for o, label in zip(view.options, texts.options, strict=True)
        if o.id in view.my_choices
    ]
    if view.my_other is not None:
        labels.append(turn.t.gettext("Other"))
    return turn.t.gettext(
        "Thank you! Your answer is saved: {choices}. You can change it until {when}.",
        choices=", ".join(labels),
        when=turn.t.format_datetime(view.closes_at, "short"),
    )


async def list_open(turn: Turn) -> None:
    """POLLS: the open polls the resident may answer, a number to open each."""
    t = turn.t
    views, _ = await polls.open_polls(
        turn.session, turn.actor, 0, MAX_LISTED, machine=turn.context.machine
    )
    if not views:
        await turn.reply(t.gettext("No open polls in your networks right now."))
        return
    header = t.gettext("Reply with a number to answer a poll.")
    await turn.reply_list(
        header,
        [
            turn.fitted_row(
                header,
                f"{n}. ",
                view.texts_for(t.locale).question,
                " ("
                + t.gettext("closes {when}", when=t.format_datetime(view.closes_at, "short"))
                + ")",
            )
            for n, view in enumerate(views, 1)
        ],
        [PollOpen(v.id) for v in views],
    )


async def open_poll(turn: Turn, poll_id: int) -> None:
    """A poll's question and its numbered options, as its notice reads by SMS."""
    t = turn.t
    view = await polls.get(turn.session, turn.actor, poll_id, machine=turn.context.machine)
    if not view.is_open(turn.now):
        await turn.reply(t.gettext("This poll is closed."))
        return
    buttons = [b for row in option_buttons(t, view, channel=Channel.SMS) for b in row]
    body = plain(
        "\n".join(
            [
                view.texts_for(t.locale).question,
                how_to_answer(t, view, Channel.SMS),
            ]
        )
    )
    text = fit_with_tail(body, choices_line(t, [plain(b.text) for b in buttons]), REPLY_SEGMENTS)
    turn.ask([b.action for b in buttons])
    await turn.reply(text)


async def vote(turn: Turn, poll_id: int, option_id: int) -> None:
    view = await polls.choose(turn.session, turn.actor, poll_id, {option_id}, now=turn.now)
    await turn.reply(_chosen_text(turn, view))


async def ask_other(turn: Turn, poll_id: int) -> None:
    await polls.may_answer_other(turn.session, turn.actor, poll_id, now=turn.now)
    turn.ask([], OTHER_STEP)
    turn.set_data(poll=poll_id)
    await turn.reply(turn.t.gettext("Write your answer in your own words."))


async def collect_other(turn: Turn, text: str) -> None:
    """The resident's words for "Other" (the step `ask_other` set)."""
    poll_id = turn.data().get("poll")
    turn.ask([], None)
    turn.set_data()
    try:
        if not isinstance(poll_id, int):
            raise NotFound()
        view = await polls.answer_other(
            turn.session, turn.actor, poll_id, text, Channel.SMS, now=turn.now
        )
    except ServiceError as error:
        await turn.reply(refusal(turn.t, error))
        return
    await turn.reply(_chosen_text(turn, view))


async def choose_several(turn: Turn, numbers: list[int]) -> None:
    """ "1 3": several options of the poll the last numbered question was about, at once; with
    "Other" among them, its words are asked next."""
    t = turn.t
    options = turn.options
    if any(not 1 <= n <= len(options) for n in numbers):
        await turn.reply(
            t.gettext("Please reply with a number from 1 to {last}.", last=len(options))
        )
        return
    chosen = [actions.parse(options[n - 1]) for n in dict.fromkeys(numbers)]
    votes = [a for a in chosen if isinstance(a, PollVote)]
    others = [a for a in chosen if isinstance(a, PollOther)]
    polls_named = {v.poll_id for v in votes} | {o.poll_id for o in others}
    if len(polls_named) != 1 or len(votes) + len(others) != len(chosen):
        # Several numbers answer one poll's options; anything else takes one number.
        await turn.reply(t.gettext("Please reply with one number."))
        return
    poll_id = polls_named.pop()
    try:
        view = None
        if votes:
            view = await polls.choose(
                turn.session, turn.actor, poll_id, {a.option_id for a in votes}, now=turn.now
            )
        if others:
            await ask_other(turn, poll_id)
            return
    except ServiceError as error:
        await turn.reply(refusal(t, error))
        return
    if view is not None:
        await turn.reply(_chosen_text(turn, view))
