"""The phone number: linking it with a code by SMS, the SMS fallback, removing it."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Catalogs, Translator
from bot.phone_numbers import masked
from bot.services import phone_link
from bot.services.actors import Actor
from handlers.callbacks import SettingsCb
from handlers.replies import show, stale
from handlers.settings.screen import show_settings
from handlers.states import PhoneFlow


async def add_phone(
    query: CallbackQuery, state: FSMContext, t: Translator, settings: Settings
) -> None:
    if settings.sms_gateway is None:
        await stale(query, t)  # a button from when SMS was configured
        return
    await state.set_state(PhoneFlow.phone)
    await query.answer()
    await show(
        query,
        t.gettext("What is your mobile number? We will send a code to it by SMS. /cancel stops."),
    )


async def sms_fallback(
    query: CallbackQuery,
    callback_data: SettingsCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    if settings.sms_gateway is None:
        await stale(query, t)
        return
    await phone_link.set_sms_fallback(session, actor, bool(callback_data.value))
    await query.answer(t.gettext("Saved."))
    await show_settings(query, session, actor, t, settings)


async def remove_phone(
    query: CallbackQuery, session: AsyncSession, actor: Actor, t: Translator, settings: Settings
) -> None:
    if settings.sms_gateway is None:
        await stale(query, t)
        return
    await phone_link.unlink_phone(session, actor)
    await query.answer(t.gettext("Saved."))
    await show_settings(query, session, actor, t, settings)


async def phone_number(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
    catalogs: Catalogs,
) -> None:
    number = await phone_link.request_phone_code(
        session, actor, catalogs, message.text or "", settings.sms_default_region
    )
    await state.set_state(PhoneFlow.code)
    await message.answer(
        t.gettext(
            "If {number} can get SMS from us, a code is on its way. Type it here (it is valid "
            "for {minutes} minutes), or /cancel. No code? If that phone once sent STOP to us, "
            "send START from it first.",
            number=masked(number),
            minutes=int(phone_link.CODE_TTL.total_seconds() // 60),
        )
    )


async def phone_code(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    # A wrong code with tries left keeps the conversation (CodeRejected); type it again.
    await phone_link.confirm_phone_code(session, actor, message.text or "")
    await state.clear()
    await message.answer(
        t.gettext(
            '✅ Your phone number is linked. Turn on "SMS if Telegram can\'t reach me" '
            "below if you want it."
        )
    )
    await show_settings(message, session, actor, t, settings)
