"""The weekly digest: one short letter per resident about the coming week near them.

A digest holds the coming week's events in the resident's networks (with RSVP counts and the
"no Norwegian needed" mark), open help requests they could answer (from their offers), what
changed in their networks, and everything held back for them (digest-only residents, weekly
helpers). Empty digests are not sent. Digests go through the outbox like every other notice,
so pacing, quiet hours, retries and the SMS channel apply.

- `schedule`: which week's round is due, on the local calendar;
- `week`: what the week holds for everyone, read once per round;
- `content`: what of it concerns one resident;
- `writer`: putting that into words for Telegram and SMS;
- `round`: making and enqueueing a week's digests page by page, once only.

The public API is importable from here.
"""

from __future__ import annotations

from bot.services.digest.content import Content, gather
from bot.services.digest.round import PAGE, Preview, Round, Summary
from bot.services.digest.schedule import CATCH_UP, due_week, latest_slot, week_of
from bot.services.digest.week import WINDOW, Week, WeekEvent, read_week
from bot.services.digest.writer import Writer

__all__ = [
    "CATCH_UP",
    "PAGE",
    "WINDOW",
    "Content",
    "Preview",
    "Round",
    "Summary",
    "Week",
    "WeekEvent",
    "Writer",
    "due_week",
    "gather",
    "latest_slot",
    "read_week",
    "week_of",
]
