"""/requests: open requests a resident could help with (with "I can help" and "Report"), and
their own open requests, which they can mark done or withdraw."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Catalogs, Translator
from bot.services import help as helping
from bot.services.actions import BlockMatch, OfferHelp, ReportMatch, WriteToMatch
from bot.services.actors import Actor
from bot.services.help import SENSITIVE, RequestView
from db.models import RequestStatus
from handlers.callbacks import HelpAction, HelpCb
from handlers.help.screens import reported_text, request_line, status_label
from handlers.keyboards import button, markup, rows
from handlers.replies import quote, show


async def requests_command(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await state.clear()
    theirs = await helping.open_requests(session, actor)
    mine = [
        r
        for r in await helping.my_requests(session, actor)
        if r.status in (RequestStatus.OPEN, RequestStatus.MATCHED)
    ]
    if not theirs and not mine:
        await message.answer(
            t.gettext("No open requests right now. /ask asks for help, /offer offers it.")
        )
        return
    for view in theirs[:10]:
        keyboard = markup(
            [[button(t.gettext("🙋 I can help"), OfferHelp(view.id))]],
            [
                [
                    button(
                        t.gettext("⚠️ Report"),
                        HelpCb(action=HelpAction.REPORT, request_id=view.id),
                    )
                ]
            ],
        )
        note = ("\n\n<i>" + helping.safety_note(t) + "</i>") if view.category in SENSITIVE else ""
        await message.answer(request_line(t, view) + note, reply_markup=keyboard)
    for view in mine:
        await message.answer(_mine_text(t, view), reply_markup=_mine_keyboard(t, view))


def _mine_text(t: Translator, view: RequestView) -> str:
    text = (
        "<b>"
        + t.gettext("Your request ({status})", status=status_label(t, view.status))
        + "</b>\n"
        + request_line(t, view)
    )
    if view.helper_name:
        text += "\n" + t.gettext("Helper: {name}", name=quote(view.helper_name))
    return text


def _mine_keyboard(t: Translator, view: RequestView) -> InlineKeyboardMarkup:
    buttons = []
    if view.status is RequestStatus.MATCHED:
        buttons.append(button(t.gettext("💬 Write"), WriteToMatch(view.id)))
        buttons.append(button(t.gettext("⚠️ Report the helper"), ReportMatch(view.id)))
        buttons.append(button(t.gettext("⛔ Block"), BlockMatch(view.id)))
    buttons.append(
        button(t.gettext("✅ Done, thank you"), HelpCb(action=HelpAction.DONE, request_id=view.id))
    )
    buttons.append(
        button(t.gettext("Withdraw"), HelpCb(action=HelpAction.WITHDRAW, request_id=view.id))
    )
    return markup(rows(buttons, 1))


async def close(
    query: CallbackQuery,
    callback_data: HelpCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    done = callback_data.action is HelpAction.DONE
    view = await helping.close(session, actor, catalogs, callback_data.request_id, done=done)
    await query.answer()
    await show(query, _mine_text(t, view))


async def report(
    query: CallbackQuery,
    callback_data: HelpCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
) -> None:
    new = await helping.report(
        session, actor, catalogs, callback_data.request_id, limits=settings.rate_limits
    )
    await query.answer(reported_text(t, new), show_alert=True)


def register(router: Router) -> None:
    router.message.register(requests_command, Command("requests"))
    router.callback_query.register(
        close, HelpCb.filter(F.action.in_({HelpAction.DONE, HelpAction.WITHDRAW}))
    )
    router.callback_query.register(report, HelpCb.filter(F.action == HelpAction.REPORT))
