"""/settings: instant notices or the weekly digest only, the digest on or off, quiet hours."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Catalogs, Translator
from bot.phone_numbers import masked
from bot.services import phone_link, preferences
from bot.services.actions import MenuItem, OpenMenu
from bot.services.actors import Actor
from bot.services.preferences import QUIET_CHOICES, NoticePreferences
from db.models import NotifyMode
from handlers.callbacks import SettingsAction, SettingsCb
from handlers.filters import Act, FreeText, Onboarded
from handlers.keyboards import button, markup, rows
from handlers.replies import show, stale
from handlers.states import PhoneFlow


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def settings_text(
    t: Translator,
    prefs: NoticePreferences,
    settings: Settings,
    phone: phone_link.PhoneStatus | None = None,
) -> str:
    if prefs.notify_mode is NotifyMode.INSTANT:
        mode = t.gettext("You get notices as they come.")
    else:
        mode = t.gettext("You get everything once a week, in the digest.")
    if prefs.digest:
        weekday, at = settings.digest_at
        # Formatted outside the call: the catalog extractor skips calls holding an f-string.
        time_of_day = f"{at.hour:02d}:{at.minute:02d}"
        digest = t.gettext(
            "📰 Weekly digest: {day} at {time}.", day=t.weekday_name(weekday), time=time_of_day
        )
    else:
        digest = t.gettext("📰 The weekly digest is off.")
    if prefs.quiet:
        quiet = t.gettext(
            "Quiet hours: {start}–{end}. Notices wait until the morning.",
            start=_clock(prefs.quiet_start),
            end=_clock(prefs.quiet_end),
        )
    else:
        quiet = t.gettext("No quiet hours: notices come at any time.")
    parts = ["<b>" + t.gettext("Settings") + "</b>", mode, digest, quiet]
    if phone is not None:
        parts.append(phone_text(t, phone))
    return "\n\n".join(parts)


def phone_text(t: Translator, phone: phone_link.PhoneStatus) -> str:
    if phone.phone is None:
        return t.gettext(
            "📱 No phone number. Add one to get notices by SMS when Telegram can't reach you."
        )
    number = t.gettext("📱 Phone: {number}", number=masked(phone.phone))
    if phone.fallback:
        return number + "\n" + t.gettext("SMS if Telegram can't reach me: on")
    return number + "\n" + t.gettext("SMS if Telegram can't reach me: off")


def settings_keyboard(
    t: Translator, prefs: NoticePreferences, phone: phone_link.PhoneStatus | None = None
) -> InlineKeyboardMarkup:
    def mark(on: bool, label: str) -> str:
        return f"✓ {label}" if on else label

    modes = [
        button(
            mark(prefs.notify_mode is NotifyMode.INSTANT, t.gettext("Notices as they come")),
            SettingsCb(action=SettingsAction.MODE, value=0),
        ),
        button(
            mark(prefs.notify_mode is NotifyMode.DIGEST, t.gettext("Weekly digest only")),
            SettingsCb(action=SettingsAction.MODE, value=1),
        ),
    ]
    digest = [
        button(
            mark(prefs.digest, t.gettext("Digest on")),
            SettingsCb(action=SettingsAction.DIGEST, value=1),
        ),
        button(
            mark(not prefs.digest, t.gettext("Digest off")),
            SettingsCb(action=SettingsAction.DIGEST, value=0),
        ),
    ]
    quiet = []
    for index, (start, end) in enumerate(QUIET_CHOICES):
        label = f"{_clock(start)}–{_clock(end)}" if start != end else t.gettext("No quiet hours")
        quiet.append(
            button(
                mark((prefs.quiet_start, prefs.quiet_end) == (start, end), label),
                SettingsCb(action=SettingsAction.QUIET, value=index),
            )
        )
    phones = []
    if phone is not None and phone.phone is None:
        phones.append(
            button(t.gettext("📱 Add phone number"), SettingsCb(action=SettingsAction.PHONE))
        )
    elif phone is not None:
        phones.append(
            button(
                mark(phone.fallback, t.gettext("SMS if Telegram can't reach me")),
                SettingsCb(action=SettingsAction.FALLBACK, value=0 if phone.fallback else 1),
            )
        )
        phones.append(
            button(t.gettext("Remove phone number"), SettingsCb(action=SettingsAction.UNLINK))
        )
    home = [button(t.gettext("« Menu"), OpenMenu(MenuItem.HOME))]
    return markup(rows(modes, 1), [digest], rows(quiet, 2), rows(phones, 1), [home])


async def _show(
    target: Message | CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    prefs = await preferences.get(session, actor)
    phone = await _phone(session, actor, settings)
    await show(target, settings_text(t, prefs, settings, phone), settings_keyboard(t, prefs, phone))


async def _phone(
    session: AsyncSession, actor: Actor, settings: Settings
) -> phone_link.PhoneStatus | None:
    """The phone section's state, or None where SMS is not configured (no section at all)."""
    if settings.sms_gateway is None:
        return None
    return await phone_link.status(session, actor)


async def settings_command(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    await state.clear()
    await _show(message, session, actor, t, settings)


async def settings_button(
    query: CallbackQuery, session: AsyncSession, actor: Actor, t: Translator, settings: Settings
) -> None:
    await query.answer()
    await _show(query, session, actor, t, settings)


async def _saved(
    query: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
    prefs: preferences.NoticePreferences,
) -> None:
    await query.answer(t.gettext("Saved."))
    phone = await _phone(session, actor, settings)
    await show(query, settings_text(t, prefs, settings, phone), settings_keyboard(t, prefs, phone))


async def notify_mode(
    query: CallbackQuery,
    callback_data: SettingsCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    mode = NotifyMode.DIGEST if callback_data.value else NotifyMode.INSTANT
    prefs = await preferences.update(session, actor, notify_mode=mode)
    await _saved(query, session, actor, t, settings, prefs)


async def digest(
    query: CallbackQuery,
    callback_data: SettingsCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    prefs = await preferences.update(session, actor, digest=bool(callback_data.value))
    await _saved(query, session, actor, t, settings, prefs)


async def quiet_hours(
    query: CallbackQuery,
    callback_data: SettingsCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    prefs = await preferences.update(session, actor, quiet=QUIET_CHOICES[callback_data.value])
    await _saved(query, session, actor, t, settings, prefs)


# ---- the phone number: linking it with a code, the SMS fallback, removing it ---------------


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
    await _show(query, session, actor, t, settings)


async def remove_phone(
    query: CallbackQuery, session: AsyncSession, actor: Actor, t: Translator, settings: Settings
) -> None:
    if settings.sms_gateway is None:
        await stale(query, t)
        return
    await phone_link.unlink_phone(session, actor)
    await query.answer(t.gettext("Saved."))
    await _show(query, session, actor, t, settings)


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
            "We sent a code by SMS to {number}. Type it here (it is valid for {minutes} "
            "minutes), or /cancel.",
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
    await _show(message, session, actor, t, settings)


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="settings")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    router.message.register(settings_command, Command("settings"))
    router.callback_query.register(settings_button, Act(OpenMenu, F.item == MenuItem.SETTINGS))
    router.callback_query.register(
        notify_mode, SettingsCb.filter((F.action == SettingsAction.MODE) & F.value.in_({0, 1}))
    )
    router.callback_query.register(
        digest, SettingsCb.filter((F.action == SettingsAction.DIGEST) & F.value.in_({0, 1}))
    )
    router.callback_query.register(
        quiet_hours,
        SettingsCb.filter(
            (F.action == SettingsAction.QUIET) & F.value.in_(range(len(QUIET_CHOICES)))
        ),
    )
    router.callback_query.register(add_phone, SettingsCb.filter(F.action == SettingsAction.PHONE))
    router.callback_query.register(
        sms_fallback,
        SettingsCb.filter((F.action == SettingsAction.FALLBACK) & F.value.in_({0, 1})),
    )
    router.callback_query.register(
        remove_phone, SettingsCb.filter(F.action == SettingsAction.UNLINK)
    )
    router.message.register(phone_number, PhoneFlow.phone, FreeText())
    router.message.register(phone_code, PhoneFlow.code, FreeText())
    return router
