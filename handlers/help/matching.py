"""The buttons on help notices that make a match: "I can help" on a request, and the
requester's "Accept" for one of those who offered."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Catalogs, Translator
from bot.services import help as helping
from bot.services.actions import AcceptHelper, OfferHelp, WriteToMatch
from bot.services.actors import Actor
from handlers.filters import Act
from handlers.keyboards import button, markup
from handlers.replies import quote, show


async def offer_help(
    query: CallbackQuery,
    action: OfferHelp,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    view = await helping.offer_help(session, actor, catalogs, action.request_id)
    await query.answer(
        t.gettext("Thank you! {name} will hear that you can help.", name=view.requester_name)
    )


async def accept_helper(
    query: CallbackQuery,
    action: AcceptHelper,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    view = await helping.accept(session, actor, catalogs, action.request_id, action.helper_id)
    await query.answer()
    await show(
        query,
        t.gettext(
            "You chose {name}. Write here; your messages go through the bot.",
            name=quote(view.helper_name or ""),
        ),
        markup([[button(t.gettext("💬 Write"), WriteToMatch(action.request_id))]]),
    )


def register(router: Router) -> None:
    router.callback_query.register(offer_help, Act(OfferHelp))
    router.callback_query.register(accept_helper, Act(AcceptHelper))
