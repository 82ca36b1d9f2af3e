"""Ideas residents propose for their network, the neighbours who support them, and the host's
answer: the "you said, we did" loop."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, UTCDateTime, enum_column, utcnow


class IdeaStatus(enum.StrEnum):
    PROPOSED = "proposed"
    CONSIDERING = "considering"  # under consideration
    PLANNED = "planned"
    DONE = "done"
    NOT_NOW = "not_now"
    MERGED = "merged"  # a duplicate: its supporters now support merged_into_id
    HIDDEN = "hidden"  # hidden by a host after a report


class Idea(Base):
    __tablename__ = "ideas"
    __table_args__ = (Index("ix_ideas_network_status", "network_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)  # in the author's words, up to 500 characters
    locale: Mapped[str] = mapped_column(String(8))
    status: Mapped[IdeaStatus] = mapped_column(enum_column(IdeaStatus, "idea_status"))
    # The host's words with the last status change ("the road authority decides in May").
    reason: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    # When the host passed it on to the municipality's coordinators.
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdeaSupport(Base):
    """One resident's support: at most one per idea, so one resident can't inflate it."""

    __tablename__ = "idea_supports"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
