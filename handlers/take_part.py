"""🗳 Take part: the way from the main menu to polls, ideas and volunteer calls (issue 15),
each of which has its own router; this one only points to them."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery

from bot.i18n import Translator
from bot.services.actions import MenuItem, OpenMenu
from handlers import keyboards
from handlers.filters import Act
from handlers.replies import show


def hub_text(t: Translator) -> str:
    return "\n\n".join(
        (
            t.gettext("<b>🗳 Take part</b>"),
            t.gettext(
                "Have your say in polls, propose ideas for your neighbourhood and support your "
                "neighbours' ideas, or sign up to lend a hand when a host calls for volunteers."
            ),
        )
    )


async def take_part_button(query: CallbackQuery, t: Translator) -> None:
    await query.answer()
    await show(query, hub_text(t), keyboards.take_part(t))


def build_router() -> Router:
    router = Router(name="take_part")
    router.callback_query.register(take_part_button, Act(OpenMenu, F.item == MenuItem.TAKE_PART))
    return router
