"""Polls: a question to a network (or to everyone) with 2–6 options, answered once per resident
and changeable until it closes."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, UTCDateTime, enum_column, utcnow


class PollStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    HIDDEN = "hidden"  # withdrawn by a host or coordinator before it closed


class Poll(Base):
    __tablename__ = "polls"
    __table_args__ = (Index("ix_polls_status_closes", "status", "closes_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: a coordinator's poll to every resident.
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(String(300))
    locale: Mapped[str] = mapped_column(String(8))  # the language the question was written in
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    # "Other: your words" as a last choice.
    allow_other: Mapped[bool] = mapped_column(Boolean, default=False)
    # Anonymous (the default): nobody, the host included, sees who chose what.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[PollStatus] = mapped_column(enum_column(PollStatus, "poll_status"))
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PollOption(Base):
    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1-based: the number an SMS resident replies
    text: Mapped[str] = mapped_column(String(100))


class PollText(Base):
    """The question in another language: a human's, or none (machine translation then)."""

    __tablename__ = "poll_texts"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    locale: Mapped[str] = mapped_column(String(8), primary_key=True)
    question: Mapped[str] = mapped_column(String(300))


class PollOptionText(Base):
    __tablename__ = "poll_option_texts"

    option_id: Mapped[int] = mapped_column(
        ForeignKey("poll_options.id", ondelete="CASCADE"), primary_key=True
    )
    locale: Mapped[str] = mapped_column(String(8), primary_key=True)
    text: Mapped[str] = mapped_column(String(100))


class PollBallot(Base):
    """One resident's answer to a poll: the channel and language it came in are kept for the
    host's split (shown only for groups of at least the minimum size)."""

    __tablename__ = "poll_ballots"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(8))
    other_text: Mapped[str | None] = mapped_column(Text)  # "Other: your words"
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PollChoice(Base):
    """An option a ballot chose (several for a multiple-choice poll)."""

    __tablename__ = "poll_choices"
    __table_args__ = (Index("ix_poll_choices_option", "option_id"),)

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    option_id: Mapped[int] = mapped_column(
        ForeignKey("poll_options.id", ondelete="CASCADE"), primary_key=True
    )
