"""Volunteer calls ("dugnad"): a host asks for hands at a time and place, in one or more shifts
with a number of slots; residents sign up, and after it the host confirms who came, which
counts as volunteer hours for the municipality's figures."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, UTCDateTime, enum_column, utcnow


class CallStatus(enum.StrEnum):
    OPEN = "open"
    CANCELLED = "cancelled"


class VolunteerCall(Base):
    __tablename__ = "volunteer_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(8))
    status: Mapped[CallStatus] = mapped_column(enum_column(CallStatus, "call_status"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VolunteerShift(Base):
    __tablename__ = "volunteer_shifts"
    __table_args__ = (Index("ix_volunteer_shifts_starts", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_calls.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    slots: Mapped[int] = mapped_column(Integer)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the host confirmed who came; the hours count from then.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class VolunteerSignup(Base):
    """A resident signed up for a shift. /forget empties resident_id but keeps a confirmed
    signup, so the month's volunteer hours stay true without saying whose they were."""

    __tablename__ = "volunteer_signups"
    __table_args__ = (
        Index("ux_volunteer_signups_shift_resident", "shift_id", "resident_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_shifts.id", ondelete="CASCADE"), index=True
    )
    resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("residents.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    # Others signed up may see this resident's first name.
    show_name: Mapped[bool] = mapped_column(Boolean, default=False)
    # None until the host confirms; True: came (counted), False: did not come.
    attended: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
