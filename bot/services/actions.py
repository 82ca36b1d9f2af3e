"""What a resident can do from a notice or a numbered SMS menu, as typed values.

A button on a notice (a new event, a help request, a match, the digest) means one action: a
small frozen dataclass below. The core renders buttons with actions, never with strings. Each
channel turns an action into what it needs: the Telegram sender packs it into callback data
(`pack`, at most 64 bytes), the SMS sender numbers it ("Reply 1 Coming, 2 Maybe ...") and keeps
the packed form for the resident's next "1", and both come back through `parse`. The Telegram
handlers register one function per action type (`handlers.filters.Act`); the SMS conversation
dispatches on the type with `match`.

Packed data comes back from a client or a phone, so `parse` is strict: an unknown tag, a
missing or extra field, a non-number, an id out of range or a value outside its enum gives
None. The packed form is `tag:field:field`; it is the format the first version of the bot
stored in messages and SMS conversations, so a button pressed on an old message still works
(those carried a padding field, "0" or empty, which is accepted and ignored).
"""

from __future__ import annotations

import enum
import typing
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import ClassVar, Final

from bot.edge_input import row_id
from bot.i18n import SHIPPED_LOCALES
from db.models import Answer, HelpCategory

# Telegram's limit for callback data, in bytes.
CALLBACK_DATA_MAX: Final = 64
# What older versions appended to fill a fixed layout; accepted after the last field.
_PADDING: Final = frozenset({"", "0"})


class MenuItem(enum.StrEnum):
    """The bot's screens that a message can open."""

    HOME = "home"
    EVENTS = "events"
    NETWORKS = "networks"
    LANGUAGE = "language"
    SETTINGS = "settings"
    MYDATA = "mydata"
    FORGET = "forget"
    HELP = "help"
    COORDINATOR = "coord"
    ASK = "ask"  # ask neighbours for help
    OFFER = "offer"  # offer neighbours help
    TAKE_PART = "part"  # polls, ideas and volunteer calls (issue 15)
    POLLS = "polls"
    IDEAS = "ideas"
    VOLUNTEER = "volunteer"


# A shipped locale code (`nb`, `fa_AF`, ...): the field type of a language choice.
LocaleCode = typing.NewType("LocaleCode", str)


@dataclass(frozen=True)
class Rsvp:
    """Coming, maybe or can't come, for an event."""

    tag: ClassVar[str] = "ev:rsvp"
    by_sms: ClassVar[bool] = True
    event_id: int
    answer: Answer


@dataclass(frozen=True)
class SeriesRsvp:
    """Coming to every date of a recurring event (YES), or no longer (NO: the answer to every
    date is taken back; dates answered one by one keep their answers). Telegram only: SMS
    members get new events in the day's summary, and answer a date from EVENTS."""

    tag: ClassVar[str] = "ev:series"
    by_sms: ClassVar[bool] = False
    series_id: int
    answer: Answer


@dataclass(frozen=True)
class CalendarFile:
    """The event as an .ics file for one's own calendar."""

    tag: ClassVar[str] = "ev:ics"
    by_sms: ClassVar[bool] = False
    event_id: int


@dataclass(frozen=True)
class OfferHelp:
    """ "I can help" with a neighbour's request."""

    tag: ClassVar[str] = "hr:offer"
    by_sms: ClassVar[bool] = True
    request_id: int


@dataclass(frozen=True)
class AcceptHelper:
    """The requester chooses one of those who offered."""

    tag: ClassVar[str] = "hr:accept"
    by_sms: ClassVar[bool] = True
    request_id: int
    helper_id: int


@dataclass(frozen=True)
class WriteToMatch:
    """Write to the other side of a match, through the bot."""

    tag: ClassVar[str] = "hr:write"
    by_sms: ClassVar[bool] = True
    request_id: int


@dataclass(frozen=True)
class ReportMatch:
    """Report the person on the other side of a match to the hosts."""

    tag: ClassVar[str] = "hr:reportp"
    by_sms: ClassVar[bool] = False
    request_id: int


@dataclass(frozen=True)
class BlockMatch:
    """Block the person on the other side of a match."""

    tag: ClassVar[str] = "hr:block"
    by_sms: ClassVar[bool] = False
    request_id: int


@dataclass(frozen=True)
class OpenMenu:
    """Open one of the bot's screens (the digest's "Events" and "Settings")."""

    tag: ClassVar[str] = "m"
    by_sms: ClassVar[bool] = False
    item: MenuItem


# The numbered answers of the SMS conversation's own questions.


@dataclass(frozen=True)
class ChooseLanguage:
    tag: ClassVar[str] = "lang"
    by_sms: ClassVar[bool] = True
    locale: LocaleCode


@dataclass(frozen=True)
class AcceptPrivacy:
    tag: ClassVar[str] = "privacy:accept"
    by_sms: ClassVar[bool] = True


@dataclass(frozen=True)
class JoinNetwork:
    tag: ClassVar[str] = "join"
    by_sms: ClassVar[bool] = True
    network_id: int


@dataclass(frozen=True)
class LeaveNetwork:
    tag: ClassVar[str] = "leave"
    by_sms: ClassVar[bool] = True
    network_id: int


@dataclass(frozen=True)
class ConfirmForget:
    """Yes, erase everything kept about me."""

    tag: ClassVar[str] = "forget:yes"
    by_sms: ClassVar[bool] = True


@dataclass(frozen=True)
class AskCategory:
    """The kind of help asked for (the first step of asking by SMS)."""

    tag: ClassVar[str] = "cat"
    by_sms: ClassVar[bool] = True
    category: HelpCategory


@dataclass(frozen=True)
class AskInNetwork:
    """The network a request goes to (the last step of asking by SMS)."""

    tag: ClassVar[str] = "net"
    by_sms: ClassVar[bool] = True
    network_id: int


@dataclass(frozen=True)
class OfferCategory:
    """A kind of help offered (by SMS: in every network one is in)."""

    tag: ClassVar[str] = "offer"
    by_sms: ClassVar[bool] = True
    category: HelpCategory


@dataclass(frozen=True)
class ChooseQuietHours:
    """Quiet hours by SMS: `choice` is the number of one of `preferences.QUIET_CHOICES`,
    counted from 1 as the SMS lists them."""

    tag: ClassVar[str] = "quiet"
    by_sms: ClassVar[bool] = True
    choice: int


@dataclass(frozen=True)
class SupportIdea:
    """Support a neighbour's idea (issue 15). In the bot the button toggles (pressed again it
    withdraws the support); by SMS a number from the IDEA list supports, never withdraws."""

    tag: ClassVar[str] = "ia:sup"
    by_sms: ClassVar[bool] = True
    idea_id: int


@dataclass(frozen=True)
class IdeaInNetwork:
    """The network an idea proposed by SMS goes to, when the resident is in several."""

    tag: ClassVar[str] = "ia:net"
    by_sms: ClassVar[bool] = True
    network_id: int


@dataclass(frozen=True)
class AnswerIdea:
    """A host opens a new idea's card, with the tools to answer it (from the IDEA notice)."""

    tag: ClassVar[str] = "ia:ans"
    by_sms: ClassVar[bool] = False
    idea_id: int


class ShowName(enum.StrEnum):
    """Whether others signed up for a volunteer shift may see one's first name."""

    YES = "y"
    NO = "n"


@dataclass(frozen=True)
class SignUpShift:
    """Sign up for a volunteer shift (issue 15). By SMS the first name stays hidden unless an
    earlier signup said otherwise; on Telegram a first signup asks (`SignUpNamed`)."""

    tag: ClassVar[str] = "vs:up"
    by_sms: ClassVar[bool] = True
    shift_id: int


@dataclass(frozen=True)
class SignUpNamed:
    """Sign up for a volunteer shift, answering whether others may see one's first name."""

    tag: ClassVar[str] = "vs:named"
    by_sms: ClassVar[bool] = False
    shift_id: int
    show: ShowName


@dataclass(frozen=True)
class WithdrawShift:
    """Withdraw from a volunteer shift one signed up for."""

    tag: ClassVar[str] = "vs:out"
    by_sms: ClassVar[bool] = True
    shift_id: int


class PollPlace(enum.StrEnum):
    """Where a poll's option was pressed: its notice keeps its text (the toast names the
    choice), its card is shown again with ✅. Telegram sends the pressed message's keyboard,
    but the dispatcher leaves it unread (`bot.dispatching.parse_update`), so the button says."""

    NOTICE = "n"
    CARD = "c"


@dataclass(frozen=True)
class PollVote:
    """Choose an option of a poll (a second tap of a multiple-choice option takes it back).
    The option must belong to the poll: a forged pair is refused by the service."""

    tag: ClassVar[str] = "poll:vote"
    by_sms: ClassVar[bool] = True
    poll_id: int
    option_id: int
    place: PollPlace = PollPlace.NOTICE


@dataclass(frozen=True)
class PollOther:
    """ "Other: your words" in a poll: the resident's next message is their answer."""

    tag: ClassVar[str] = "poll:other"
    by_sms: ClassVar[bool] = True
    poll_id: int


@dataclass(frozen=True)
class PollOpen:
    """A poll from the SMS list of open polls (POLLS): its question and numbered options come
    next."""

    tag: ClassVar[str] = "poll:open"
    by_sms: ClassVar[bool] = True
    poll_id: int


@dataclass(frozen=True)
class PollResults:
    """A closed poll's results (the creator, hosts and coordinators see the split too)."""

    tag: ClassVar[str] = "poll:res"
    by_sms: ClassVar[bool] = False
    poll_id: int


class OriginalOf(enum.StrEnum):
    """What kind of content a "Show original" button points at."""

    EVENT = "ev"
    HELP_REQUEST = "hr"
    NOTICE = "nt"  # a broadcast: the notice's body
    NETWORK = "net"  # a network's description
    IDEA = "idea"  # a resident's idea


@dataclass(frozen=True)
class ShowOriginal:
    """The original words of something the reader got machine-translated (Telegram only: by
    SMS the translation is all there is room for)."""

    tag: ClassVar[str] = "orig"
    by_sms: ClassVar[bool] = False
    kind: OriginalOf
    id: int


Action = (
    Rsvp
    | SeriesRsvp
    | CalendarFile
    | OfferHelp
    | AcceptHelper
    | WriteToMatch
    | ReportMatch
    | BlockMatch
    | OpenMenu
    | ChooseLanguage
    | AcceptPrivacy
    | JoinNetwork
    | LeaveNetwork
    | ConfirmForget
    | AskCategory
    | AskInNetwork
    | OfferCategory
    | ChooseQuietHours
    | ShowOriginal
    | PollVote
    | PollOther
    | PollOpen
    | PollResults
    | SupportIdea
    | IdeaInNetwork
    | AnswerIdea
    | SignUpShift
    | SignUpNamed
    | WithdrawShift
)
ACTION_TYPES: Final[tuple[type[Action], ...]] = typing.get_args(Action)
_BY_TAG: Final = MappingProxyType({kind.tag: kind for kind in ACTION_TYPES})
# Each type's fields and their types, resolved once (annotations are strings here).
_LAYOUT: Final = MappingProxyType(
    {
        kind: tuple((f.name, typing.get_type_hints(kind)[f.name]) for f in fields(kind))
        for kind in ACTION_TYPES
    }
)


def pack(action: Action) -> str:
    """The action as `tag:field:...`, for callback data and a remembered SMS choice."""
    # The fields by name, not dataclasses.astuple: that deep-copies every value, and packing
    # was a third of the time of making a town's weekly digests.
    values = (str(getattr(action, name)) for name, _ in _LAYOUT[type(action)])
    return ":".join([action.tag, *values])


def parse(data: str) -> Action | None:
    """The action `data` packs, or None for anything that is not exactly one."""
    parts = data.split(":")
    for length in (2, 1):
        kind = _BY_TAG.get(":".join(parts[:length]))
        if kind is not None:
            return _build(kind, parts[length:])
    return None


def _build(kind: type[Action], values: list[str]) -> Action | None:
    layout = _LAYOUT[kind]
    extra = values[len(layout) :]
    if len(values) < len(layout) or len(extra) > 1 or any(v not in _PADDING for v in extra):
        return None
    arguments: dict[str, object] = {}
    for (name, field_type), raw in zip(layout, values, strict=False):
        value = _convert(field_type, raw)
        if value is None:
            return None
        arguments[name] = value
    return kind(**arguments)  # type: ignore[arg-type]


def _convert(field_type: object, raw: str) -> object | None:
    if field_type is int:
        # Digits only: no sign, no spaces, no "1_000"; and a size a row id can have.
        return row_id(raw)
    if field_type is LocaleCode:
        return LocaleCode(raw) if raw in SHIPPED_LOCALES else None
    if isinstance(field_type, type) and issubclass(field_type, enum.StrEnum):
        try:
            return field_type(raw)
        except ValueError:
            return None
    raise TypeError(f"no conversion for {field_type!r}")  # a new field type: add it above
