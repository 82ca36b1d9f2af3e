"""Calendar feeds a network follows: the libraries', clubs' and municipality's own iCalendar
URLs, polled by the scheduler and imported like a file (issue 14)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, UTCDateTime, utcnow


class CalendarFeed(Base):
    __tablename__ = "calendar_feeds"
    __table_args__ = (UniqueConstraint("network_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    every_seconds: Mapped[int] = mapped_column(Integer)
    # What the server said last time, for a conditional request (If-None-Match /
    # If-Modified-Since): an unchanged feed costs a 304 and no parsing.
    etag: Mapped[str | None] = mapped_column(String(255))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    next_check_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last good read
    # "ok", "unchanged" or "error"; the error in a line an operator reads; the report's counts.
    last_status: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(String(255))
    last_report: Mapped[str | None] = mapped_column(Text)  # JSON: created/updated/… counts
    failures: Mapped[int] = mapped_column(Integer, default=0)  # in a row: the back-off
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
