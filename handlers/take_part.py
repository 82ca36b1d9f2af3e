"""🗳 Take part: the way from the main menu to polls, ideas and volunteer calls (issue 15),
each of which has its own router; this one only points to them."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import F, Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import Translator
from bot.services import ideas, polls
from bot.services.actions import MenuItem, OpenMenu
from bot.services.actors import Actor
from bot.services.volunteering import calls
from handlers import keyboards
from handlers.filters import Act
from handlers.replies import show


@dataclass(frozen=True)
class Open:
    """What is open in the resident's networks right now."""

    polls: int
    ideas: int
    calls: int


async def open_now(session: AsyncSession, actor: Actor, clock: Clock) -> Open | None:
    if actor.resident_id is None:  # not a resident yet: nothing of theirs to count
        return None
    return Open(
        (await polls.open_polls(session, actor, 0, 1))[1],
        await ideas.open_count(session, actor),
        len(await calls.open_calls(session, actor, clock.now())),
    )


def hub_text(t: Translator, found: Open | None = None) -> str:
    parts = [
        t.gettext("<b>🗳 Take part</b>"),
        t.gettext(
            "Have your say in polls, propose ideas for your neighbourhood and support your "
            "neighbours' ideas, or sign up to lend a hand when a host calls for volunteers."
        ),
    ]
    if found is not None:
        parts.append(
            "\n".join(
                (
                    t.ngettext("📊 {n} open poll", "📊 {n} open polls", found.polls),
                    t.ngettext(
                        "💡 {n} idea in the making", "💡 {n} ideas in the making", found.ideas
                    ),
                    t.ngettext(
                        "🧹 {n} call for volunteers", "🧹 {n} calls for volunteers", found.calls
                    ),
                )
            )
        )
    return "\n\n".join(parts)


async def take_part_button(
    query: CallbackQuery, session: AsyncSession, actor: Actor, t: Translator, clock: Clock
) -> None:
    await query.answer()
    await show(query, hub_text(t, await open_now(session, actor, clock)), keyboards.take_part(t))


def build_router() -> Router:
    router = Router(name="take_part")
    router.callback_query.register(take_part_button, Act(OpenMenu, F.item == MenuItem.TAKE_PART))
    return router
