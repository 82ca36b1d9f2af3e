"""What a resident did recently, counted against the per-resident rate limits (issue 11).

A row per action that a limit bounds, kept only as long as the longest window it counts in
(older rows go when the resident acts again), so the table stays small. It lives in the
database so the limits hold across processes: the webhook, the worker and other instances."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, UTCDateTime, enum_column


class RateKind(enum.StrEnum):
    REPORT = "report"
    HELP_REQUEST = "help_request"
    RELAY = "relay"  # a message to a matched neighbour
    SMS = "sms"  # a text to the SMS number (STOP is never counted)
    SMS_REFUSAL = "sms_refusal"  # the one "too many texts" reply in a window
    IDEA = "idea"  # an idea proposed for a network (issue 15)


class RateEvent(Base):
    __tablename__ = "rate_events"
    __table_args__ = (Index("ix_rate_events_resident_kind_at", "resident_id", "kind", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    # Unconstrained: a new kind needs no table rebuild.
    kind: Mapped[RateKind] = mapped_column(enum_column(RateKind, "rate_kind", constrained=False))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
