"""What can happen to one send, in terms the worker acts on (any channel), and what a delivery
report can say about it later (SMS gateways send them; the settings name them too)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args


@dataclass(frozen=True)
class Sent:
    external_id: str


@dataclass(frozen=True)
class RetryAfter:
    """The channel asked us to wait (Telegram's 429) before sending again."""

    seconds: float


@dataclass(frozen=True)
class Unreachable:
    """The recipient cannot be reached on this channel (blocked the bot, deleted account)."""

    reason: str


@dataclass(frozen=True)
class Transient:
    """Worth trying again later: a 5xx, a timeout, a network error."""

    reason: str


@dataclass(frozen=True)
class Permanent:
    """Trying again would fail the same way (e.g. Telegram refused the message)."""

    reason: str


@dataclass(frozen=True)
class Deferred:
    """Not sent, and not to be tried before `until` (the month's SMS budget is used up). Not a
    failure: the attempt does not count."""

    until: datetime
    reason: str


Outcome = Sent | RetryAfter | Unreachable | Transient | Permanent | Deferred


ReportStatus = Literal["delivered", "failed", "buffered", "submitted", "rejected"]
"""Where a message got to: on the phone (`delivered`), given up by the network (`failed`),
waiting in the network (`buffered`), accepted by the operator's SMS centre (`submitted`), or
refused by it (`rejected`)."""
REPORT_STATUSES: tuple[ReportStatus, ...] = get_args(ReportStatus)
FINAL_STATUSES: frozenset[ReportStatus] = frozenset({"delivered", "failed", "rejected"})
