"""The /settings screen: what it says, its buttons, and showing it again after a change."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Translator
from bot.phone_numbers import masked
from bot.services import phone_link, preferences
from bot.services.actions import MenuItem, OpenMenu
from bot.services.actors import Actor
from bot.services.preferences import QUIET_CHOICES, NoticePreferences
from db.models import NotifyMode
from handlers.callbacks import SettingsAction, SettingsCb
from handlers.keyboards import button, markup, rows
from handlers.replies import show


def settings_text(
    t: Translator,
    prefs: NoticePreferences,
    settings: Settings,
    phone: phone_link.PhoneStatus | None = None,
    coordinator: bool = False,
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
            start=t.clock(prefs.quiet_start),
            end=t.clock(prefs.quiet_end),
        )
    else:
        quiet = t.gettext("No quiet hours: notices come at any time.")
    parts = ["<b>" + t.gettext("Settings") + "</b>", mode, digest, quiet]
    if phone is not None:
        parts.append(phone_text(t, phone))
    if coordinator:
        parts.append(report_text(t, prefs))
    return "\n\n".join(parts)


def report_text(t: Translator, prefs: NoticePreferences) -> str:
    """Coordinators: whether last month's report comes on the 1st."""
    if prefs.monthly_report:
        return t.gettext(
            "📈 Monthly report: on. On the 1st you get last month's figures as a page to "
            "open in a browser."
        )
    return t.gettext("📈 Monthly report: off.")


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
    t: Translator,
    prefs: NoticePreferences,
    phone: phone_link.PhoneStatus | None = None,
    coordinator: bool = False,
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
        label = f"{t.clock(start)}–{t.clock(end)}" if start != end else t.gettext("No quiet hours")
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
    report = []
    if coordinator:
        report.append(
            button(
                mark(prefs.monthly_report, t.gettext("📈 Monthly report")),
                SettingsCb(action=SettingsAction.REPORT, value=0 if prefs.monthly_report else 1),
            )
        )
    home = [button(t.gettext("« Menu"), OpenMenu(MenuItem.HOME))]
    return markup(
        rows(modes, 1), [digest], rows(quiet, 2), rows(phones, 1), rows(report, 1), [home]
    )


async def show_settings(
    target: Message | CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    prefs = await preferences.get(session, actor)
    await _show(target, session, actor, t, settings, prefs)


async def phone_section(
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
    await show_settings(message, session, actor, t, settings)


async def settings_button(
    query: CallbackQuery, session: AsyncSession, actor: Actor, t: Translator, settings: Settings
) -> None:
    await query.answer()
    await show_settings(query, session, actor, t, settings)


async def saved(
    query: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
    prefs: preferences.NoticePreferences,
) -> None:
    await query.answer(t.gettext("Saved."))
    await _show(query, session, actor, t, settings, prefs)


async def _show(
    target: Message | CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
    prefs: preferences.NoticePreferences,
) -> None:
    phone = await phone_section(session, actor, settings)
    coordinator = actor.is_coordinator  # the monthly report is theirs alone
    await show(
        target,
        settings_text(t, prefs, settings, phone, coordinator),
        settings_keyboard(t, prefs, phone, coordinator),
    )
