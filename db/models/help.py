"""Neighbour help: offers, requests, responses, and the moderation around them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, UTCDateTime, enum_column, utcnow


class HelpCategory(enum.StrEnum):
    ERRANDS = "errands"
    TRANSPORT = "transport"
    COMPANY = "company"
    DIGITAL = "digital"
    LANGUAGE = "language"
    HOME = "home"
    LENDING = "lending"
    OTHER = "other"


class HelpFrequency(enum.StrEnum):
    INSTANT = "instant"
    DAILY = "daily"
    WEEKLY = "weekly"


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    MATCHED = "matched"
    DONE = "done"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    HIDDEN = "hidden"


class HelpOffer(Base):
    """A resident offers a kind of help in one of their networks."""

    __tablename__ = "help_offers"

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    network_id: Mapped[int] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[HelpCategory] = mapped_column(
        enum_column(HelpCategory, "help_category"), primary_key=True
    )


class HelperSettings(Base):
    __tablename__ = "helper_settings"

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    frequency: Mapped[HelpFrequency] = mapped_column(enum_column(HelpFrequency, "help_frequency"))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)


class HelpRequest(Base):
    __tablename__ = "help_requests"
    __table_args__ = (Index("ix_help_requests_network_status", "network_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    category: Mapped[HelpCategory] = mapped_column(enum_column(HelpCategory, "help_category"))
    description: Mapped[str] = mapped_column(Text)
    needed_on: Mapped[date | None] = mapped_column(Date)  # None: flexible
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus, "request_status"))
    helper_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the requester took a helper's offer: the insight's time to match.
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HelpResponse(Base):
    """A helper said "I can help" to a request."""

    __tablename__ = "help_responses"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE"), primary_key=True
    )
    helper_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Report(Base):
    """A resident reports a request (or the person on the other side of it) to the network's
    hosts. A reporter has at most one open report of each: pressing Report again adds none."""

    __tablename__ = "reports"
    __table_args__ = (
        Index(
            "ux_reports_open",
            "reporter_id",
            "request_id",
            "about_resident",
            unique=True,
            sqlite_where=text("handled_at IS NULL"),
            postgresql_where=text("handled_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE")
    )
    reported_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    # A report of an idea (issue 15) rather than of a help request.
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    # About the person rather than the request: kept apart from reported_id, which /forget
    # empties, so that the two reports of one request stay two.
    about_resident: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Suspension(Base):
    """A resident may not ask or help in a network (set by its hosts or a coordinator)."""

    __tablename__ = "suspensions"

    network_id: Mapped[int] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True
    )
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Block(Base):
    """A resident no longer wants to hear from another (relayed help messages, offers)."""

    __tablename__ = "blocks"

    blocker_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
