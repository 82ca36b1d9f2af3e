"""The command menu Telegram shows next to the text field, in each resident's language."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.i18n import TELEGRAM_LANGUAGE_CODES, Catalogs, Translator

log = logging.getLogger(__name__)


def resident_commands(t: Translator) -> list[BotCommand]:
    return [
        BotCommand(command="start", description=t.gettext("Main menu")),
        BotCommand(command="events", description=t.gettext("Upcoming events")),
        BotCommand(command="networks", description=t.gettext("Neighbourhoods and groups")),
        BotCommand(command="ask", description=t.gettext("Ask neighbours for help")),
        BotCommand(command="offer", description=t.gettext("Offer your help")),
        BotCommand(command="requests", description=t.gettext("Requests you could help with")),
        BotCommand(command="polls", description=t.gettext("Polls: have your say")),
        BotCommand(command="ideas", description=t.gettext("Ideas for your neighbourhood")),
        BotCommand(command="dugnad", description=t.gettext("Volunteer calls: lend a hand")),
        BotCommand(command="calendar", description=t.gettext("Events in your phone's calendar")),
        BotCommand(command="language", description=t.gettext("Change language")),
        BotCommand(command="settings", description=t.gettext("Notices and quiet hours")),
        BotCommand(command="mydata", description=t.gettext("See what we store about you")),
        BotCommand(command="forget", description=t.gettext("Delete your data")),
        BotCommand(command="help", description=t.gettext("What I can do")),
    ]


def coordinator_commands(t: Translator) -> list[BotCommand]:
    return [
        *resident_commands(t),
        BotCommand(command="coordinate", description=t.gettext("Manage networks and hosts")),
        BotCommand(command="reports", description=t.gettext("Reported help requests")),
        BotCommand(command="stats", description=t.gettext("Neighbour help")),
    ]


async def register_command_menus(bot: Bot, catalogs: Catalogs) -> None:
    """Set the default menu for every Telegram language we ship (and the default locale's menu
    for everyone else)."""
    calls = [
        bot.set_my_commands(
            resident_commands(catalogs.translator(catalogs.default_locale)),
            scope=BotCommandScopeDefault(),
        )
    ]
    for t in catalogs.each():
        for code in TELEGRAM_LANGUAGE_CODES[t.locale]:
            calls.append(
                bot.set_my_commands(
                    resident_commands(t), scope=BotCommandScopeDefault(), language_code=code
                )
            )
    await asyncio.gather(*calls)


async def set_chat_menu(bot: Bot, chat_id: int, t: Translator, coordinator: bool) -> None:
    """A resident's own menu follows the language they chose in the bot, not their phone's."""
    commands = coordinator_commands(t) if coordinator else resident_commands(t)
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=chat_id))
    except TelegramAPIError as error:
        # The menu is a convenience; the answer the resident is waiting for matters more.
        log.warning("could not set the chat's command menu: %s", type(error).__name__)


async def clear_chat_menu(bot: Bot, chat_id: int) -> None:
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=chat_id))
    except TelegramAPIError as error:
        log.warning("could not clear the chat's command menu: %s", type(error).__name__)
