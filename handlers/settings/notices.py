"""How notices come: instantly or in the weekly digest only, the digest on or off, quiet hours;
for coordinators, the monthly report on or off."""

from __future__ import annotations

from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Translator
from bot.services import preferences
from bot.services.actors import Actor
from bot.services.preferences import QUIET_CHOICES
from db.models import NotifyMode
from handlers.callbacks import SettingsCb
from handlers.settings.screen import saved


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
    await saved(query, session, actor, t, settings, prefs)


async def digest(
    query: CallbackQuery,
    callback_data: SettingsCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    prefs = await preferences.update(session, actor, digest=bool(callback_data.value))
    await saved(query, session, actor, t, settings, prefs)


async def quiet_hours(
    query: CallbackQuery,
    callback_data: SettingsCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    prefs = await preferences.update(session, actor, quiet=QUIET_CHOICES[callback_data.value])
    await saved(query, session, actor, t, settings, prefs)


async def monthly_report(
    query: CallbackQuery,
    callback_data: SettingsCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    # Coordinators only: the service refuses anyone else (a forged button), translated.
    prefs = await preferences.update(session, actor, monthly_report=bool(callback_data.value))
    await saved(query, session, actor, t, settings, prefs)
