"""Volunteer calls ("dugnad", issue 15): a host asks for hands at a time and place, in one or
more shifts with a number of slots; residents sign up by button or SMS, see who else is coming
(first names, if they agree), get a reminder and can withdraw; afterwards the host confirms who
came, which counts as volunteer hours for the municipality's figures.

One module per concept: `views` (a call as its readers see it), `calls` (posting, cancelling,
the lists), `signups` (signing up, withdrawing, who is coming), `notices` (how the notices read
and whom they reach), `messages` (the host's message to those signed up), `reminders`,
`attendance` (confirming who came) and `hours` (the month's figures). The public API is
importable from here.
"""

from __future__ import annotations

from bot.services.volunteering.attendance import Attendee, Checklist, checklist, confirm, toggle
from bot.services.volunteering.calls import (
    DESCRIPTION_MAX,
    PLACE_MAX,
    SHIFTS_MAX,
    SLOTS_MAX,
    TITLE_MAX,
    CallDraft,
    ShiftDraft,
    call_for_member,
    cancel,
    clean_call,
    clean_shift,
    hosted_call,
    hosted_calls,
    may_manage,
    networks_to_host,
    open_calls,
    publish,
)
from bot.services.volunteering.hours import (
    month_bounds,
    month_report,
    operator_list,
    parse_month,
)
from bot.services.volunteering.messages import TEXT_MAX, message_signed_up, recipients_of
from bot.services.volunteering.reminders import send_due_reminders
from bot.services.volunteering.signups import (
    Coming,
    Outcome,
    SignupResult,
    coming_text,
    sign_up,
    who_is_coming,
    withdraw,
)
from bot.services.volunteering.views import (
    CallView,
    ShiftView,
    call_card,
    free_text,
    shift_line,
    shift_when,
    short_when,
)

__all__ = [
    "DESCRIPTION_MAX",
    "PLACE_MAX",
    "SHIFTS_MAX",
    "SLOTS_MAX",
    "TEXT_MAX",
    "TITLE_MAX",
    "Attendee",
    "CallDraft",
    "CallView",
    "Checklist",
    "Coming",
    "Outcome",
    "ShiftDraft",
    "ShiftView",
    "SignupResult",
    "call_card",
    "call_for_member",
    "cancel",
    "checklist",
    "clean_call",
    "clean_shift",
    "coming_text",
    "confirm",
    "free_text",
    "hosted_call",
    "hosted_calls",
    "may_manage",
    "message_signed_up",
    "month_bounds",
    "month_report",
    "networks_to_host",
    "open_calls",
    "operator_list",
    "parse_month",
    "publish",
    "recipients_of",
    "send_due_reminders",
    "shift_line",
    "shift_when",
    "short_when",
    "sign_up",
    "toggle",
    "who_is_coming",
    "withdraw",
]
