"""A network's name and description in other languages, given by its hosts (from the network's
card) or a coordinator (from theirs): pick a language, send the name, then the description
(or /skip, or keep the one given before); a language's version can be removed again.

Members who read that language then see the network by that name everywhere the bot shows it;
the others see the original. Roles are checked by the services at every step; a made-up
language or a button whose step has passed ends at "this button no longer works"."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import NATIVE_NAMES, Translator
from bot.services import networks
from bot.services.actors import Actor
from bot.services.networks import TRANSLATABLE, NetworkTexts
from handlers import keyboards
from handlers.callbacks import NetworkTextAction, NetworkTextCb
from handlers.filters import FreeText
from handlers.host_events.questions import skip_hint
from handlers.replies import quote, show, stale
from handlers.states import NetworkTextFlow


def menu_text(t: Translator, texts: NetworkTexts) -> str:
    """The languages given so far, each with its name, under the original."""
    view = texts.network
    lines = [
        "<b>"
        + t.gettext("🌍 {network} in other languages", network=quote(view.original_name))
        + "</b>",
        t.gettext(
            "Residents who read one of these languages see the network's name and description "
            "in it; the others see the original, in Norwegian."
        ),
        "",
    ]
    for locale, (name, _) in texts.translations.items():
        lines.append(f"✅ {NATIVE_NAMES[locale]}: {quote(name)}")
    if texts.translations:
        lines.append("")
    lines.append(t.gettext("Tap a language to give its name and description, or to change them."))
    return "\n".join(lines)


STEPS = (NetworkTextFlow.name.state, NetworkTextFlow.description.state)


async def _in_flow(state: FSMContext, callback_data: NetworkTextCb, *steps: str | None) -> bool:
    """Whether a button under a question belongs to the question being asked now (the same
    network and language, at one of `steps`): an older message's button must not act on it."""
    data = await state.get_data()
    return (
        await state.get_state() in steps
        and data.get("nt_network") == callback_data.network_id
        and data.get("nt_locale") == callback_data.locale
    )


async def open_menu(
    query: CallbackQuery,
    callback_data: NetworkTextCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    texts = await networks.network_texts(session, actor, callback_data.network_id)
    if await state.get_state() in STEPS:
        await state.clear()  # back to the languages: what was being typed is dropped
    await query.answer()
    keyboard = keyboards.network_texts(t, texts, callback_data.coordinator)
    await show(query, menu_text(t, texts), keyboard)


async def choose_language(
    query: CallbackQuery,
    callback_data: NetworkTextCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    """A language: its name is asked next (with the original beside it, to translate from)."""
    locale = callback_data.locale
    texts = await networks.network_texts(session, actor, callback_data.network_id)
    current = texts.translations.get(locale)
    await state.clear()
    await state.update_data(
        nt_network=texts.network.id, nt_locale=locale, nt_coordinator=callback_data.coordinator
    )
    await state.set_state(NetworkTextFlow.name)
    await query.answer()
    lines = [
        t.gettext("The name in {language}, or /cancel:", language=NATIVE_NAMES[locale]),
        t.gettext("In Norwegian: {text}", text=quote(texts.network.original_name)),
    ]
    if current is not None:
        lines.append(t.gettext("Now: {text}", text=quote(current[0])))
    keyboard = keyboards.network_text_step(
        t, texts.network.id, locale, callback_data.coordinator, keep=False, remove=bool(current)
    )
    if isinstance(query.message, Message):
        await query.message.answer("\n".join(lines), reply_markup=keyboard)


async def on_name(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    """The name (a too long or empty one is refused, and the question stays open): then the
    description."""
    name = networks.clean_text(message.text or "", "name", networks.NAME_MAX)
    data = await state.get_data()
    network_id, locale = int(data.get("nt_network", 0)), str(data.get("nt_locale", ""))
    # Read again rather than kept from the first step: another host may have written since.
    texts = await networks.network_texts(session, actor, network_id)
    current = texts.translations.get(locale)
    await state.update_data(nt_name=name)
    await state.set_state(NetworkTextFlow.description)
    lines = [
        t.gettext("The description in {language}:", language=NATIVE_NAMES.get(locale, locale))
        + " "
        + skip_hint(t)
    ]
    if texts.network.original_description:
        lines.append(
            t.gettext("In Norwegian: {text}", text=quote(texts.network.original_description))
        )
    if current is not None and current[1]:
        lines.append(t.gettext("Now: {text}", text=quote(current[1])))
    keyboard = keyboards.network_text_step(
        t,
        network_id,
        locale,
        bool(data.get("nt_coordinator")),
        keep=current is not None and bool(current[1]),
        remove=False,
    )
    await message.answer("\n".join(lines), reply_markup=keyboard)


async def _save(
    target: Message | CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    description: str | None,
) -> None:
    data = await state.get_data()
    locale = str(data.get("nt_locale", ""))
    texts = await networks.set_network_text(
        session,
        actor,
        int(data.get("nt_network", 0)),
        locale,
        name=str(data.get("nt_name", "")),
        description=description,
    )
    await state.clear()
    text = (
        t.gettext("Saved: the name and description in {language}.", language=NATIVE_NAMES[locale])
        + "\n\n"
        + menu_text(t, texts)
    )
    keyboard = keyboards.network_texts(t, texts, bool(data.get("nt_coordinator")))
    message = target if isinstance(target, Message) else target.message
    if isinstance(message, Message):
        await message.answer(text, reply_markup=keyboard)


async def on_description(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    """The description, or /skip for none (its readers then see the original's)."""
    text = "" if (message.text or "").startswith("/skip") else (message.text or "")
    await _save(message, state, session, actor, t, text)


async def keep_description(
    query: CallbackQuery,
    callback_data: NetworkTextCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    if not await _in_flow(state, callback_data, NetworkTextFlow.description.state):
        await stale(query, t)
        return
    await query.answer()
    await _save(query, state, session, actor, t, None)


async def remove(
    query: CallbackQuery,
    callback_data: NetworkTextCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    """Take a language's version away; its readers see the original again."""
    locale = callback_data.locale
    texts, removed = await networks.remove_network_text(
        session, actor, callback_data.network_id, locale
    )
    if await _in_flow(state, callback_data, *STEPS):
        await state.clear()  # the texts being asked for are of the version just removed
    language = NATIVE_NAMES[locale]
    await query.answer(
        t.gettext("Removed: the name and description in {language}.", language=language)
        if removed
        else t.gettext("There was nothing in {language} to remove.", language=language)
    )
    await show(
        query, menu_text(t, texts), keyboards.network_texts(t, texts, callback_data.coordinator)
    )


def register(router: Router) -> None:
    """On the networks router (residents who finished onboarding). A language outside the
    offered ones (made-up data, or one dropped since) matches nothing and ends at the
    fallback's "this button no longer works"."""
    offered = F.locale.in_(TRANSLATABLE)
    router.callback_query.register(
        open_menu, NetworkTextCb.filter(F.action == NetworkTextAction.MENU)
    )
    router.callback_query.register(
        choose_language, NetworkTextCb.filter((F.action == NetworkTextAction.LANGUAGE) & offered)
    )
    router.callback_query.register(
        keep_description, NetworkTextCb.filter((F.action == NetworkTextAction.KEEP) & offered)
    )
    router.callback_query.register(
        remove, NetworkTextCb.filter((F.action == NetworkTextAction.REMOVE) & offered)
    )
    router.message.register(on_name, NetworkTextFlow.name, FreeText())
    router.message.register(on_description, NetworkTextFlow.description, Command("skip"))
    router.message.register(on_description, NetworkTextFlow.description, FreeText())
