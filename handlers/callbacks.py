"""Callback data for every inline button. It comes back from the client, so it is untrusted:
aiogram's filters refuse anything that does not parse, and services check every role."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class LanguageCb(CallbackData, prefix="lang"):
    code: str


class PrivacyCb(CallbackData, prefix="priv"):
    action: str  # "accept"


class NetworkCb(CallbackData, prefix="n"):
    action: str  # list, open, join, leave
    network_id: int = 0
    page: int = 0


class ForgetCb(CallbackData, prefix="fg"):
    action: str  # yes, no


class CoordCb(CallbackData, prefix="c"):
    """Coordinator actions; `arg` is a resident id, a page or a choice depending on `action`."""

    action: str
    network_id: int = 0
    arg: int = 0


class EventAction(StrEnum):
    OPEN = "open"  # an event's card
    LIST = "list"  # the upcoming events, page `event_id`
    WHO = "who"  # who is coming (hosts)


class EventCb(CallbackData, prefix="ev"):
    """The /events screens. Answering and the calendar file are actions of the core
    (`Rsvp`, `CalendarFile`: `ev:rsvp`, `ev:ics`), matched with `Act`."""

    action: EventAction
    event_id: int = 0
    answer: str = ""  # unused since the answers moved to `Rsvp`; kept so old buttons parse


class SettingsCb(CallbackData, prefix="s"):
    action: str  # mode, quiet, digest; phone, unlink, fallback (the phone section)
    value: int = 0


class HostCb(CallbackData, prefix="h"):
    """A host's (or coordinator's) broadcast; network 0 means everyone."""

    action: str  # write, send, drop, reach
    network_id: int = 0
    notice_id: int = 0


class HostEventCb(CallbackData, prefix="he"):
    """A host creating, changing or cancelling an event."""

    action: str  # new, day, pick, nn, tr, publish, restart, drop, edit, field, cancel, confirm
    network_id: int = 0
    event_id: int = 0
    arg: str = ""


class HelpCb(CallbackData, prefix="hr"):
    """Neighbour help. `offer`, `accept` and `write` also appear on notices rendered by the
    services (bot.services.help), so this format is shared: a test keeps them equal."""

    action: str
    request_id: int = 0
    arg: int = 0


class EnrolCb(CallbackData, prefix="en"):
    """Enrolling an SMS-only resident: `start` (network 0: a coordinator chooses networks),
    `lang` (arg: a locale), `net` (toggle a network), `next`, `agree`, `drop`."""

    action: str
    network_id: int = 0
    arg: str = ""
