""" "Show original" under a machine-translated event, help request, broadcast or network
description: the reader gets the words as they were written, as a new message (the translated
one stays, so both can be read side by side)."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Catalogs, Translator
from bot.pages import fits_telegram, text_pages
from bot.services import originals
from bot.services.actions import ShowOriginal
from bot.services.actors import Actor
from handlers.filters import Act, Onboarded
from handlers.replies import quote


async def show_original(
    query: CallbackQuery,
    action: ShowOriginal,
    bot: Bot,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    found = await originals.original(
        session, actor, action.kind, action.id, catalogs.default_locale
    )
    language = t.language_name(found.locale) if found.locale else ""
    header = (
        "<i>"
        + (
            t.gettext("Original, in {language}:", language=language)
            if language
            else t.gettext("Original:")
        )
        + "</i>"
    )
    if found.title:
        header += f"\n<b>{quote(found.title)}</b>"
    # The words can be as long as a broadcast (3 000 characters) under the header: paged at
    # line ends, like every long text, rather than cut.
    lines = found.text.splitlines() or [""]
    pages = text_pages(header, [quote(line) for line in lines], "", fits_telegram())
    await query.answer()
    for number, page in enumerate(pages):
        text = "\n".join(page.rows)
        await bot.send_message(query.from_user.id, f"{header}\n{text}" if number == 0 else text)


def build_router() -> Router:
    router = Router(name="originals")
    router.callback_query.filter(Onboarded())
    router.callback_query.register(show_original, Act(ShowOriginal))
    return router
