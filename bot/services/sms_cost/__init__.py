"""What SMS cost: the prices and the monthly budget (costs), estimates for a host's preview
(estimates), what this month has used and the notice when the budget is reached (budget), and a
sent notice's segments (sent)."""

from __future__ import annotations

from bot.services.sms_cost.budget import (
    Usage,
    budget_notice,
    coordinator_usage_line,
    month_usage,
    tell_budget_reached,
    usage_line,
)
from bot.services.sms_cost.costs import (
    CURRENCY,
    ESSENTIAL,
    SmsCosts,
    is_essential,
    money,
    month_bounds,
)
from bot.services.sms_cost.estimates import (
    Estimate,
    LanguageCost,
    estimate,
    estimate_lines,
    preview_lines,
    sms_by_locale,
    sms_recipients,
)
from bot.services.sms_cost.sent import NoticeSms, notice_sms, notice_sms_line

__all__ = [
    "CURRENCY",
    "ESSENTIAL",
    "Estimate",
    "LanguageCost",
    "NoticeSms",
    "SmsCosts",
    "Usage",
    "budget_notice",
    "coordinator_usage_line",
    "estimate",
    "estimate_lines",
    "is_essential",
    "money",
    "month_bounds",
    "month_usage",
    "notice_sms",
    "notice_sms_line",
    "preview_lines",
    "sms_by_locale",
    "sms_recipients",
    "tell_budget_reached",
    "usage_line",
]
