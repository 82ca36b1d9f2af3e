"""The event being written lives in the conversation's (FSM) data until it is published:
reading it back as the service's `EventDraft`, and telling a press on one of the draft's
buttons from a button left over from an earlier draft (or made up)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.i18n import Translator
from bot.services.events import EventDraft
from handlers.replies import stale


def read_draft(data: dict[str, Any]) -> EventDraft | None:
    """The draft as the host has written it so far; None if it never got a start time (the
    button is from a draft that was started over or already published)."""
    try:
        return EventDraft(
            network_id=int(data["network_id"]),
            title=data.get("title", ""),
            starts_at=datetime.fromisoformat(data["starts"]),
            ends_at=datetime.fromisoformat(data["ends"]) if data.get("ends") else None,
            place=data.get("place", ""),
            description=data.get("description", ""),
            no_norwegian_needed=bool(data.get("nn")),
            locale=data.get("locale", "nb"),
            translations={k: (v[0], v[1]) for k, v in data.get("translations", {}).items()},
        )
    except (KeyError, ValueError):
        return None


async def drafting(query: CallbackQuery, state: FSMContext, t: Translator) -> Message | None:
    """The chat's message if this press belongs to an event being written; otherwise the
    button no longer works, and the host is told so (the caller answers the press only once it
    has read the button's data, so a made-up value still gets that answer)."""
    data = await state.get_data()
    if "network_id" not in data or not isinstance(query.message, Message):
        await stale(query, t)
        return None
    return query.message
