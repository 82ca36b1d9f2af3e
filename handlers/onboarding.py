"""The screens of onboarding and the main menu, shared by /start, /language and the gate."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from bot.i18n import Catalogs, Translator, negotiate_locale
from bot.services.actors import Actor
from handlers import keyboards
from handlers.replies import quote, show


def language_prompt(catalogs: Catalogs, first: str | None) -> str:
    """'Choose your language' in every shipped language, the phone's language first."""
    translators = catalogs.each()
    translators.sort(key=lambda t: t.locale != first)
    return "\n".join(t.gettext("Choose your language") for t in translators)


async def ask_language(
    target: Message | CallbackQuery, catalogs: Catalogs, language_code: str | None
) -> None:
    app_locale = negotiate_locale(language_code)
    await show(target, language_prompt(catalogs, app_locale), keyboards.languages(app_locale))


def welcome_text(t: Translator, first_name: str, municipality: str) -> str:
    return "\n\n".join(
        [
            t.gettext("Welcome to Naboskap, {name}! 👋", name=quote(first_name)),
            t.gettext(
                "Here you can join your neighbourhood and groups near you, hear what is "
                "happening, and help each other. Together we create good days."
            ),
            "<b>" + t.gettext("Your privacy") + "</b>",
            t.gettext(
                "We store your Telegram ID, your first name, the language you chose, the "
                "networks you join and what you do here: your answers to events, the help you "
                "ask for and offer, and what you write to neighbours through the bot. We use "
                "them only to run Naboskap for you, and {municipality} is responsible for them. "
                "We never share them or show your Telegram ID to other residents, and old "
                "history is deleted after a while.",
                municipality=quote(municipality),
            ),
            t.gettext(
                "You can see everything we store with /mydata and delete it with /forget, at "
                "any time."
            ),
        ]
    )


async def ask_privacy(
    target: Message | CallbackQuery, t: Translator, first_name: str, municipality: str
) -> None:
    await show(target, welcome_text(t, first_name, municipality), keyboards.privacy(t))


async def show_menu(
    target: Message | CallbackQuery, t: Translator, actor: Actor, intro: str | None = None
) -> None:
    text = t.gettext("What would you like to do?")
    await show(target, f"{intro}\n\n{text}" if intro else text, keyboards.main_menu(t, actor))


async def resume(
    target: Message | CallbackQuery,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    municipality: str,
) -> None:
    """Take someone who has not finished onboarding back to the step they are on."""
    user = target.from_user
    if user is None:
        return
    if actor.locale is None:
        await ask_language(target, catalogs, user.language_code)
    else:
        await ask_privacy(target, t, user.first_name, municipality)
