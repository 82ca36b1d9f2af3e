"""Answering a poll from its notice or its card: a tap on an option (✅ on what is chosen, the
message shown again), and "Other: your words", whose words are the resident's next message."""

from __future__ import annotations

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import Translator
from bot.machine_translation.service import MachineTranslation
from bot.services import polls
from bot.services.actions import PollOther, PollPlace, PollVote
from bot.services.actors import Actor
from db.models import Channel
from handlers.filters import Act, FreeText
from handlers.polls.screens import show_card
from handlers.states import PollFlow

TOAST_MAX = 200  # answerCallbackQuery's text


async def vote(
    query: CallbackQuery,
    action: PollVote,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
    machine: MachineTranslation | None = None,
) -> None:
    view = await polls.vote(
        session, actor, action.poll_id, action.option_id, Channel.TELEGRAM, machine=machine
    )
    if view.answered:
        toast = t.gettext("Thank you! You can change your answer until the poll closes.")
    else:
        toast = t.gettext("Your answer is taken back.")
    if not view.multiple and view.answered and action.place is PollPlace.NOTICE:
        # As an event's notice keeps its text after an RSVP: the toast names the choice, and
        # no edit is spent on it. Edits count against Telegram's 30 messages a second, so a
        # town answering a poll notice at once would otherwise wait on one another.
        labels = view.texts_for(t.locale).options
        chosen = [
            label for o, label in zip(view.options, labels, strict=True) if o.id in view.my_choices
        ]
        text = "\n".join(["✅ " + label for label in chosen] + [toast])
        # A toast holds 200 characters: a long option (up to 100) in a long language is
        # enough said on its own.
        await query.answer(text if len(text) <= TOAST_MAX else "✅ " + chosen[0])
        return
    await query.answer(toast)
    await show_card(query, session, actor, t, view, clock.now())


async def other(
    query: CallbackQuery,
    action: PollOther,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    """Refused at once if "Other" cannot be answered, so nobody writes for nothing."""
    await polls.may_answer_other(session, actor, action.poll_id)
    await query.answer()
    await state.set_state(PollFlow.other)
    await state.update_data(poll_id=action.poll_id)
    if query.message is not None:
        await query.message.answer(
            t.ngettext(
                "Write your answer in your own words (at most {n} character), or /cancel.",
                "Write your answer in your own words (at most {n} characters), or /cancel.",
                polls.OTHER_MAX,
            )
        )


async def on_other(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
    machine: MachineTranslation | None = None,
) -> None:
    poll_id = int((await state.get_data()).get("poll_id", 0))
    view = await polls.answer_other(
        session, actor, poll_id, message.text or "", Channel.TELEGRAM, machine=machine
    )
    await state.clear()
    await message.answer(t.gettext("Thank you! Your words are saved."))
    await show_card(message, session, actor, t, view, clock.now())


def register(router: Router) -> None:
    router.callback_query.register(vote, Act(PollVote))
    router.callback_query.register(other, Act(PollOther))
    router.message.register(on_other, PollFlow.other, FreeText())
