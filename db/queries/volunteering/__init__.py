"""Volunteer calls, their shifts and signups: every statement the volunteering services need.
One module per concern (`calls`, `signups`, `records`); the public API is importable from here
(`from db.queries import volunteering as q`)."""

from __future__ import annotations

from db.queries.volunteering.calls import (
    all_open_calls,
    hosted_calls,
    hosted_network_ids,
    mine,
    open_calls,
    shifts_of,
    starting_between,
    taken,
)
from db.queries.volunteering.records import (
    KeptSignup,
    MonthRow,
    calls_created_by,
    drop_uncounted,
    listing,
    month,
    of_resident,
    old_calls,
)
from db.queries.volunteering.signups import (
    SignupRow,
    first_name,
    last_name_choice,
    resident_ids,
    set_attended,
    sign_up_if_room,
    signup,
    signups,
    withdraw,
)

__all__ = [
    "KeptSignup",
    "MonthRow",
    "SignupRow",
    "all_open_calls",
    "calls_created_by",
    "drop_uncounted",
    "first_name",
    "hosted_calls",
    "hosted_network_ids",
    "last_name_choice",
    "listing",
    "mine",
    "month",
    "of_resident",
    "old_calls",
    "open_calls",
    "resident_ids",
    "set_attended",
    "shifts_of",
    "sign_up_if_room",
    "signup",
    "signups",
    "starting_between",
    "taken",
    "withdraw",
]
