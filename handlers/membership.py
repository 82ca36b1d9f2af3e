"""Blocking and unblocking: Telegram tells us with a `my_chat_member` update."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import residents


async def blocked(event: ChatMemberUpdated, session: AsyncSession) -> None:
    await residents.set_reachable(session, event.from_user.id, reachable=False)


async def unblocked(event: ChatMemberUpdated, session: AsyncSession) -> None:
    await residents.set_reachable(session, event.from_user.id, reachable=True)


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="membership")
    router.my_chat_member.filter(F.chat.type == "private")
    router.my_chat_member.register(blocked, ChatMemberUpdatedFilter(member_status_changed=KICKED))
    router.my_chat_member.register(unblocked, ChatMemberUpdatedFilter(member_status_changed=MEMBER))
    return router
