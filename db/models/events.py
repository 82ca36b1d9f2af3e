"""Events hosts publish, their texts in other languages, and residents' answers."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, UTCDateTime, enum_column, utcnow


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Answer(enum.StrEnum):
    YES = "yes"
    MAYBE = "maybe"
    NO = "no"


class Repeat(enum.StrEnum):
    """How a series repeats, as residents read it; DATES is a list of dates (RDATE alone, or a
    rule too intricate to say in a line), shown as how many."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"
    DATES = "dates"


class EventSeries(Base):
    """A recurring event from a calendar (RRULE/RDATE): residents meet it as one event, announced
    once; its occurrences are `Event`s (`series_id`), each with its own time, answers and
    reminder, so a moved or cancelled date concerns only those coming to it."""

    __tablename__ = "event_series"
    __table_args__ = (UniqueConstraint("network_id", "uid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    uid: Mapped[str] = mapped_column(String(255))  # the calendar's UID of the series
    repeat: Mapped[Repeat] = mapped_column(enum_column(Repeat, "series_repeat"))
    interval: Mapped[int] = mapped_column(Integer, default=1)
    # Weekdays of a weekly rule, Monday = 0, comma-separated ("2" = Wednesdays).
    weekdays: Mapped[str] = mapped_column(String(20), default="")
    # The series' first start (its time of day is the series' time) and, for a series that
    # ends, its last; UTC.
    first_start: Mapped[datetime] = mapped_column(UTCDateTime)
    last_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SeriesRsvp(Base):
    """Coming to every date of a series; an answer to one date (`Rsvp`) overrides it there."""

    __tablename__ = "series_rsvps"

    series_id: Mapped[int] = mapped_column(
        ForeignKey("event_series.id", ondelete="CASCADE"), primary_key=True
    )
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    answer: Mapped[Answer] = mapped_column(enum_column(Answer, "rsvp_answer"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Event(Base):
    """Something happening in a network: a walk, a language café, a dugnad."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("network_id", "uid"),
        Index("ix_events_network_starts", "network_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    # The calendar UID for imported events (re-imports update by it); ours for the rest.
    uid: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(8))  # the language the host wrote in
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    no_norwegian_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The calendar feed the event came from: an event gone from its feed is cancelled.
    feed_id: Mapped[int | None] = mapped_column(
        ForeignKey("calendar_feeds.id", ondelete="SET NULL"), index=True
    )
    # An occurrence of a recurring event: residents see the series by its next occurrence.
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_series.id", ondelete="SET NULL"), index=True
    )
    # A calendar's all-day event (DATE values): shown as its days, not as 00:00–24:00.
    all_day: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[EventStatus] = mapped_column(enum_column(EventStatus, "event_status"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventText(Base):
    """A host-written version of an event's title and description in another language."""

    __tablename__ = "event_texts"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    locale: Mapped[str] = mapped_column(String(8), primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")


class Rsvp(Base):
    __tablename__ = "rsvps"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    answer: Mapped[Answer] = mapped_column(enum_column(Answer, "rsvp_answer"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
