"""/help: what the bot can do, in the resident's language."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.i18n import Translator
from bot.services.actions import MenuItem, OpenMenu
from bot.services.actors import Actor
from handlers import keyboards
from handlers.commands import coordinator_commands, resident_commands
from handlers.filters import Act
from handlers.replies import show


def help_text(t: Translator, actor: Actor) -> str:
    commands = coordinator_commands(t) if actor.is_coordinator else resident_commands(t)
    lines = [f"/{c.command} – {c.description}" for c in commands]
    return "\n".join(
        [
            "<b>" + t.gettext("What I can do") + "</b>",
            t.gettext(
                "Join the networks where you live or that you care about, and hear what is "
                "happening there. Use the buttons, or these commands:"
            ),
            "",
            *lines,
            "/cancel – " + t.gettext("Stop what you are doing"),
            "",
            t.gettext("Questions? Ask the host of your network."),
        ]
    )


async def help_command(message: Message, state: FSMContext, actor: Actor, t: Translator) -> None:
    await state.clear()
    await message.answer(help_text(t, actor), reply_markup=keyboards.back_to_menu(t))


async def help_button(query: CallbackQuery, actor: Actor, t: Translator) -> None:
    await query.answer()
    await show(query, help_text(t, actor), keyboards.back_to_menu(t))


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="guide")
    router.message.register(help_command, Command("help"))
    router.callback_query.register(help_button, Act(OpenMenu, F.item == MenuItem.HELP))
    return router
