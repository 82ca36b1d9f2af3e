"""/settings: instant notices or the weekly digest only, the digest on or off, quiet hours,
(where SMS is configured) a phone number with the SMS fallback, and (for coordinators) the
monthly report."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command

from bot.services.actions import MenuItem, OpenMenu
from bot.services.preferences import QUIET_CHOICES
from handlers.callbacks import SettingsAction, SettingsCb
from handlers.filters import Act, FreeText, Onboarded
from handlers.settings.notices import digest, monthly_report, notify_mode, quiet_hours
from handlers.settings.phone import add_phone, phone_code, phone_number, remove_phone, sms_fallback
from handlers.settings.screen import settings_button, settings_command
from handlers.states import PhoneFlow

__all__ = ["build_router"]


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
    router.callback_query.register(
        monthly_report,
        SettingsCb.filter((F.action == SettingsAction.REPORT) & F.value.in_({0, 1})),
    )
    router.message.register(phone_number, PhoneFlow.phone, FreeText())
    router.message.register(phone_code, PhoneFlow.code, FreeText())
    return router
