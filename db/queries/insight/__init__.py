"""The insight's figures as SQL (issue 16): one module per figure family, each counting by the
municipality's local day over a window (`local_days.Window`) so that the builder folds days
into weeks or months; notices, by far the most rows, are counted per step instead
(`notice_steps`). Aggregates only: no statement here returns who. The public API is
importable from here (`from db.queries import insight as q`)."""

from __future__ import annotations

from db.queries.insight.events import event_days
from db.queries.insight.help import HelpDays, help_days
from db.queries.insight.local_days import Window, as_date, local_midnight
from db.queries.insight.members import MemberDays, member_days, networks_during, reach
from db.queries.insight.notices import NoticeCounts, notice_steps
from db.queries.insight.polls import poll_days
from db.queries.insight.volunteering import volunteer_days

__all__ = [
    "HelpDays",
    "MemberDays",
    "NoticeCounts",
    "Window",
    "as_date",
    "event_days",
    "help_days",
    "local_midnight",
    "member_days",
    "networks_during",
    "notice_steps",
    "poll_days",
    "reach",
    "volunteer_days",
]
