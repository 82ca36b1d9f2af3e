"""The Telegram face: routers composed in one place, in the order they must be tried."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType

from handlers import (
    broadcast,
    calendars,
    coordinator,
    enrolment,
    errors,
    events,
    fallback,
    guide,
    help,
    host_events,
    ideas,
    insight,
    language,
    membership,
    networks,
    originals,
    polls,
    privacy,
    settings,
    start,
    take_part,
    volunteering,
)


def build_router() -> Router:
    """A fresh router tree for one dispatcher. Order matters: specific concerns first, the
    onboarding gate and hints for everything else last."""
    root = Router(name="naboskap")
    # Naboskap talks to people one to one; if someone adds it to a group it stays quiet there
    # rather than answering every message (and never learns what the group says).
    root.message.filter(F.chat.type == ChatType.PRIVATE)
    root.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)
    root.include_routers(
        errors.build_router(),
        membership.build_router(),
        start.build_router(),
        language.build_router(),
        guide.build_router(),
        networks.build_router(),
        events.build_router(),
        calendars.build_router(),
        host_events.build_router(),
        originals.build_router(),
        settings.build_router(),
        broadcast.build_router(),
        help.build_router(),
        take_part.build_router(),
        # Taking part (issue 15): polls, ideas and volunteer calls register here.
        polls.build_router(),
        volunteering.build_router(),
        ideas.build_router(),
        privacy.build_router(),
        coordinator.build_router(),
        # Insight (issue 16): charts for coordinators and hosts.
        insight.build_router(),
        enrolment.build_router(),
        fallback.build_router(),
    )
    return root
