"""The host's tools on an idea's card: answer it with a status and a reason in their own words
(every supporter is told), merge it into another idea of the network, pass it on to the
municipality's coordinators, hide it. The services check the role again on every press."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Catalogs, Translator
from bot.machine_translation.service import MachineTranslation
from bot.pages import Page
from bot.services import ideas
from bot.services.actors import Actor
from bot.services.errors import InvalidInput
from handlers.callbacks import IdeaAction, IdeaCb
from handlers.filters import FreeText
from handlers.help.moderation import reports_screen
from handlers.ideas.browse import card
from handlers.ideas.screens import card_keyboard, card_text, list_screen, supporters_label
from handlers.keyboards import button, markup
from handlers.paging import footer
from handlers.replies import quote, show, stale
from handlers.states import IdeaFlow

MERGE_PER_PAGE = 6
SHORT = 60  # characters of an idea on a merge button


async def status(
    query: CallbackQuery,
    callback_data: IdeaCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    """A status chosen: the reason is asked next, in the host's own words."""
    if callback_data.arg >= len(ideas.ANSWERS):
        await stale(query, t)
        return
    await ideas.require_answerer(session, actor, callback_data.idea_id)
    chosen = ideas.ANSWERS[callback_data.arg]
    await state.set_state(IdeaFlow.reason)
    await state.update_data(idea_id=callback_data.idea_id, idea_status=callback_data.arg)
    await query.answer()
    await show(
        query,
        t.gettext("New status: {status}", status=ideas.status_label(t, chosen))
        + "\n\n"
        + t.gettext(
            "Write a few words to the idea's supporters: why, what happens next, when. "
            "Every supporter gets them in their language. /cancel"
        ),
    )


async def reason(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    machine: MachineTranslation | None = None,
) -> None:
    data = await state.get_data()
    if "idea_id" not in data or int(data.get("idea_status", 99)) >= len(ideas.ANSWERS):
        await state.clear()
        await message.answer(
            t.gettext("This button no longer works. Send /start for a fresh menu.")
        )
        return
    words = (message.text or "").strip()
    if not words:
        raise InvalidInput("reason", "empty")
    view, told = await ideas.set_status(
        session,
        actor,
        catalogs,
        int(data["idea_id"]),
        ideas.ANSWERS[int(data["idea_status"])],
        words,
        machine=machine,
    )
    await state.clear()
    await message.answer(
        t.ngettext("Sent to {n} supporter.", "Sent to {n} supporters.", told)
        + "\n\n"
        + card_text(t, view),
        reply_markup=card_keyboard(t, view, True, 0),
    )


async def merge_choices(
    query: CallbackQuery, callback_data: IdeaCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    """The ideas of the same network this one could be merged into, a page at a time."""
    duplicate, others, number, pages = await ideas.merge_candidates(
        session, actor, callback_data.idea_id, callback_data.arg, MERGE_PER_PAGE
    )
    await query.answer()
    back = [button(t.gettext("« Back"), IdeaCb(action=IdeaAction.CARD, idea_id=duplicate.id))]
    if not others:
        await show(
            query,
            t.gettext("There is no other idea in this network to merge it into."),
            markup([back]),
        )
        return
    first = number * MERGE_PER_PAGE
    lines = [
        t.gettext("Merge this idea into which one? Its supporters' support moves there."),
        f"«{quote(duplicate.text)}»",
    ]
    keys: list[list[InlineKeyboardButton]] = []
    for n, other in enumerate(others, first + 1):
        supporters = supporters_label(t, other.supporters)
        lines.append(f"\n<b>{t.number(n)}.</b> «{quote(other.text)}» · {supporters}")
        short = other.text if len(other.text) <= SHORT else other.text[:SHORT].rstrip() + "…"
        keys.append(
            [
                button(
                    f"{t.number(n)}. {short}",
                    IdeaCb(action=IdeaAction.INTO, idea_id=duplicate.id, arg=other.id),
                )
            ]
        )
    page = Page((), number, pages, first)
    nav = []
    if page.has_previous:
        nav.append(
            button(
                t.gettext("‹ Previous"),
                IdeaCb(action=IdeaAction.MERGE, idea_id=duplicate.id, arg=number - 1),
            )
        )
    if page.has_next:
        nav.append(
            button(
                t.gettext("More ›"),
                IdeaCb(action=IdeaAction.MERGE, idea_id=duplicate.id, arg=number + 1),
            )
        )
    text = "\n".join(lines)
    if pages > 1:
        text += "\n\n" + footer(t, page)
    await show(query, text, markup(keys, [nav], [back]))


async def merge_into(
    query: CallbackQuery,
    callback_data: IdeaCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    target = await ideas.merge(session, actor, catalogs, callback_data.idea_id, callback_data.arg)
    await query.answer(t.gettext("Merged. Its supporters now support this idea."), show_alert=True)
    await show(query, card_text(t, target), card_keyboard(t, target, True, 0))


async def forward(
    query: CallbackQuery,
    callback_data: IdeaCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
    machine: MachineTranslation | None = None,
) -> None:
    sent = await ideas.forward(
        session, actor, catalogs, callback_data.idea_id, settings.coordinator_ids
    )
    text, keyboard = await card(session, actor, t, callback_data.idea_id, 0, machine)
    await query.answer(
        t.gettext("Passed on to the municipality's coordinators.")
        if sent
        else t.gettext("This idea was passed on already."),
        show_alert=True,
    )
    await show(query, text, keyboard)


async def hide(
    query: CallbackQuery,
    callback_data: IdeaCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    machine: MachineTranslation | None = None,
) -> None:
    """Hide an idea: from its card (the list follows) or from /reports (`arg` 1: the reports
    follow)."""
    await ideas.hide(session, actor, callback_data.idea_id)
    await query.answer(t.gettext("The idea is hidden."))
    if callback_data.arg == 1:
        text, keyboard, _ = await reports_screen(session, actor, t, 0)
        await show(query, text, keyboard)
        return
    text, keyboard, _ = await list_screen(session, actor, t, 0, machine)
    await show(query, text, keyboard)


def register(router: Router) -> None:
    router.callback_query.register(status, IdeaCb.filter(F.action == IdeaAction.STATUS))
    router.message.register(reason, IdeaFlow.reason, FreeText())
    router.callback_query.register(merge_choices, IdeaCb.filter(F.action == IdeaAction.MERGE))
    router.callback_query.register(merge_into, IdeaCb.filter(F.action == IdeaAction.INTO))
    router.callback_query.register(forward, IdeaCb.filter(F.action == IdeaAction.FORWARD))
    router.callback_query.register(hide, IdeaCb.filter(F.action == IdeaAction.HIDE))
