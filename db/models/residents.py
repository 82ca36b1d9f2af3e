"""Residents, their notice preferences, and the state of their SMS conversation and phone code."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Boolean, ForeignKey, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:  # for the relationship's annotation only
    from db.models.networks import Membership


class Resident(Base):
    """A person taking part, by Telegram today and by SMS later (`phone`)."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    first_name: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A Telegram resident's phone is theirs once they typed back the code we sent to it; an
    # SMS-only resident's when they answered from it or were enrolled with their consent.
    phone_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Telegram residents may get by SMS what cannot reach them on Telegram.
    sms_fallback: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # STOP by SMS: nothing is sent by SMS until the resident themselves sends START.
    sms_stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The unguessable part of the resident's own calendar feed URL (all their networks' events);
    # made when first asked for, gone with /forget.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="resident", cascade="all, delete-orphan", passive_deletes=True
    )


class NotifyMode(enum.StrEnum):
    INSTANT = "instant"
    DIGEST = "digest"
    SMS_REPLY = "sms_reply"  # an answer to a resident's SMS
    SMS_STOPPED = "sms_stopped"  # the confirmation of STOP
    SMS_WELCOME = "sms_welcome"  # to a resident enrolled by a coordinator or host
    PHONE_CODE = "phone_code"  # the code that links a phone number to a Telegram resident
    SMS_BUDGET = "sms_budget"  # to hosts and coordinators: the month's SMS budget is used up


class Preferences(Base):
    """How and when a resident wants notices: one row per resident, created on first change."""

    __tablename__ = "preferences"

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    notify_mode: Mapped[NotifyMode] = mapped_column(enum_column(NotifyMode, "notify_mode"))
    # Minutes after local midnight; quiet_start == quiet_end means no quiet hours.
    quiet_start: Mapped[int] = mapped_column(default=22 * 60)
    quiet_end: Mapped[int] = mapped_column(default=8 * 60)
    # The weekly digest: on unless the resident turned it off in /settings.
    digest: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The monthly insight report on the 1st (coordinators): off unless they turn it on.
    monthly_report: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class SmsConversation(Base):
    """Where an SMS resident is in a conversation: the step a plain answer belongs to, and
    what each number means in the last numbered question we sent them."""

    __tablename__ = "sms_conversations"

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    step: Mapped[str | None] = mapped_column(String(24))
    options: Mapped[str | None] = mapped_column(Text)  # JSON list of actions, "1" is the first
    data: Mapped[str | None] = mapped_column(Text)  # JSON: what a multi-step flow has so far
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PhoneCode(Base):
    """A code sent by SMS to a number a Telegram resident wants to link."""

    __tablename__ = "phone_codes"

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    phone: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
