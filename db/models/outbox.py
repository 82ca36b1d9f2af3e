"""The outbox: a notice, its renderings per language and channel, one delivery per
recipient; the shared send rate, and leases that let one process lead."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, UTCDateTime, enum_column, utcnow


class NoticeKind(enum.StrEnum):
    EVENT = "event"
    EVENT_CHANGED = "event_changed"
    EVENT_CANCELLED = "event_cancelled"
    REMINDER = "reminder"
    BROADCAST = "broadcast"
    HELP_REQUEST = "help_request"
    HELP_OFFERED = "help_offered"
    HELP_MATCHED = "help_matched"
    HELP_RELAY = "help_relay"
    HELP_DONE = "help_done"
    HELP_NUDGE = "help_nudge"
    HELP_EXPIRED = "help_expired"
    REPORT = "report"
    DIGEST = "digest"
    SMS_REPLY = "sms_reply"  # an answer to a resident's SMS
    SMS_STOPPED = "sms_stopped"  # the confirmation of STOP
    SMS_WELCOME = "sms_welcome"  # to a resident enrolled by a coordinator or host
    INVITATION = "invitation"  # to a resident whose number a host enrolled
    PHONE_CODE = "phone_code"  # the code that links a phone number to a Telegram resident
    SMS_BUDGET = "sms_budget"  # to hosts and coordinators: the month's SMS budget is used up
    # One resident's summary of the new events whose own notices the daily cap held back
    # (bot.services.events.summary).
    NEW_EVENTS = "new_events"
    # Taking part (issue 15): polls, ideas and volunteer calls.
    POLL = "poll"
    POLL_RESULTS = "poll_results"
    IDEA = "idea"  # to the hosts: a new idea in their network
    IDEA_FORWARDED = "idea_forwarded"  # to the coordinators
    IDEA_STATUS = "idea_status"  # to its supporters
    VOLUNTEER_CALL = "volunteer_call"
    SHIFT_REMINDER = "shift_reminder"
    SHIFT_CHANGED = "shift_changed"  # to the host: a shift filled, someone withdrew
    SHIFT_MESSAGE = "shift_message"  # the host's message to those signed up
    SHIFT_THANKS = "shift_thanks"
    # Insight (issue 16): the monthly report, to coordinators who turned it on.
    MONTHLY_REPORT = "monthly_report"


class Channel(enum.StrEnum):
    TELEGRAM = "telegram"
    SMS = "sms"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    HELD = "held"  # for the weekly digest: the resident chose "digest only"


class Notice(Base):
    """Something to tell a group of residents; its deliveries are the outbox."""

    __tablename__ = "notices"
    # The flood guard counts a network's new-event notices since local midnight at every
    # publish (bot.services.events.flood): without this, a scan of every notice.
    __table_args__ = (Index("ix_notices_network_kind_created", "network_id", "kind", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unconstrained: later features (help, digests, SMS) add kinds without a table rebuild.
    kind: Mapped[NoticeKind] = mapped_column(
        enum_column(NoticeKind, "notice_kind", constrained=False)
    )
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, default="")  # a broadcast's text
    # Makes "once only" notices (a reminder per event) unique in the database itself.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Rendering(Base):
    """A notice rendered once per language and channel, shared by all its recipients."""

    __tablename__ = "renderings"

    notice_id: Mapped[int] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True
    )
    locale: Mapped[str] = mapped_column(String(8), primary_key=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    markup: Mapped[str | None] = mapped_column(Text)  # JSON of the inline keyboard, if any
    attachment: Mapped[str | None] = mapped_column(String(40))  # e.g. "ics" for an event file


class Delivery(Base):
    """One notice to one resident on one channel, and what became of it."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("notice_id", "resident_id", "channel"),
        Index("ix_deliveries_due", "status", "not_before"),
        # The SMS budget sums this month's sent segments before each non-essential SMS.
        Index("ix_deliveries_channel_sent", "channel", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"))
    locale: Mapped[str] = mapped_column(String(8))
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus, "delivery_status"))
    attempts: Mapped[int] = mapped_column(default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    external_id: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(200))
    # SMS only: what it cost, and the gateway's latest delivery report.
    segments: Mapped[int | None] = mapped_column()
    report: Mapped[str | None] = mapped_column(String(16))
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RateSlot(Base):
    """The next free sending moment of a rate limit shared by every worker process."""

    __tablename__ = "rate_slots"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Lease(Base):
    """Who may do a once-only job (the scheduler) until when; taken over when it runs out."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
