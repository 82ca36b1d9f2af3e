"""Versions of the title and description in other languages, written by the host: members who
read that language get the host's version, the others the original with a note."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.i18n import NATIVE_NAMES, SHIPPED_LOCALES, Translator
from bot.services import events
from handlers.callbacks import HostEventAction, HostEventCb
from handlers.filters import FreeText
from handlers.host_events.drafting import drafting
from handlers.host_events.questions import ask_translations, skip_hint
from handlers.states import EventFlow


async def choose_language(
    query: CallbackQuery, callback_data: HostEventCb, state: FSMContext, t: Translator
) -> None:
    """A language button: its title is asked next, then its description."""
    message = await drafting(query, state, t)
    if message is None:
        return
    await query.answer()
    await state.update_data(tr_locale=callback_data.arg)
    await state.set_state(EventFlow.translation_title)
    await message.answer(
        t.gettext("The title in {language}:", language=NATIVE_NAMES[callback_data.arg])
    )


async def on_translation_title(message: Message, state: FSMContext, t: Translator) -> None:
    await state.update_data(tr_title=" ".join((message.text or "").split())[: events.TITLE_MAX])
    await state.set_state(EventFlow.translation_description)
    data = await state.get_data()
    await message.answer(
        t.gettext("The description in {language}:", language=NATIVE_NAMES[data["tr_locale"]])
        + " "
        + skip_hint(t)
    )


async def on_translation_description(message: Message, state: FSMContext, t: Translator) -> None:
    data = await state.get_data()
    text = "" if (message.text or "").startswith("/skip") else (message.text or "").strip()
    translations = dict(data.get("translations", {}))
    translations[data["tr_locale"]] = [data.get("tr_title", ""), text[: events.DESCRIPTION_MAX]]
    await state.update_data(translations=translations)
    await state.set_state(None)
    await ask_translations(message, t, await state.get_data())


def register(router: Router) -> None:
    # A locale outside the shipped ones (a made-up button) ends at the fallback's "this button
    # no longer works"; "done" goes on to the preview (`preview.show_preview`).
    router.callback_query.register(
        choose_language,
        HostEventCb.filter((F.action == HostEventAction.TRANSLATION) & F.arg.in_(SHIPPED_LOCALES)),
    )
    router.message.register(on_translation_title, EventFlow.translation_title, FreeText())
    router.message.register(
        on_translation_description, EventFlow.translation_description, Command("skip")
    )
    router.message.register(
        on_translation_description, EventFlow.translation_description, FreeText()
    )
