"""For hosts and coordinators: /reports with hiding a request and suspending who asked, and
/stats, neighbour help in figures. The services check the roles again: buttons can be forged."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services import help as helping
from bot.services import networks
from bot.services.actors import Actor
from bot.services.help import category_label
from handlers.callbacks import HelpAction, HelpCb
from handlers.help.screens import status_label
from handlers.keyboards import button, markup
from handlers.replies import quote, show


async def reports_command(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await state.clear()
    found = await helping.reports(session, actor)
    if not found:
        await message.answer(t.gettext("No open reports."))
        return
    for r in found:
        lines = ["<b>" + t.gettext("Report") + "</b>", quote(r.request_text)]
        if r.reason:
            lines.append(t.gettext("Reason: {reason}", reason=quote(r.reason)))
        if r.reported_name:
            lines.append(t.gettext("About: {name}", name=quote(r.reported_name)))
        keyboard = markup(
            [
                [
                    button(
                        t.gettext("🙈 Hide the request"),
                        HelpCb(action=HelpAction.HIDE, request_id=r.request_id or 0),
                    )
                ]
            ],
            [
                [
                    button(
                        t.gettext("⛔ Suspend who asked"),
                        HelpCb(action=HelpAction.SUSPEND, request_id=r.request_id or 0),
                    )
                ]
            ],
        )
        await message.answer("\n".join(lines), reply_markup=keyboard)


async def hide(
    query: CallbackQuery, callback_data: HelpCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await helping.hide(session, actor, callback_data.request_id)
    await query.answer(t.gettext("Hidden."))
    await show(query, t.gettext("The request is hidden."))


async def suspend(
    query: CallbackQuery, callback_data: HelpCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await helping.suspend_requester(session, actor, callback_data.request_id)
    await query.answer(t.gettext("Suspended."))
    await show(query, t.gettext("The member can no longer ask or help in this network."))


async def stats_text(session: AsyncSession, actor: Actor, t: Translator) -> str:
    rows_ = await helping.stats(session, actor)
    names = {
        v.id: v.name for v in await networks.list_networks(session, actor, include_archived=True)
    }
    lines = ["<b>" + t.gettext("Neighbour help") + "</b>"]
    if not rows_:
        lines.append(t.gettext("No requests yet."))
    for row in rows_:
        lines += [
            "",
            f"<b>{quote(names.get(row.network_id, '?'))}</b> · "
            + t.ngettext("{n} active helper", "{n} active helpers", row.helpers_active),
        ]
        for category, counts in row.by_category.items():
            total = sum(counts.values())
            parts = ", ".join(f"{status_label(t, s)} {t.number(n)}" for s, n in counts.items())
            lines.append(f"{category_label(t, category)}: {t.number(total)} ({parts})")
    return "\n".join(lines)


async def stats_command(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await state.clear()
    await message.answer(await stats_text(session, actor, t))


async def stats_button(
    query: CallbackQuery, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    text = await stats_text(session, actor, t)
    await query.answer()
    await show(query, text)


def register(router: Router) -> None:
    router.message.register(reports_command, Command("reports"))
    router.message.register(stats_command, Command("stats"))
    router.callback_query.register(hide, HelpCb.filter(F.action == HelpAction.HIDE))
    router.callback_query.register(suspend, HelpCb.filter(F.action == HelpAction.SUSPEND))
    router.callback_query.register(stats_button, HelpCb.filter(F.action == HelpAction.STATS))
