"""Events: hosts publish them, members answer coming / maybe / can't come, everyone is told.

Publishing, changing and cancelling write notices to the outbox in the same transaction;
reminders are created once per event (a unique notice) for those who said they are coming.
The public API is importable from here; the modules hold one side each: what a host fills in
(`drafts`), what the services return (`views`), how a notice reads (`notices`), the host's
side (`hosting`), the member's side (`attending`), the operator's lists (`overview`),
reminders and calendar imports.
"""

from __future__ import annotations

from bot.services.events.attending import answer, get, next_of_series, upcoming
from bot.services.events.drafts import DESCRIPTION_MAX, PLACE_MAX, TITLE_MAX, EventDraft
from bot.services.events.hosting import (
    REASON_MAX,
    attendees,
    audience,
    cancel,
    hosts,
    publish,
    told_of_changes,
    update,
)
from bot.services.events.imports import CalendarImport, import_calendar
from bot.services.events.notices import event_card, render_event, when_text
from bot.services.events.overview import EventDetails, EventRow, details, page
from bot.services.events.reminders import send_due_reminders
from bot.services.events.series import SeriesView, answer_series, repeat_text
from bot.services.events.views import EventView, translated

__all__ = [
    "DESCRIPTION_MAX",
    "PLACE_MAX",
    "REASON_MAX",
    "TITLE_MAX",
    "CalendarImport",
    "EventDetails",
    "EventDraft",
    "EventRow",
    "EventView",
    "SeriesView",
    "answer",
    "answer_series",
    "attendees",
    "audience",
    "cancel",
    "details",
    "event_card",
    "get",
    "hosts",
    "import_calendar",
    "next_of_series",
    "page",
    "publish",
    "render_event",
    "repeat_text",
    "send_due_reminders",
    "told_of_changes",
    "translated",
    "upcoming",
    "update",
    "when_text",
]
