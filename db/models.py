"""SQLAlchemy models. Times are stored in UTC and always come back timezone-aware."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The real time, in UTC: the default of timestamp columns.

    Services read the time from the session's clock (`db.session.session_now`), which a
    session made by the core stamps on new rows too, so a moved clock (the playground's) is
    what gets stored.
    """
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """SQLite forgets the zone; this puts UTC back so comparisons never mix naive and aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware values")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class NetworkKind(enum.StrEnum):
    AREA = "area"
    INTEREST = "interest"


class JoinPolicy(enum.StrEnum):
    OPEN = "open"
    INVITE = "invite"


class MemberRole(enum.StrEnum):
    MEMBER = "member"
    HOST = "host"


def _enum(kind: type[enum.StrEnum], name: str, constrained: bool = True) -> Enum:
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=constrained,
        length=16,
        values_callable=lambda members: [m.value for m in members],
    )


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

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="resident", cascade="all, delete-orphan", passive_deletes=True
    )


class Network(Base):
    """A neighbourhood (area) or an interest group that residents join."""

    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[NetworkKind] = mapped_column(_enum(NetworkKind, "network_kind"))
    join_policy: Mapped[JoinPolicy] = mapped_column(_enum(JoinPolicy, "join_policy"))
    invite_code: Mapped[str | None] = mapped_column(String(32))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="network", cascade="all, delete-orphan", passive_deletes=True
    )


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
    role: Mapped[MemberRole] = mapped_column(_enum(MemberRole, "member_role"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    resident: Mapped[Resident] = relationship(back_populates="memberships")
    network: Mapped[Network] = relationship(back_populates="memberships")


# ---- events, notices and the outbox -----------------------------------------------------------


class NotifyMode(enum.StrEnum):
    INSTANT = "instant"
    DIGEST = "digest"
    SMS_REPLY = "sms_reply"  # an answer to a resident's SMS
    SMS_STOPPED = "sms_stopped"  # the confirmation of STOP
    SMS_WELCOME = "sms_welcome"  # to a resident enrolled by a coordinator or host
    PHONE_CODE = "phone_code"  # the code that links a phone number to a Telegram resident
    SMS_BUDGET = "sms_budget"  # to hosts and coordinators: the month's SMS budget is used up


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Answer(enum.StrEnum):
    YES = "yes"
    MAYBE = "maybe"
    NO = "no"


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
    PHONE_CODE = "phone_code"  # the code that links a phone number to a Telegram resident
    SMS_BUDGET = "sms_budget"  # to hosts and coordinators: the month's SMS budget is used up


class Channel(enum.StrEnum):
    TELEGRAM = "telegram"
    SMS = "sms"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    HELD = "held"  # for the weekly digest: the resident chose "digest only"


class Preferences(Base):
    """How and when a resident wants notices: one row per resident, created on first change."""

    __tablename__ = "preferences"

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    notify_mode: Mapped[NotifyMode] = mapped_column(_enum(NotifyMode, "notify_mode"))
    # Minutes after local midnight; quiet_start == quiet_end means no quiet hours.
    quiet_start: Mapped[int] = mapped_column(default=22 * 60)
    quiet_end: Mapped[int] = mapped_column(default=8 * 60)
    # The weekly digest: on unless the resident turned it off in /settings.
    digest: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


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
    status: Mapped[EventStatus] = mapped_column(_enum(EventStatus, "event_status"))
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
    answer: Mapped[Answer] = mapped_column(_enum(Answer, "rsvp_answer"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notice(Base):
    """Something to tell a group of residents; its deliveries are the outbox."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unconstrained: later features (help, digests, SMS) add kinds without a table rebuild.
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind, "notice_kind", constrained=False))
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
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"), primary_key=True)
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
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"))
    locale: Mapped[str] = mapped_column(String(8))
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus, "delivery_status"))
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


# ---- neighbour help ----------------------------------------------------------------------------


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
        _enum(HelpCategory, "help_category"), primary_key=True
    )


class HelperSettings(Base):
    __tablename__ = "helper_settings"

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    frequency: Mapped[HelpFrequency] = mapped_column(_enum(HelpFrequency, "help_frequency"))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)


class HelpRequest(Base):
    __tablename__ = "help_requests"
    __table_args__ = (Index("ix_help_requests_network_status", "network_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    category: Mapped[HelpCategory] = mapped_column(_enum(HelpCategory, "help_category"))
    description: Mapped[str] = mapped_column(Text)
    needed_on: Mapped[date | None] = mapped_column(Date)  # None: flexible
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus, "request_status"))
    helper_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
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
    """A resident reports a request or another resident to the network's hosts."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE")
    )
    reported_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
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


class Lease(Base):
    """Who may do a once-only job (the scheduler) until when; taken over when it runs out."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


# ---- the weekly digest -------------------------------------------------------------------------


class Digest(Base):
    """A resident's digest of one ISO week: the row that makes it once only."""

    __tablename__ = "digests"

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    week: Mapped[str] = mapped_column(String(8), primary_key=True)  # ISO week, "2026-W48"
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DigestRun(Base):
    """One week's digest round: started, and finished once everyone due has been handled, so a
    round interrupted by downtime or a crash is caught up once."""

    __tablename__ = "digest_runs"

    week: Mapped[str] = mapped_column(String(8), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# ---- SMS ---------------------------------------------------------------------------------------


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
