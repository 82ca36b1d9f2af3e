"""After a match: writing to the other person through the bot, and reporting or blocking
them."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Catalogs, Translator
from bot.services import help as helping
from bot.services.actions import BlockMatch, ReportMatch, WriteToMatch
from bot.services.actors import Actor
from handlers.filters import Act, FreeText
from handlers.help.screens import reported_text
from handlers.states import HelpFlow


async def write_to_match(
    query: CallbackQuery,
    action: WriteToMatch,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    await helping.start_relay(session, actor, action.request_id)
    await state.clear()
    await state.update_data(relay=action.request_id)
    await state.set_state(HelpFlow.relay)
    await query.answer()
    await bot.send_message(
        query.from_user.id,
        t.gettext(
            "Write your message. Everything you send now goes to the other person, until /cancel."
        ),
    )


async def relay_text(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
) -> None:
    request_id = int((await state.get_data()).get("relay", 0))
    await helping.relay(
        session, actor, catalogs, request_id, message.text or "", limits=settings.rate_limits
    )
    await message.answer(t.gettext("✓ Sent."))


async def report_match(
    query: CallbackQuery,
    action: ReportMatch,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
) -> None:
    new = await helping.report(
        session,
        actor,
        catalogs,
        action.request_id,
        about_resident=True,
        limits=settings.rate_limits,
    )
    await query.answer(reported_text(t, new), show_alert=True)


async def block_match(
    query: CallbackQuery,
    action: BlockMatch,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    await helping.block(session, actor, action.request_id)
    await state.clear()
    await query.answer(
        t.gettext("Blocked. You won't hear from each other here again."), show_alert=True
    )


def register(router: Router) -> None:
    router.message.register(relay_text, HelpFlow.relay, FreeText())
    router.callback_query.register(write_to_match, Act(WriteToMatch))
    router.callback_query.register(report_match, Act(ReportMatch))
    router.callback_query.register(block_match, Act(BlockMatch))
