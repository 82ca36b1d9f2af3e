"""SQLAlchemy models, one module per aggregate. Times are stored in UTC and always come back
timezone-aware (`base.UTCDateTime`).

Everything is importable from `db.models`, as Alembic and the queries expect."""

from __future__ import annotations

from db.models.base import NAMING, Base, UTCDateTime, enum_column, utcnow
from db.models.digests import Digest, DigestRun
from db.models.events import (
    Answer,
    Event,
    EventSeries,
    EventStatus,
    EventText,
    Repeat,
    Rsvp,
    SeriesRsvp,
)
from db.models.feeds import CalendarFeed
from db.models.help import (
    Block,
    HelpCategory,
    HelperSettings,
    HelpFrequency,
    HelpOffer,
    HelpRequest,
    HelpResponse,
    Report,
    RequestStatus,
    Suspension,
)
from db.models.ideas import Idea, IdeaStatus, IdeaSupport
from db.models.networks import (
    JoinPolicy,
    MemberRole,
    Membership,
    MembershipDay,
    Network,
    NetworkKind,
    NetworkText,
)
from db.models.outbox import (
    Channel,
    Delivery,
    DeliveryStatus,
    Lease,
    Notice,
    NoticeKind,
    RateSlot,
    Rendering,
)
from db.models.polls import (
    Poll,
    PollBallot,
    PollChoice,
    PollOption,
    PollOptionText,
    PollStatus,
    PollText,
)
from db.models.rate_limits import RateEvent, RateKind
from db.models.residents import NotifyMode, PhoneCode, Preferences, Resident, SmsConversation
from db.models.translations import MachineTranslation, TranslationUsage
from db.models.updates import UpdateClaim
from db.models.volunteering import CallStatus, VolunteerCall, VolunteerShift, VolunteerSignup

__all__ = [
    "NAMING",
    "Answer",
    "Base",
    "Block",
    "CalendarFeed",
    "CallStatus",
    "Channel",
    "Delivery",
    "DeliveryStatus",
    "Digest",
    "DigestRun",
    "Event",
    "EventSeries",
    "EventStatus",
    "EventText",
    "HelpCategory",
    "HelpFrequency",
    "HelpOffer",
    "HelpRequest",
    "HelpResponse",
    "HelperSettings",
    "Idea",
    "IdeaStatus",
    "IdeaSupport",
    "JoinPolicy",
    "Lease",
    "MachineTranslation",
    "MemberRole",
    "Membership",
    "MembershipDay",
    "Network",
    "NetworkKind",
    "NetworkText",
    "Notice",
    "NoticeKind",
    "NotifyMode",
    "PhoneCode",
    "Poll",
    "PollBallot",
    "PollChoice",
    "PollOption",
    "PollOptionText",
    "PollStatus",
    "PollText",
    "Preferences",
    "RateEvent",
    "RateKind",
    "RateSlot",
    "Rendering",
    "Repeat",
    "Report",
    "RequestStatus",
    "Resident",
    "Rsvp",
    "SeriesRsvp",
    "SmsConversation",
    "Suspension",
    "TranslationUsage",
    "UTCDateTime",
    "UpdateClaim",
    "VolunteerCall",
    "VolunteerShift",
    "VolunteerSignup",
    "enum_column",
    "utcnow",
]
