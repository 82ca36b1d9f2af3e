"""/settings: instant notices or the weekly digest only, the digest on or off, quiet hours."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Translator
from bot.services import preferences
from bot.services.actors import Actor
from bot.services.errors import ServiceError
from bot.services.preferences import QUIET_CHOICES, NoticePreferences
from db.models import NotifyMode
from handlers.callbacks import MenuCb, SettingsCb
from handlers.filters import Onboarded
from handlers.keyboards import button, markup, rows
from handlers.replies import refuse, show, stale


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def settings_text(t: Translator, prefs: NoticePreferences, settings: Settings) -> str:
    if prefs.notify_mode is NotifyMode.INSTANT:
        mode = t.gettext("You get notices as they come.")
    else:
        mode = t.gettext("You get everything once a week, in the digest.")
    if prefs.digest:
        weekday, at = settings.digest_at
        digest = t.gettext(
            "📰 Weekly digest: {day} at {time}.",
            day=t.weekday_name(weekday),
            time=f"{at.hour:02d}:{at.minute:02d}",
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
    return "\n\n".join(["<b>" + t.gettext("Settings") + "</b>", mode, digest, quiet])


def settings_keyboard(t: Translator, prefs: NoticePreferences) -> InlineKeyboardMarkup:
    def mark(on: bool, label: str) -> str:
        return f"✓ {label}" if on else label

    modes = [
        button(
            mark(prefs.notify_mode is NotifyMode.INSTANT, t.gettext("Notices as they come")),
            SettingsCb(action="mode", value=0),
        ),
        button(
            mark(prefs.notify_mode is NotifyMode.DIGEST, t.gettext("Weekly digest only")),
            SettingsCb(action="mode", value=1),
        ),
    ]
    digest = [
        button(mark(prefs.digest, t.gettext("Digest on")), SettingsCb(action="digest", value=1)),
        button(
            mark(not prefs.digest, t.gettext("Digest off")), SettingsCb(action="digest", value=0)
        ),
    ]
    quiet = []
    for index, (start, end) in enumerate(QUIET_CHOICES):
        label = f"{_clock(start)}–{_clock(end)}" if start != end else t.gettext("No quiet hours")
        quiet.append(
            button(
                mark((prefs.quiet_start, prefs.quiet_end) == (start, end), label),
                SettingsCb(action="quiet", value=index),
            )
        )
    home = [button(t.gettext("« Menu"), MenuCb(item="home"))]
    return markup(rows(modes, 1), [digest], rows(quiet, 2), [home])


async def _show(
    target: Message | CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    prefs = await preferences.get(session, actor)
    await show(target, settings_text(t, prefs, settings), settings_keyboard(t, prefs))


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


async def change(
    query: CallbackQuery,
    callback_data: SettingsCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    try:
        if callback_data.action == "mode" and callback_data.value in (0, 1):
            mode = NotifyMode.DIGEST if callback_data.value else NotifyMode.INSTANT
            prefs = await preferences.update(session, actor, notify_mode=mode)
        elif callback_data.action == "digest" and callback_data.value in (0, 1):
            prefs = await preferences.update(session, actor, digest=bool(callback_data.value))
        elif callback_data.action == "quiet" and 0 <= callback_data.value < len(QUIET_CHOICES):
            prefs = await preferences.update(
                session, actor, quiet=QUIET_CHOICES[callback_data.value]
            )
        else:
            await stale(query, t)
            return
    except ServiceError as error:
        await refuse(query, t, error)
        return
    await query.answer(t.gettext("Saved."))
    await show(query, settings_text(t, prefs, settings), settings_keyboard(t, prefs))


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="settings")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    router.message.register(settings_command, Command("settings"))
    router.callback_query.register(settings_button, MenuCb.filter(F.item == "settings"))
    router.callback_query.register(change, SettingsCb.filter())
    return router
