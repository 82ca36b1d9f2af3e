"""Neighbour help: residents offer help, ask for it, and are matched privately.

Requests reach the helpers of a network and category through the outbox; after a match the two
talk through the bot (relayed notices carry a first name only, never a username, phone number
or Telegram id). Hosts moderate: they see reports, hide requests and suspend members, and the
rules are enforced here, not by hiding buttons.

One module per concept: `views` (a request as residents see it), `access` (who may take part),
`offers`, `requests` (asking and closing), `matching` (offering and accepting), `relay` (talking
after a match, blocking), `expiry`, `moderation` and `stats`; `notices` sends a help notice to
one resident. The public API is importable from here.
"""

from __future__ import annotations

from bot.services.help.expiry import NUDGE_BEFORE, expire_due
from bot.services.help.matching import accept, offer_help
from bot.services.help.moderation import (
    ReportView,
    hide,
    report,
    reports,
    suspend,
    suspend_requester,
)
from bot.services.help.offers import (
    HelperView,
    helper_settings,
    offers_of,
    set_offer,
    set_paused,
)
from bot.services.help.relay import TEXT_MAX, block, relay, start_relay
from bot.services.help.requests import (
    DAILY_AT,
    DESCRIPTION_MAX,
    EXPIRY,
    ask,
    close,
    may_ask,
    my_requests,
    open_requests,
)
from bot.services.help.stats import HelpStats, stats
from bot.services.help.views import (
    SENSITIVE,
    RequestView,
    category_label,
    in_reader_language,
    safety_note,
    when_label,
)

__all__ = [
    "DAILY_AT",
    "DESCRIPTION_MAX",
    "EXPIRY",
    "NUDGE_BEFORE",
    "SENSITIVE",
    "TEXT_MAX",
    "HelpStats",
    "HelperView",
    "ReportView",
    "RequestView",
    "accept",
    "ask",
    "block",
    "category_label",
    "close",
    "expire_due",
    "helper_settings",
    "hide",
    "in_reader_language",
    "may_ask",
    "my_requests",
    "offer_help",
    "offers_of",
    "open_requests",
    "relay",
    "report",
    "reports",
    "safety_note",
    "set_offer",
    "set_paused",
    "start_relay",
    "stats",
    "suspend",
    "suspend_requester",
    "when_label",
]
