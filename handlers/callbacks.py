"""Callback data for the bot's own screens. It comes back from the client, so it is untrusted:
each `action` is an enum, so aiogram's filter refuses any value outside it (the press ends at
the fallback's "this button no longer works"), and services check every role.

What a resident does from a notice (answering an event, offering help, ...) is not here: those
are the core's actions (`bot.services.actions`), matched with `handlers.filters.Act`. The enum
values are the strings earlier versions used, so buttons on old messages still work."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from bot.edge_input import ID_MAX
from bot.services.insight.figures import FigureKey

# An id, a page or a choice from a button. The client can send any number back, and one that
# does not fit a database column (2**63, say) failed the query it reached; outside this range
# the data does not parse, and the press ends at the fallback like any unknown button's.
Number = Annotated[int, Field(ge=0, le=ID_MAX)]
# A choice where -1 means something (the day help is needed: flexible).
Choice = Annotated[int, Field(ge=-1, le=ID_MAX)]


class LanguageCb(CallbackData, prefix="lang"):
    code: str


class PrivacyAction(StrEnum):
    ACCEPT = "accept"


class PrivacyCb(CallbackData, prefix="priv"):
    action: PrivacyAction


class NetworkAction(StrEnum):
    LIST = "list"  # the networks, page `page`
    OPEN = "open"  # a network's card
    JOIN = "join"
    LEAVE = "leave"
    MEMBERS = "members"  # hosts: who is in it


class NetworkCb(CallbackData, prefix="n"):
    action: NetworkAction
    network_id: Number = 0
    page: Number = 0


class NetworkTextAction(StrEnum):
    MENU = "menu"  # the languages of network `network_id`'s texts
    LANGUAGE = "lang"  # give or change its texts in `locale`: the name is asked next
    KEEP = "keep"  # at the description step: keep the one given before in `locale`
    REMOVE = "remove"  # take away its texts in `locale`


class NetworkTextCb(CallbackData, prefix="nt"):
    """A network's name and description in other languages (its hosts and coordinators).
    `locale` is checked against the languages offered before any handler sees it;
    `coordinator` says whether « Back leads to the coordinator's card or the network's own."""

    action: NetworkTextAction
    network_id: Number = 0
    locale: str = ""
    coordinator: bool = False


class ListKind(StrEnum):
    """The lists that grow with data and are shown a page at a time (`handlers.paging`)."""

    WHO = "who"  # who is coming to event `ref`
    MEMBERS = "members"  # the members of network `ref`
    REACH = "reach"  # the coordinator's reach, every network
    REPORTS = "reports"  # open reports
    STATS = "stats"  # neighbour help in figures, per network
    EVENTS = "events"  # upcoming events in my networks
    REQUESTS = "requests"  # open requests I could help with, and my own
    ENROL = "enrol"  # the networks to enrol an SMS neighbour in (a keyboard's pages)
    CALLS = "calls"  # volunteer calls: ref 0 open ones in my networks, 1 the ones I host
    IDEAS = "ideas"  # the ideas in my networks, most supported first
    POLLS = "polls"  # polls: ref 0 open ones I may answer, 1 closed ones I answered or made


class PageCb(CallbackData, prefix="pg"):
    """Page `page` (from 0) of list `kind` about `ref` (an event or network id, or 0). The
    page is rendered again from the data, so nothing is kept between presses; a page that no
    longer exists shows the nearest one."""

    kind: ListKind
    ref: int = 0
    page: int = 0


class ForgetAction(StrEnum):
    YES = "yes"
    NO = "no"


class ForgetCb(CallbackData, prefix="fg"):
    action: ForgetAction


class CoordAction(StrEnum):
    PANEL = "panel"
    NETWORKS = "nets"  # the networks to manage, page `arg`
    CARD = "card"  # one network's card
    KIND = "kind"  # arg 1: an interest group, 0: an area
    POLICY = "policy"  # arg 1: invite only, 0: open
    CODE = "code"  # a new invite code
    ARCHIVE = "archive"
    RESTORE = "restore"
    HOSTS = "hosts"  # the host picker, page `arg`
    HOST = "host"  # make resident `arg` a host, or end their role
    REACH = "reach"
    NAME = "name"  # ask for a new name
    DESCRIPTION = "desc"  # ask for a new description
    NEW = "new"  # start creating a network
    NEW_KIND = "newkind"  # the new network's kind (arg as for KIND)
    NEW_POLICY = "newpolicy"  # the new network's join policy (arg as for POLICY): create it


class CoordCb(CallbackData, prefix="c"):
    """Coordinator actions; `arg` is a resident id, a page or a choice depending on `action`."""

    action: CoordAction
    network_id: Number = 0
    arg: Number = 0


class EventAction(StrEnum):
    OPEN = "open"  # an event's card
    LIST = "list"  # the upcoming events, page `event_id` (later pages: `PageCb`)
    WHO = "who"  # who is coming (hosts)


class EventCb(CallbackData, prefix="ev"):
    """The /events screens. Answering and the calendar file are actions of the core
    (`Rsvp`, `CalendarFile`: `ev:rsvp`, `ev:ics`), matched with `Act`."""

    action: EventAction
    event_id: Number = 0
    answer: str = ""  # unused since the answers moved to `Rsvp`; kept so old buttons parse


class SettingsAction(StrEnum):
    MODE = "mode"  # value: index of the notify mode
    QUIET = "quiet"  # value: index of the quiet-hours choice
    DIGEST = "digest"  # value 1: on, 0: off
    PHONE = "phone"  # add a phone number
    UNLINK = "unlink"  # remove it
    FALLBACK = "fallback"  # value 1: SMS when Telegram can't reach me
    REPORT = "report"  # coordinators; value 1: the monthly report on the 1st, 0: off


class SettingsCb(CallbackData, prefix="s"):
    action: SettingsAction
    value: Number = 0


class BroadcastAction(StrEnum):
    WRITE = "write"  # ask for the text
    SEND = "send"  # after the preview
    DROP = "drop"  # cancel
    REACH = "reach"  # how notice `notice_id` is doing


class HostCb(CallbackData, prefix="h"):
    """A host's (or coordinator's) broadcast; network 0 means everyone."""

    action: BroadcastAction
    network_id: Number = 0
    notice_id: Number = 0


class HostEventAction(StrEnum):
    NEW = "new"  # start writing an event for `network_id`
    DAY = "day"  # arg: the day it starts (ISO), the time is asked next
    PICK = "pick"  # arg: which of the parser's candidate times the host meant
    NO_NORWEGIAN = "nn"  # arg 1: no Norwegian needed, 0: needed
    TRANSLATION = "tr"  # arg: a locale to write a version in, or "done": the preview
    PUBLISH = "publish"
    RESTART = "restart"
    DROP = "drop"
    EDIT = "edit"  # what to change in event `event_id`
    FIELD = "field"  # arg: the field to change
    CANCEL = "cancel"  # ask before cancelling event `event_id`
    CONFIRM = "confirm"  # cancel it


class HostEventCb(CallbackData, prefix="he"):
    """A host creating, changing or cancelling an event."""

    action: HostEventAction
    network_id: Number = 0
    event_id: Number = 0
    arg: str = ""


class HelpAction(StrEnum):
    OFFER_NETWORK = "onet"  # the offer screen of network `request_id`
    CATEGORY = "cat"  # offer category `arg` in network `request_id`, or stop offering it
    FREQUENCY = "freq"  # hear about requests at frequency `arg`
    PAUSE = "pause"  # arg 1: pause my offers, 0: resume them
    ASK_CATEGORY = "acat"  # ask for help in category `arg`
    ASK_DAY = "aday"  # needed in `arg` days, -1: flexible
    ASK_NETWORK = "anet"  # post the request in network `request_id`
    DONE = "done"
    WITHDRAW = "withdraw"
    REPORT = "report"
    CARD = "card"  # a request's card from /requests; arg: the list's page, for « Requests
    HIDE = "hide"  # hosts
    SUSPEND = "suspend"  # hosts: suspend who asked
    STATS = "stats"  # coordinators


class HelpCb(CallbackData, prefix="hr"):
    """Neighbour help. Its prefix is shared with the core's help actions (`hr:offer`,
    `hr:accept`, ...: `bot.services.actions`), whose tags are no value of `HelpAction`, so
    the two never match each other's buttons."""

    action: HelpAction
    request_id: Number = 0
    arg: Choice = 0


class EnrolAction(StrEnum):
    START = "start"  # network 0: a coordinator chooses the networks
    LANGUAGE = "lang"  # arg: a locale
    NETWORK = "net"  # toggle a network
    NEXT = "next"
    AGREE = "agree"
    DROP = "drop"


class EnrolCb(CallbackData, prefix="en"):
    """Enrolling an SMS-only resident."""

    action: EnrolAction
    network_id: Number = 0
    arg: str = ""


class CalendarAction(StrEnum):
    RENEW = "renew"  # a new feed link for me (the old one stops working)
    RENEW_NETWORK = "renewnet"  # hosts: a new feed link for network `network_id`


class CalendarCb(CallbackData, prefix="cal"):
    """The /calendar screen's buttons."""

    action: CalendarAction
    network_id: Number = 0


class IdeaAction(StrEnum):
    CARD = "card"  # idea `idea_id`'s card; arg: the list's page, for « Ideas
    SUPPORT = "sup"  # support idea `idea_id`, or withdraw; arg: the list's page shown again
    PROPOSE = "new"  # start proposing an idea
    NETWORK = "net"  # propose it in network `idea_id`
    POST = "post"  # after the preview: post it
    REPORT = "report"
    STATUS = "status"  # hosts: answer with status `arg` (an index of `ideas.ANSWERS`)
    MERGE = "merge"  # hosts: the ideas idea `idea_id` could be merged into, page `arg`
    INTO = "into"  # hosts: merge idea `idea_id` into idea `arg`
    FORWARD = "fwd"  # hosts: pass it on to the coordinators
    HIDE = "hide"  # hosts: hide it (from its card or /reports)


class IdeaCb(CallbackData, prefix="idea"):
    """Ideas (issue 15). Supporting from a notice or by SMS is the core's `SupportIdea`
    (`ia:sup`); this is the bot's own screens. Every action's role is checked again in
    `bot.services.ideas`."""

    action: IdeaAction
    idea_id: Number = 0
    arg: Number = 0


class PollAction(StrEnum):
    LIST = "list"  # the open polls (`page`), or with `closed` those answered
    CARD = "card"  # poll `poll_id`'s card
    NEW = "new"  # hosts and coordinators: start a new poll
    CLOSE = "close"  # creator, hosts, coordinators: close poll `poll_id` now (asks first)
    CLOSE_YES = "closeyes"


class PollCb(CallbackData, prefix="pl"):
    """Polls (issue 15): the bot's own screens. Answering is the core's `PollVote` /
    `PollOther` (from a notice or a card) and results `PollResults`; every role is checked
    again in `bot.services.polls`."""

    action: PollAction
    poll_id: Number = 0
    page: Number = 0
    closed: bool = False


class PollNewAction(StrEnum):
    NETWORK = "net"  # ask network `ref` (0: everyone, coordinators only)
    DONE = "done"  # no more options
    KIND = "kind"  # ref 0: one answer, 1: several
    OTHER = "other"  # ref 0: no "Other", 1: with it
    NAMED = "named"  # ref 0: anonymous (the default), 1: the creator sees who chose what
    CLOSES = "closes"  # closes in `ref` days
    PICK = "pick"  # one of the readings of a typed closing time, by index `ref`
    LANGUAGE = "lang"  # write it in `arg` too
    PREVIEW = "preview"
    PUBLISH = "publish"
    DISCARD = "discard"


class PollNewCb(CallbackData, prefix="pn"):
    """The steps of a new poll (`handlers.polls.create`)."""

    action: PollNewAction
    ref: Number = 0
    arg: str = ""


class InsightAction(StrEnum):
    MENU = "menu"  # the figures of network `network_id` (0: all networks, coordinators)
    NETWORKS = "nets"  # coordinators: the network to see, page `page`
    FIGURE = "fig"  # figure `figure` of network `network_id` (0: all), as a chart


class InsightCb(CallbackData, prefix="ins"):
    """📈 Insight (issue 16): charts for coordinators (all networks or one) and hosts (a
    network they host). `figure` is checked against the figures before any handler sees it;
    who may see which network is checked again in `bot.services.insight`."""

    action: InsightAction
    network_id: Number = 0
    figure: FigureKey = FigureKey.MEMBERS
    page: Number = 0
