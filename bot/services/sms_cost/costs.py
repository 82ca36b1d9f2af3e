"""What an SMS costs and which ones are essential: prices and the monthly budget from the
settings, calendar months in the municipality's zone, money in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_currency

from bot.config import Settings
from bot.i18n import Translator
from db.models import NoticeKind

CURRENCY = "NOK"

# Answers to what a resident sent us and confirmations they are waiting for: these go out even
# when the month's budget is used up. Everything else waits for the next month.
ESSENTIAL = frozenset(
    {
        NoticeKind.SMS_REPLY,
        NoticeKind.SMS_STOPPED,
        NoticeKind.SMS_WELCOME,
        NoticeKind.PHONE_CODE,
        NoticeKind.HELP_RELAY,
        NoticeKind.EVENT_CHANGED,
        NoticeKind.EVENT_CANCELLED,
        NoticeKind.REMINDER,
        NoticeKind.SHIFT_REMINDER,  # a volunteer shift, like an event's reminder
    }
)


def is_essential(kind: NoticeKind | None) -> bool:
    return kind is None or kind in ESSENTIAL


@dataclass(frozen=True)
class SmsCosts:
    """The SMS settings that matter for cost: from `Settings`."""

    enabled: bool
    price: Decimal  # NOK per segment
    monthly_segments: int | None  # None: no budget
    zone: ZoneInfo

    @classmethod
    def from_settings(cls, settings: Settings) -> SmsCosts:
        return cls(
            enabled=settings.sms_gateway is not None,
            price=Decimal(str(settings.sms_price_per_segment)),
            monthly_segments=settings.sms_monthly_segments,
            zone=settings.zone,
        )


def month_bounds(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The start of `now`'s calendar month in `zone` and the start of the next one (aware)."""
    local = now.astimezone(zone)
    start = datetime(local.year, local.month, 1, tzinfo=zone)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return start, datetime(year, month, 1, tzinfo=zone)


def money(t: Translator, amount: Decimal) -> str:
    return str(format_currency(amount, CURRENCY, locale=t.locale))
