"""Networks (neighbourhoods and interest groups) and who is in them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:  # for the relationship's annotation only
    from db.models.residents import Resident


class NetworkKind(enum.StrEnum):
    AREA = "area"
    INTEREST = "interest"


class JoinPolicy(enum.StrEnum):
    OPEN = "open"
    INVITE = "invite"


class MemberRole(enum.StrEnum):
    MEMBER = "member"
    HOST = "host"


class Network(Base):
    """A neighbourhood (area) or an interest group that residents join."""

    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[NetworkKind] = mapped_column(enum_column(NetworkKind, "network_kind"))
    join_policy: Mapped[JoinPolicy] = mapped_column(enum_column(JoinPolicy, "join_policy"))
    invite_code: Mapped[str | None] = mapped_column(String(32))
    # The unguessable part of the network's calendar feed URL; made when first asked for.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="network", cascade="all, delete-orphan", passive_deletes=True
    )


class NetworkText(Base):
    """A network's name and description in another language, given by a host or coordinator
    (or the TOML import): a newcomer reads "Батьки малюків", not "Småbarnsforeldre"."""

    __tablename__ = "network_texts"

    network_id: Mapped[int] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True
    )
    locale: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")


class Membership(Base):
    """A resident in a network, as a member or as one of its hosts."""

    __tablename__ = "memberships"
    __table_args__ = (Index("ix_memberships_network_role", "network_id", "role"),)

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    network_id: Mapped[int] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole, "member_role"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    resident: Mapped[Resident] = relationship(back_populates="memberships")
    network: Mapped[Network] = relationship(back_populates="memberships")


class MembershipDay(Base):
    """How many joined and left a network on a day (local calendar day): what the insight
    charts draw members over time from, since a membership row goes when its member leaves.
    Counts only, no resident: kept whatever their age, like `translation_usage`."""

    __tablename__ = "membership_days"

    network_id: Mapped[int] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    joined: Mapped[int] = mapped_column(Integer, default=0)
    left: Mapped[int] = mapped_column(Integer, default=0)
