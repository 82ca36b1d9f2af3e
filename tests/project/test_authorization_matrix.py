"""The authorization matrix: everything a resident can do, tried as everyone.

The entries are read from the code, not listed by hand: every action of the vocabulary
(`bot.services.actions`), every button (each `CallbackData` × each value of its `action`
enum), every command a handler answers, every conversation state, and every SMS keyword. Each
is tried, through the real dispatcher (a forged button press, a command, text sent in a state)
or the SMS inbound route (a keyword, or a number answering a menu), as each role of
`tests.support.authorization.ROLES`. `TABLE` below says, for a reviewer, what each role may do:

    A  allowed: something happens (no refusal)
    R  refused: a translated refusal in the resident's own language, and no row of any table
       changed (a dump of every table before and after)
    -  not applicable (a Telegram button has no SMS equivalent; an SMS keyword no Telegram one)

An entry the bot gains without a row here fails `test_the_table_covers_all_the_bot_offers`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import func, select

import handlers
from bot.catalog_maintenance import PROJECT
from bot.i18n import Catalogs, negotiate_locale
from bot.services import actions, networks
from bot.services.actions import (
    ACTION_TYPES,
    AcceptHelper,
    AcceptPrivacy,
    Action,
    AnswerIdea,
    AskCategory,
    AskInNetwork,
    BlockMatch,
    CalendarFile,
    ChooseLanguage,
    ChooseQuietHours,
    ConfirmForget,
    IdeaInNetwork,
    JoinNetwork,
    LeaveNetwork,
    LocaleCode,
    MenuItem,
    OfferCategory,
    OfferHelp,
    OpenMenu,
    OriginalOf,
    PollOpen,
    PollOther,
    PollResults,
    PollVote,
    ReportMatch,
    Rsvp,
    SeriesRsvp,
    ShowName,
    ShowOriginal,
    SignUpNamed,
    SignUpShift,
    SupportIdea,
    WithdrawShift,
    WriteToMatch,
)
from bot.services.actors import Actor
from bot.sms_keywords import Command as Keyword
from db.models import Answer, HelpCategory, Notice, NoticeKind, RateKind
from handlers.callbacks import (
    BroadcastAction,
    CalendarAction,
    CalendarCb,
    CoordAction,
    CoordCb,
    EnrolAction,
    EnrolCb,
    EventAction,
    EventCb,
    ForgetAction,
    ForgetCb,
    HelpAction,
    HelpCb,
    HostCb,
    HostEventAction,
    HostEventCb,
    IdeaAction,
    IdeaCb,
    InsightAction,
    InsightCb,
    LanguageCb,
    ListKind,
    NetworkAction,
    NetworkCb,
    NetworkTextAction,
    NetworkTextCb,
    PageCb,
    PollAction,
    PollCb,
    PollNewAction,
    PollNewCb,
    PrivacyAction,
    PrivacyCb,
    SettingsAction,
    SettingsCb,
)
from handlers.volunteering.callbacks import VolunteerAction, VolunteerCb
from tests.support.authorization import (
    FAR_FUTURE,
    GENERIC_ERROR,
    OUTBOX_TABLES,
    ROLES,
    World,
    build_world,
    conversation_states,
    difference,
    dump,
    menu_commands,
    refusal_texts,
    registered_commands,
    restore,
    set_sms_options,
    sms_refusal_texts,
    take_snapshot,
)
from tests.support.sms_phone import sms_network

A, R, N = "A", "R", "-"
W = World
CATEGORY = list(HelpCategory).index(HelpCategory.LANGUAGE)  # the buttons' index of a category


# --- How each entry is tried ------------------------------------------------------------------


@dataclass(frozen=True)
class Try:
    """One entry as a Telegram resident does it (a press or a text, maybe in a conversation
    state with what the conversation had gathered) and as the SMS resident does it."""

    press: Callable[[W], str] | None = None
    send: str | None = None
    state: str | None = None
    data: Callable[[W], dict[str, Any]] | None = None
    sms: str | None = None  # what the SMS resident texts
    sms_menu: Callable[[W], Action] | None = None  # the menu the number answers
    sms_data: dict[str, Any] | None = None  # what the SMS flow had gathered by then


def _action_subject(kind: type[Action], w: W) -> Action:
    """Each action aimed at Torstrand's event E, request R (accepting the third responder),
    Torstrand itself, or a choice valid there."""
    subjects: dict[type[Action], Callable[[], Action]] = {
        Rsvp: lambda: Rsvp(w.event, Answer.YES),
        SeriesRsvp: lambda: SeriesRsvp(w.series, Answer.YES),
        CalendarFile: lambda: CalendarFile(w.event),
        OfferHelp: lambda: OfferHelp(w.open_request),
        AcceptHelper: lambda: AcceptHelper(w.open_request, w.ids["third"]),
        WriteToMatch: lambda: WriteToMatch(w.request),
        ReportMatch: lambda: ReportMatch(w.request),
        BlockMatch: lambda: BlockMatch(w.request),
        ChooseLanguage: lambda: ChooseLanguage(LocaleCode("en")),
        AcceptPrivacy: lambda: AcceptPrivacy(),
        JoinNetwork: lambda: JoinNetwork(w.network_a),
        LeaveNetwork: lambda: LeaveNetwork(w.network_a),
        ConfirmForget: lambda: ConfirmForget(),
        AskCategory: lambda: AskCategory(HelpCategory.LANGUAGE),
        AskInNetwork: lambda: AskInNetwork(w.network_a),
        OfferCategory: lambda: OfferCategory(HelpCategory.LANGUAGE),
        ChooseQuietHours: lambda: ChooseQuietHours(2),
        ShowOriginal: lambda: ShowOriginal(OriginalOf.EVENT, w.event),
        SupportIdea: lambda: SupportIdea(w.ideas["idea"]),
        IdeaInNetwork: lambda: IdeaInNetwork(w.network_a),
        AnswerIdea: lambda: AnswerIdea(w.ideas["idea"]),
        PollVote: lambda: PollVote(w.polls["poll"], w.polls["option"]),
        PollOther: lambda: PollOther(w.polls["poll"]),
        PollOpen: lambda: PollOpen(w.polls["poll"]),
        PollResults: lambda: PollResults(w.polls["poll"]),
        SignUpShift: lambda: SignUpShift(w.calls["shift"]),
        SignUpNamed: lambda: SignUpNamed(w.calls["shift"], ShowName.YES),
        WithdrawShift: lambda: WithdrawShift(w.calls["shift"]),
    }
    return subjects[kind]()


def _action_tries() -> dict[str, Try]:
    tries: dict[str, Try] = {}
    for kind in ACTION_TYPES:
        if kind is OpenMenu:
            for item in MenuItem:
                tries[f"action OpenMenu.{item.value}"] = Try(
                    press=lambda _w, item=item: actions.pack(OpenMenu(item))
                )
            continue

        def subject(w: W, kind: type[Action] = kind) -> Action:
            return _action_subject(kind, w)

        tries[f"action {kind.__name__}"] = Try(
            press=lambda w, subject=subject: actions.pack(subject(w)),
            sms="1" if kind.by_sms else None,
            sms_menu=subject if kind.by_sms else None,
            # The last step of asking by SMS: the category and text came before.
            sms_data={"category": HelpCategory.LANGUAGE.value, "text": "Hjelp med et skjema"}
            if kind is AskInNetwork
            else {"idea": "Benker i parken"}  # the words of IDE, before the network's number
            if kind is IdeaInNetwork
            else None,
        )
    return tries


def _draft(w: W) -> dict[str, Any]:
    """An event as a host has written it so far (the conversation's data), in Torstrand."""
    return {
        "network_id": w.network_a,
        "network_name": "Torstrand",
        "locale": "nb",
        "translations": {},
        "title": "Loppemarked",
        "description": "",
        "place": "Torget",
        "starts": FAR_FUTURE.isoformat(),
        "ends": "",
        "nn": 1,
        "candidates": [FAR_FUTURE.isoformat()],
        "day": FAR_FUTURE.date().isoformat(),
        "tr_locale": "en",
        "tr_title": "Flea market",
    }


def _poll_draft(w: W) -> dict[str, Any]:
    """A poll as a host has written it so far (the conversation's data), in Torstrand."""
    return {
        "net": w.network_a,
        "question": "Benker i parken?",
        "options": ["Ja", "Nei"],
        "translations": {},
        "multiple": False,
        "other": False,
        "closes": FAR_FUTURE.isoformat(),
        "candidates": [FAR_FUTURE.isoformat()],
        "tr_locale": "en",
        "tr_question": "Benches in the park?",
        "tr_options": [],
        "poll_id": w.polls["poll"],
    }


def _call_draft(w: W) -> dict[str, Any]:
    """A volunteer call as a host has written it so far (the conversation's data)."""
    start = FAR_FUTURE.isoformat()
    return {
        "vc": 1,
        "network_id": w.network_a,
        "locale": "nb",
        "title": "Rydd parken",
        "description": "",
        "place": "Parken",
        "starts": start,
        "ends": (FAR_FUTURE + timedelta(hours=3)).isoformat(),
        "candidates": [start],
        "shifts": [[start, (FAR_FUTURE + timedelta(hours=3)).isoformat(), 5]],
        "call_id": w.calls["call"],
    }


def _volunteer_button(action: VolunteerAction) -> Try:
    """A volunteer-call button aimed at Torstrand's call, its coming shift, or (for who
    came) its past shift and the requester's signup there."""

    def press(w: W) -> str:
        past = action in (VolunteerAction.ATTEND, VolunteerAction.TOGGLE, VolunteerAction.CONFIRM)
        arg = {
            VolunteerAction.TOGGLE: w.calls["signup"],
            VolunteerAction.NETWORK: w.network_a,
            VolunteerAction.LIST: 0,
            VolunteerAction.HOSTED: 0,
        }.get(action, 0)
        return VolunteerCb(
            action=action,
            call_id=w.calls["call"],
            shift_id=w.calls["past"] if past else w.calls["shift"],
            arg=arg,
        ).pack()

    return Try(press=press, data=_call_draft)


def _network_texts(w: W) -> dict[str, Any]:
    """Torstrand's name in English as a host has typed it so far (the conversation's data)."""
    return {
        "nt_network": w.network_a,
        "nt_locale": "en",
        "nt_name": "Torstrand centre",
        "nt_coordinator": False,
    }


def _button(
    cb: Callable[[W], CallbackData],
    data: Callable[[W], dict[str, Any]] | None = None,
    state: str | None = None,
) -> Try:
    return Try(press=lambda w: cb(w).pack(), data=data, state=state)


def _button_tries() -> dict[str, Try]:
    a = lambda w: w.network_a  # noqa: E731
    new_network = lambda _w: {"name": "Kjelle", "description": "Et nytt nabolag"}  # noqa: E731
    enrol = lambda w: {  # noqa: E731
        "enrol_network": w.network_a,
        "enrol_phone": "+4790000001",
        "enrol_chosen": [],
        "enrol_language": "nb",
    }
    tries: dict[str, Try] = {
        "button LanguageCb": _button(lambda _w: LanguageCb(code="en")),
        "button PrivacyCb.accept": _button(lambda _w: PrivacyCb(action=PrivacyAction.ACCEPT)),
        "button ForgetCb.yes": _button(lambda _w: ForgetCb(action=ForgetAction.YES)),
        "button ForgetCb.no": _button(lambda _w: ForgetCb(action=ForgetAction.NO)),
    }
    for action in NetworkAction:
        tries[f"button NetworkCb.{action.value}"] = _button(
            lambda w, action=action: NetworkCb(action=action, network_id=a(w))
        )
    for text_action in NetworkTextAction:
        tries[f"button NetworkTextCb.{text_action.value}"] = _button(
            lambda w, text_action=text_action: NetworkTextCb(
                action=text_action, network_id=a(w), locale="en"
            ),
            data=_network_texts,
            # Keeping the description is a step of the conversation, after the name.
            state="NetworkTextFlow:description" if text_action is NetworkTextAction.KEEP else None,
        )
    coord_arg: dict[CoordAction, Callable[[W], int]] = {
        CoordAction.KIND: lambda _w: 1,
        CoordAction.POLICY: lambda _w: 1,
        CoordAction.HOST: lambda w: w.ids["member"],
        CoordAction.NEW_KIND: lambda _w: 1,
    }
    for coord in CoordAction:
        tries[f"button CoordCb.{coord.value}"] = _button(
            lambda w, coord=coord: CoordCb(
                action=coord, network_id=a(w), arg=coord_arg.get(coord, lambda _w: 0)(w)
            ),
            data=new_network if coord in (CoordAction.NEW_KIND, CoordAction.NEW_POLICY) else None,
        )
    for event_action in EventAction:
        tries[f"button EventCb.{event_action.value}"] = _button(
            lambda w, event_action=event_action: EventCb(
                action=event_action, event_id=0 if event_action is EventAction.LIST else w.event
            )
        )
    page_ref = {ListKind.WHO: lambda w: w.event, ListKind.MEMBERS: lambda w: w.network_a}
    for listed in ListKind:
        tries[f"button PageCb.{listed.value}"] = _button(
            lambda w, listed=listed: PageCb(
                kind=listed, ref=page_ref.get(listed, lambda _w: 0)(w), page=1
            )
        )
    setting_value = {SettingsAction.DIGEST: 0, SettingsAction.FALLBACK: 1}
    for setting in SettingsAction:
        tries[f"button SettingsCb.{setting.value}"] = _button(
            lambda _w, setting=setting: SettingsCb(
                action=setting, value=setting_value.get(setting, 1)
            )
        )
    for broadcast in BroadcastAction:
        tries[f"button HostCb.{broadcast.value}"] = _button(
            lambda w, broadcast=broadcast: HostCb(action=broadcast, network_id=a(w), notice_id=1),
            data=lambda w: {"network_id": w.network_a, "text": "Husk dugnaden!"},
        )
    host_event_arg = {
        HostEventAction.DAY: FAR_FUTURE.date().isoformat(),
        HostEventAction.PICK: "0",
        HostEventAction.NO_NORWEGIAN: "1",
        HostEventAction.TRANSLATION: "done",
        HostEventAction.FIELD: "title",
    }
    for host_event in HostEventAction:
        tries[f"button HostEventCb.{host_event.value}"] = _button(
            lambda w, host_event=host_event: HostEventCb(
                action=host_event,
                network_id=a(w),
                event_id=w.event,
                arg=host_event_arg.get(host_event, ""),
            ),
            data=_draft,
        )
    help_id: dict[HelpAction, Callable[[W], int]] = {
        HelpAction.OFFER_NETWORK: a,
        HelpAction.CATEGORY: a,
        HelpAction.FREQUENCY: a,
        HelpAction.PAUSE: a,
        HelpAction.ASK_NETWORK: a,
        HelpAction.DONE: lambda w: w.request,
        HelpAction.WITHDRAW: lambda w: w.request,
        HelpAction.REPORT: lambda w: w.request,
        HelpAction.CARD: lambda w: w.request,
        HelpAction.HIDE: lambda w: w.request,
        HelpAction.SUSPEND: lambda w: w.request,
    }
    help_arg = {
        HelpAction.CATEGORY: CATEGORY,
        HelpAction.FREQUENCY: 0,
        HelpAction.PAUSE: 1,
        HelpAction.ASK_CATEGORY: CATEGORY,
        HelpAction.ASK_DAY: -1,
    }
    for helping in HelpAction:
        tries[f"button HelpCb.{helping.value}"] = _button(
            lambda w, helping=helping: HelpCb(
                action=helping,
                request_id=help_id.get(helping, lambda _w: 0)(w),
                arg=help_arg.get(helping, 0),
            ),
            data=lambda _w: {"category": CATEGORY, "description": "Trenger hjelp", "day": None},
        )
    idea_arg = {IdeaAction.INTO: lambda w: w.ideas["other"]}
    idea_data = lambda w: {  # noqa: E731
        "idea_network": w.network_a,
        "idea_network_name": "Torstrand",
        "idea_text": "Benker i parken",
    }
    for idea in IdeaAction:
        tries[f"button IdeaCb.{idea.value}"] = _button(
            lambda w, idea=idea: IdeaCb(
                action=idea,
                idea_id=w.network_a if idea is IdeaAction.NETWORK else w.ideas["idea"],
                arg=idea_arg.get(idea, lambda _w: 0)(w),
            ),
            data=idea_data,
        )
    for poll_action in PollAction:
        tries[f"button PollCb.{poll_action.value}"] = _button(
            lambda w, poll_action=poll_action: PollCb(action=poll_action, poll_id=w.polls["poll"])
        )
    new_poll_ref = {
        PollNewAction.NETWORK: lambda w: w.network_a,
        PollNewAction.CLOSES: lambda _w: 3,
    }
    for new_poll in PollNewAction:
        tries[f"button PollNewCb.{new_poll.value}"] = _button(
            lambda w, new_poll=new_poll: PollNewCb(
                action=new_poll,
                ref=new_poll_ref.get(new_poll, lambda _w: 0)(w),
                arg="en" if new_poll is PollNewAction.LANGUAGE else "",
            ),
            data=_poll_draft,
        )
    for volunteer in VolunteerAction:
        tries[f"button VolunteerCb.{volunteer.value}"] = _volunteer_button(volunteer)
    for seeing in InsightAction:
        tries[f"button InsightCb.{seeing.value}"] = _button(
            lambda w, seeing=seeing: InsightCb(action=seeing, network_id=a(w))
        )
    for calendar in CalendarAction:
        tries[f"button CalendarCb.{calendar.value}"] = _button(
            lambda w, calendar=calendar: CalendarCb(action=calendar, network_id=a(w))
        )
    for enrolling in EnrolAction:
        tries[f"button EnrolCb.{enrolling.value}"] = _button(
            lambda w, enrolling=enrolling: EnrolCb(
                action=enrolling,
                network_id=a(w),
                arg="nb" if enrolling is EnrolAction.LANGUAGE else "",
            ),
            data=enrol,
            state=None if enrolling is EnrolAction.START else "EnrolFlow:choose",
        )
    return tries


# What a command is by SMS, where there is such a keyword.
SMS_EQUIVALENT: dict[str, Keyword] = {
    "start": Keyword.START,
    "help": Keyword.HELP,
    "events": Keyword.EVENTS,
    "networks": Keyword.NETWORKS,
    "ask": Keyword.ASK,
    "offer": Keyword.OFFER,
    "language": Keyword.LANGUAGE,
    "forget": Keyword.DELETE,
    "mydata": Keyword.MYDATA,
    "ideas": Keyword.IDEA,
    "polls": Keyword.POLL,
    "dugnad": Keyword.VOLUNTEER,
}
# Keywords with no command: tried as SMS only.
SMS_ONLY: dict[Keyword, str] = {
    Keyword.STOP: "STOPP",
    Keyword.JOIN: "BLI MED NANSET",
    Keyword.LEAVE: "FORLAT TORSTRAND",
    Keyword.MORE: "MER",
    Keyword.QUIET: "STILLETID",
}
SMS_TEXT: dict[Keyword, str] = {
    Keyword.START: "START",
    Keyword.HELP: "HJELP",
    Keyword.EVENTS: "ARRANGEMENTER",
    Keyword.NETWORKS: "NETTVERK",
    Keyword.ASK: "BE OM HJELP",
    Keyword.OFFER: "TILBY",
    Keyword.LANGUAGE: "SPRÅK",
    Keyword.DELETE: "SLETT",
    Keyword.MYDATA: "MINE DATA",
    Keyword.IDEA: "IDE",
    Keyword.POLL: "AVSTEMNING",
    Keyword.VOLUNTEER: "DUGNAD",
    **SMS_ONLY,
}


def _command_tries(commands: set[str]) -> dict[str, Try]:
    return {
        f"command /{command}": Try(
            send=f"/{command}",
            sms=SMS_TEXT[SMS_EQUIVALENT[command]] if command in SMS_EQUIVALENT else None,
        )
        for command in sorted(commands)
    }


# What a resident types in each state, and what the conversation had gathered by then.
STATE_INPUT: dict[str, tuple[str, Callable[[W], dict[str, Any]]]] = {
    "JoinFlow:invite_code": ("TORSTRAND-1", lambda w: {"network_id": w.network_a}),
    "NetworkTextFlow:name": ("Torstrand centre", _network_texts),
    "NetworkTextFlow:description": ("Around the square", _network_texts),
    "NewNetworkFlow:name": ("Kjelle", lambda _w: {}),
    "NewNetworkFlow:description": ("Et nytt nabolag", lambda _w: {"name": "Kjelle"}),
    "EditNetworkFlow:name": ("Torstrand sentrum", lambda w: {"network_id": w.network_a}),
    "EditNetworkFlow:description": ("Rundt torget", lambda w: {"network_id": w.network_a}),
    "BroadcastFlow:text": ("Husk dugnaden!", lambda w: {"network_id": w.network_a}),
    "EventFlow:title": ("Loppemarked", _draft),
    "EventFlow:description": ("Ta med det du ikke trenger", _draft),
    "EventFlow:when": ("12.06.2031 kl 18", _draft),
    "EventFlow:time": ("18:00", _draft),
    "EventFlow:ends": ("20:00", _draft),
    "EventFlow:place": ("Torget", _draft),
    "EventFlow:translation_title": ("Flea market", _draft),
    "EventFlow:translation_description": ("Bring what you do not need", _draft),
    "EventFlow:edit_value": (
        "Stort loppemarked",
        lambda w: {"edit_event": w.event, "edit_field": "title", "network_id": w.network_a},
    ),
    "HelpFlow:description": ("Trenger hjelp med en søknad", lambda _w: {"category": CATEGORY}),
    "HelpFlow:relay": ("Hei! Passer onsdag?", lambda w: {"relay": w.request}),
    "IdeaFlow:text": ("Benker i parken", lambda w: {"idea_network": w.network_a}),
    "IdeaFlow:reason": (
        "Kommunen sier ja",
        lambda w: {"idea_id": w.ideas["idea"], "idea_status": 1},
    ),
    "PollFlow:question": ("Benker i parken?", _poll_draft),
    "PollFlow:option": ("Kanskje", _poll_draft),
    "PollFlow:closes": ("12.06.2031 kl 18", _poll_draft),
    "PollFlow:tr_question": ("Benches in the park?", _poll_draft),
    "PollFlow:tr_option": ("Yes", _poll_draft),
    "PollFlow:other": ("Benker ved skolen", _poll_draft),
    "VolunteerFlow:title": ("Rydd parken", _call_draft),
    "VolunteerFlow:description": ("Ta med hansker", _call_draft),
    "VolunteerFlow:place": ("Parken", _call_draft),
    "VolunteerFlow:starts": ("12.06.2031 kl 18", _call_draft),
    "VolunteerFlow:ends": ("21:00", _call_draft),
    "VolunteerFlow:slots": ("5", _call_draft),
    "VolunteerFlow:message": ("Husk hansker!", _call_draft),
    "EnrolFlow:phone": ("912 34 568", lambda w: {"enrol_network": w.network_a}),
    "EnrolFlow:choose": ("hei", lambda w: {"enrol_network": w.network_a}),
    "PhoneFlow:phone": ("912 34 569", lambda _w: {}),
    "PhoneFlow:code": ("123456", lambda _w: {}),
}


def _state_tries(states: set[str]) -> dict[str, Try]:
    return {
        f"state {state}": Try(send=STATE_INPUT[state][0], state=state, data=STATE_INPUT[state][1])
        for state in sorted(states)
        if state in STATE_INPUT
    }


def _callback_classes() -> list[type[CallbackData]]:
    found: list[type[CallbackData]] = []
    pending = list(CallbackData.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__name__)


def enumerated_entries() -> set[str]:
    """Every entry, read from the code: what the table must have a row for."""
    keys: set[str] = set()
    for kind in ACTION_TYPES:
        if kind is OpenMenu:
            keys |= {f"action OpenMenu.{item.value}" for item in MenuItem}
        else:
            keys.add(f"action {kind.__name__}")
    for cls in _callback_classes():
        # The field that names what a button does: `action`, or `kind` for the pager's lists.
        action_field = cls.model_fields.get("action") or cls.model_fields.get("kind")
        enum_type = action_field.annotation if action_field is not None else None
        if isinstance(enum_type, type) and issubclass(enum_type, StrEnum):
            keys |= {f"button {cls.__name__}.{member.value}" for member in enum_type}
        else:
            keys.add(f"button {cls.__name__}")
    keys |= {f"command /{c}" for c in registered_commands(handlers.build_router())}
    keys |= {f"state {s}" for s in conversation_states()}
    keys |= {f"sms {keyword.name}" for keyword in SMS_ONLY}
    return keys


def all_tries() -> dict[str, Try]:
    tries = {**_action_tries(), **_button_tries()}
    tries |= _command_tries(registered_commands(handlers.build_router()))
    tries |= _state_tries(set(conversation_states()))
    tries |= {f"sms {keyword.name}": Try(sms=text) for keyword, text in SMS_ONLY.items()}
    return tries


# --- The table --------------------------------------------------------------------------------

ROLE_ORDER = tuple(ROLES)
# Columns, in `ROLES` order: str a stranger (pressed /start, never onboarded); out a resident
# of the other network (Nanset); mem a member of Torstrand; sus a member suspended there; req
# the requester of Torstrand's help requests; mat the helper matched on request R (the other
# party of the match); thi a third responder (offered on both requests, never accepted); oth
# the host of Nanset; hos the host of Torstrand; crd a coordinator; sms an SMS member of
# Torstrand sending the keyword or number that is the entry's equivalent.
#
# The subjects: event E and the network are Torstrand's; help actions that need a live match
# (write, report, block, done, withdraw, hide, suspend) aim at R, matched with `mat`; offering
# and accepting aim at R2, still open, on which `thi` offered. Read a row as "who may".
# Worth knowing when reading it:
# - Steps of a conversation (a draft's day, "no Norwegian needed", a typed title...) only
#   gather the conversation's own data and change no table; the role is checked where
#   something is stored (publish, send, agree, the relayed text), so those rows allow anyone
#   onboarded, and their state rows are reached only through a checked button.
# - `action ChooseLanguage` packs to the same data as `button LanguageCb` ("lang:en").
# - SMS-only actions (AcceptPrivacy, AskCategory, ...) have no Telegram handler: a forged
#   press is "this button no longer works".
# - `/reports` shows non-hosts an empty list; `HelpCb.onet` shows anyone the (empty) offer
#   screen of a network; nothing changes and nothing of others is shown.
# fmt: off
TABLE: dict[str, tuple[str, ...]] = {
    #                                          str out mem sus req mat thi oth hos crd sms
    "action AcceptHelper":                    (R,  R,  R,  R,  A,  R,  R,  R,  R,  R,  R),
    "action AcceptPrivacy":                   (R,  R,  R,  R,  R,  R,  R,  R,  R,  R,  A),
    "action AskCategory":                     (R,  R,  R,  R,  R,  R,  R,  R,  R,  R,  A),
    "action AskInNetwork":                    (R,  R,  R,  R,  R,  R,  R,  R,  R,  R,  A),
    "action BlockMatch":                      (R,  R,  R,  R,  A,  A,  R,  R,  R,  R,  N),
    "action CalendarFile":                    (R,  R,  A,  A,  A,  A,  A,  R,  A,  A,  N),
    "action ChooseLanguage":                  (A,  A,  A,  A,  A,  A,  A,  A,  A,  A,  A),
    "action ChooseQuietHours":                (R,  R,  R,  R,  R,  R,  R,  R,  R,  R,  A),
    "action ConfirmForget":                   (R,  R,  R,  R,  R,  R,  R,  R,  R,  R,  A),
    "action JoinNetwork":                     (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  A),
    "action LeaveNetwork":                    (R,  R,  R,  R,  R,  R,  R,  R,  R,  R,  A),
    "action OfferCategory":                   (R,  R,  R,  R,  R,  R,  R,  R,  R,  R,  A),
    "action OfferHelp":                       (R,  R,  A,  R,  R,  A,  A,  R,  A,  R,  A),
    "action OpenMenu.ask":                    (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "action OpenMenu.coord":                  (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "action OpenMenu.events":                 (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "action OpenMenu.forget":                 (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "action OpenMenu.help":                   (A,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "action OpenMenu.home":                   (A,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "action OpenMenu.language":               (A,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "action OpenMenu.mydata":                 (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "action OpenMenu.networks":               (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "action OpenMenu.offer":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "action OpenMenu.settings":               (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "action ReportMatch":                     (R,  R,  R,  R,  A,  A,  R,  R,  R,  R,  N),
    "action ShowOriginal":                    (R,  R,  A,  A,  A,  A,  A,  R,  A,  A,  N),
    "action Rsvp":                            (R,  R,  A,  A,  A,  A,  A,  R,  A,  R,  A),
    "action SeriesRsvp":                      (R,  R,  A,  A,  A,  A,  A,  R,  A,  R,  N),
    "action WriteToMatch":                    (R,  R,  R,  R,  A,  A,  R,  R,  R,  R,  R),
    "action SupportIdea":                     (R,  R,  A,  R,  A,  A,  A,  R,  A,  R,  A),
    "action IdeaInNetwork":                   (R,  R,  R,  R,  R,  R,  R,  R,  R,  R,  A),
    "action AnswerIdea":                      (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "action OpenMenu.ideas":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button IdeaCb.card":                     (R,  R,  A,  A,  A,  A,  A,  R,  A,  A,  N),
    "button IdeaCb.sup":                      (R,  R,  A,  R,  A,  A,  A,  R,  A,  R,  N),
    "button IdeaCb.new":                      (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button IdeaCb.net":                      (R,  R,  A,  A,  A,  A,  A,  R,  A,  R,  N),
    "button IdeaCb.post":                     (R,  R,  A,  R,  A,  A,  A,  R,  A,  R,  N),
    "button IdeaCb.report":                   (R,  R,  A,  R,  A,  A,  A,  R,  A,  R,  N),
    "button IdeaCb.status":                   (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button IdeaCb.merge":                    (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button IdeaCb.into":                     (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button IdeaCb.fwd":                      (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button IdeaCb.hide":                     (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button PageCb.ideas":                    (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "command /ideas":                         (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  A),
    "state IdeaFlow:text":                    (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state IdeaFlow:reason":                  (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    # Polls (issue 15). Who answers is always the one pressing: no action names a resident.
    # Answering needs membership of the poll's network (a forged option of another poll is
    # refused by the service, tests/polls); results are for staff, and for those who answered
    # once it has closed; creating, closing and the creation's stored steps for hosts of the
    # network (or coordinators). `PollOpen` is SMS only (POLLS's numbered list).
    "action PollVote":                        (R,  R,  A,  A,  A,  A,  A,  R,  A,  R,  A),
    "action PollOther":                       (R,  R,  A,  A,  A,  A,  A,  R,  A,  R,  A),
    "action PollOpen":                        (R,  R,  R,  R,  R,  R,  R,  R,  R,  R,  A),
    "action PollResults":                     (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "action OpenMenu.polls":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button PageCb.polls":                    (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button PollCb.list":                     (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button PollCb.card":                     (R,  R,  A,  A,  A,  A,  A,  R,  A,  R,  N),
    "button PollCb.new":                      (R,  R,  R,  R,  R,  R,  R,  A,  A,  A,  N),
    "button PollCb.close":                    (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button PollCb.closeyes":                 (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button PollNewCb.net":                   (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button PollNewCb.done":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button PollNewCb.kind":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button PollNewCb.other":                 (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button PollNewCb.named":                 (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button PollNewCb.closes":                (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button PollNewCb.pick":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button PollNewCb.lang":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button PollNewCb.preview":               (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button PollNewCb.publish":               (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button PollNewCb.discard":               (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "command /polls":                         (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  A),
    "state PollFlow:question":                (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state PollFlow:option":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state PollFlow:closes":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state PollFlow:tr_question":             (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state PollFlow:tr_option":               (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state PollFlow:other":                   (R,  R,  A,  A,  A,  A,  A,  R,  A,  R,  N),
    # Volunteer calls (issue 15). One signs up only oneself (no action names a resident),
    # only for a shift of a network one is in; withdrawing needs a signup (or membership, to
    # see the call again). Managing (the host's card, messages, cancelling, who came) is for
    # hosts of the call's network and coordinators; who came only after the shift ended (the
    # shift tried has). Starting a call needs a network to host (`oth` hosts Nanset); the
    # draft's steps change nothing until the checked preview and publish.
    "action SignUpShift":                     (R,  R,  A,  A,  A,  A,  A,  R,  A,  R,  A),
    "action SignUpNamed":                     (R,  R,  A,  A,  A,  A,  A,  R,  A,  R,  N),
    "action WithdrawShift":                   (R,  R,  A,  A,  A,  A,  A,  R,  A,  R,  A),
    "action OpenMenu.volunteer":              (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "action OpenMenu.part":                   (A,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button PageCb.calls":                    (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button VolunteerCb.list":                (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button VolunteerCb.open":                (R,  R,  A,  A,  A,  A,  A,  R,  A,  A,  N),
    "button VolunteerCb.who":                 (R,  R,  A,  A,  A,  A,  A,  R,  A,  A,  N),
    "button VolunteerCb.hosted":              (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button VolunteerCb.manage":              (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button VolunteerCb.msg":                 (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button VolunteerCb.cancel":              (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button VolunteerCb.cancel_yes":          (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button VolunteerCb.attend":              (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button VolunteerCb.toggle":              (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button VolunteerCb.confirm":             (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button VolunteerCb.new":                 (R,  R,  R,  R,  R,  R,  R,  A,  A,  A,  N),
    "button VolunteerCb.net":                 (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button VolunteerCb.pick":                (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button VolunteerCb.another":             (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button VolunteerCb.preview":             (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button VolunteerCb.publish":             (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button VolunteerCb.drop":                (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button VolunteerCb.hours":               (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "command /dugnad":                        (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  A),
    "state VolunteerFlow:title":              (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state VolunteerFlow:description":        (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state VolunteerFlow:place":              (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state VolunteerFlow:starts":             (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state VolunteerFlow:ends":               (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state VolunteerFlow:slots":              (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state VolunteerFlow:message":            (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    # Insight (issue 16): a network's figures for its hosts and coordinators; all networks,
    # and the list to choose one from, for coordinators.
    "button InsightCb.menu":                  (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button InsightCb.fig":                   (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button InsightCb.nets":                  (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button CalendarCb.renew":                (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button CalendarCb.renewnet":             (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button CoordCb.archive":                 (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button CoordCb.card":                    (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button CoordCb.code":                    (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button CoordCb.desc":                    (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button CoordCb.host":                    (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button CoordCb.hosts":                   (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button CoordCb.kind":                    (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button CoordCb.name":                    (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button CoordCb.nets":                    (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button CoordCb.new":                     (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button CoordCb.newkind":                 (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button CoordCb.newpolicy":               (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button CoordCb.panel":                   (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button CoordCb.policy":                  (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button CoordCb.reach":                   (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button CoordCb.restore":                 (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button EnrolCb.agree":                   (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button EnrolCb.drop":                    (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button EnrolCb.lang":                    (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button EnrolCb.net":                     (R,  R,  R,  R,  R,  R,  R,  R,  R,  R,  N),
    "button EnrolCb.next":                    (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button EnrolCb.start":                   (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button EventCb.list":                    (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button EventCb.open":                    (R,  R,  A,  A,  A,  A,  A,  R,  A,  A,  N),
    "button EventCb.who":                     (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button PageCb.enrol":                    (R,  R,  R,  R,  R,  R,  R,  R,  R,  R,  N),
    "button PageCb.events":                   (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button PageCb.requests":                 (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button PageCb.members":                  (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button PageCb.reach":                    (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button PageCb.reports":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button PageCb.stats":                    (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button PageCb.who":                      (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button ForgetCb.no":                     (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button ForgetCb.yes":                    (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button HelpCb.acat":                     (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button HelpCb.aday":                     (R,  A,  A,  R,  A,  A,  A,  A,  A,  A,  N),
    "button HelpCb.anet":                     (R,  R,  A,  R,  A,  A,  A,  R,  A,  R,  N),
    "button HelpCb.cat":                      (R,  R,  A,  R,  A,  A,  A,  R,  A,  R,  N),
    "button HelpCb.card":                     (R,  R,  R,  R,  A,  R,  R,  R,  R,  R,  N),
    "button HelpCb.done":                     (R,  R,  R,  R,  A,  R,  R,  R,  R,  R,  N),
    "button HelpCb.freq":                     (R,  R,  A,  R,  A,  A,  A,  R,  A,  R,  N),
    "button HelpCb.hide":                     (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button HelpCb.onet":                     (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button HelpCb.pause":                    (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button HelpCb.report":                   (R,  R,  A,  R,  A,  A,  A,  R,  A,  R,  N),
    "button HelpCb.stats":                    (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button HelpCb.suspend":                  (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button HelpCb.withdraw":                 (R,  R,  R,  R,  A,  R,  R,  R,  R,  R,  N),
    "button HostCb.drop":                     (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button HostCb.reach":                    (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button HostCb.send":                     (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button HostCb.write":                    (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button HostEventCb.cancel":              (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button HostEventCb.confirm":             (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button HostEventCb.day":                 (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button HostEventCb.drop":                (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button HostEventCb.edit":                (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button HostEventCb.field":               (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button HostEventCb.new":                 (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button HostEventCb.nn":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button HostEventCb.pick":                (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button HostEventCb.publish":             (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button HostEventCb.restart":             (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button HostEventCb.tr":                  (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button LanguageCb":                      (A,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button NetworkCb.join":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button NetworkCb.leave":                 (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button NetworkCb.list":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button NetworkCb.members":               (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button NetworkCb.open":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button NetworkTextCb.keep":              (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button NetworkTextCb.lang":              (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button NetworkTextCb.menu":              (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button NetworkTextCb.remove":            (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "button PrivacyCb.accept":                (A,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button SettingsCb.digest":               (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button SettingsCb.fallback":             (R,  R,  R,  R,  R,  R,  R,  R,  R,  R,  N),
    "button SettingsCb.mode":                 (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button SettingsCb.phone":                (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button SettingsCb.quiet":                (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "button SettingsCb.report":               (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "button SettingsCb.unlink":               (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "command /ask":                           (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  A),
    "command /calendar":                      (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "command /cancel":                        (A,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "command /coordinate":                    (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "command /events":                        (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  A),
    "command /forget":                        (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  A),
    "command /help":                          (A,  A,  A,  A,  A,  A,  A,  A,  A,  A,  A),
    "command /language":                      (A,  A,  A,  A,  A,  A,  A,  A,  A,  A,  A),
    "command /mydata":                        (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  A),
    "command /networks":                      (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  A),
    "command /offer":                         (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  A),
    "command /reports":                       (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "command /requests":                      (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "command /settings":                      (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "command /skip":                          (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "command /start":                         (A,  A,  A,  A,  A,  A,  A,  A,  A,  A,  A),
    "command /stats":                         (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "sms JOIN":                               (N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  A),
    "sms LEAVE":                              (N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  A),
    "sms MORE":                               (N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  A),
    "sms QUIET":                              (N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  A),
    "sms STOP":                               (N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  A),
    "state BroadcastFlow:text":               (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "state EditNetworkFlow:description":      (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "state EditNetworkFlow:name":             (R,  R,  R,  R,  R,  R,  R,  R,  R,  A,  N),
    "state EnrolFlow:choose":                 (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state EnrolFlow:phone":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state EventFlow:description":            (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state EventFlow:edit_value":             (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "state EventFlow:ends":                   (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state EventFlow:place":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state EventFlow:time":                   (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state EventFlow:title":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state EventFlow:translation_description":(R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state EventFlow:translation_title":      (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state EventFlow:when":                   (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state HelpFlow:description":             (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state HelpFlow:relay":                   (R,  R,  R,  R,  A,  A,  R,  R,  R,  R,  N),
    "state JoinFlow:invite_code":             (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state NetworkTextFlow:description":      (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "state NetworkTextFlow:name":             (R,  R,  R,  R,  R,  R,  R,  R,  A,  A,  N),
    "state NewNetworkFlow:description":       (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state NewNetworkFlow:name":              (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
    "state PhoneFlow:code":                   (R,  R,  R,  R,  R,  R,  R,  R,  R,  R,  N),
    "state PhoneFlow:phone":                  (R,  A,  A,  A,  A,  A,  A,  A,  A,  A,  N),
}
# fmt: on


# --- Running a cell ---------------------------------------------------------------------------


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Seen:
    outcome: str  # A or R, or E for an error
    texts: list[str]
    changed: dict[str, Any]
    problem: str = ""


def _fsm(w: W, user_id: int) -> FSMContext:
    dispatcher = w.app.dispatcher
    key = StorageKey(bot_id=w.app.bot.id, chat_id=user_id, user_id=user_id)
    return FSMContext(storage=dispatcher.storage, key=key)


async def run_telegram(w: W, role: str, attempt: Try, errors: _Errors) -> Seen:
    user = w.users[role]
    fsm = _fsm(w, user.id)
    await fsm.clear()
    if attempt.state is not None:
        await fsm.set_state(attempt.state)
    if attempt.data is not None:
        await fsm.set_data(attempt.data(w))
    before = await dump(w)
    answers, logged = len(user.answers), len(errors.records)
    if attempt.press is not None:
        replies = await user.press_data(attempt.press(w))
    else:
        assert attempt.send is not None
        replies = await user.send(attempt.send)
    texts = [str(a["text"]) for a in user.answers[answers:] if a.get("text")]
    texts += [m.text or "" for m in replies]
    changed = difference(before, await dump(w))
    await fsm.clear()
    locale = (
        ROLES[role] if role != "stranger" else negotiate_locale(user.profile.get("language_code"))
    )
    t = w.app.catalogs.translator(locale)
    if len(errors.records) > logged or t.gettext(GENERIC_ERROR) in texts:
        return Seen("E", texts, changed, "an unexpected error")
    refused = any(text in refusal_texts(t) for text in texts)
    if refused and changed:
        return Seen("E", texts, changed, "refused, yet the database changed")
    return Seen(R if refused else A, texts, changed)


async def run_sms(w: W, attempt: Try) -> Seen:
    assert attempt.sms is not None
    if attempt.sms_menu is not None:
        await set_sms_options(w, [actions.pack(attempt.sms_menu(w))], attempt.sms_data)
    before = await dump(w, skip=OUTBOX_TABLES)
    async with w.app.sessionmaker() as session:
        last_notice = await session.scalar(select(func.max(Notice.id))) or 0
    texts = await w.phone.send(attempt.sms)
    changed = difference(before, await dump(w, skip=OUTBOX_TABLES))
    async with w.app.sessionmaker() as session:
        kinds = set(
            (await session.scalars(select(Notice.kind).where(Notice.id > last_notice))).all()
        )
    t = w.app.catalogs.translator("nb")
    refused = any(text in sms_refusal_texts(t) for text in texts)
    # `sms_conversations` is the SMS channel's conversation state (the step, what each number
    # means, what a flow gathered): what aiogram's FSM storage is on Telegram, which no dump
    # holds either. A refusal may end the flow there, as the error handler clears the FSM.
    changed.pop("sms_conversations", None)
    # Every text from a phone counts for the SMS rate limit, refused or not (each answer is an
    # SMS the municipality pays for): a new "sms" row in `rate_events` is that count.
    rates = changed.get("rate_events")
    if rates is not None and not rates["gone"]:
        rates["new"] = [row for row in rates["new"] if RateKind.SMS.value not in row]
        if not rates["new"]:
            changed.pop("rate_events")
    if refused and (changed or kinds - {NoticeKind.SMS_REPLY}):
        return Seen("E", texts, changed, "refused, yet the database changed")
    return Seen(R if refused else A, texts, changed)


async def _matrix(
    w: W, only_refused: bool, table: dict[str, tuple[str, ...]], partial: bool = False
) -> tuple[dict[str, list[str]], list[str]]:
    """Try each cell of `table`; `partial` tables try only the cells they fill in."""
    errors = _Errors()
    logging.getLogger("naboskap").addHandler(errors)
    observed: dict[str, list[str]] = {}
    problems: list[str] = []
    try:
        tries = all_tries()
        for key in sorted(table):
            attempt, expected = tries[key], table[key]
            row: list[str] = []
            for column, role in enumerate(ROLE_ORDER):
                telegram = role != "sms"
                applicable = (
                    attempt.press is not None or attempt.send is not None
                    if telegram
                    else attempt.sms is not None
                )
                if not applicable or (partial and expected[column] == N):
                    row.append(N)
                    continue
                if only_refused and expected[column] != R:
                    row.append("?")
                    continue
                seen = (
                    await run_telegram(w, role, attempt, errors)
                    if telegram
                    else await run_sms(w, attempt)
                )
                row.append(seen.outcome)
                if seen.problem:
                    problems.append(f"{key} as {role}: {seen.problem}: {seen.texts} {seen.changed}")
                if only_refused and seen.changed:
                    problems.append(f"{key} as {role} changed the database: {seen.changed}")
                elif not only_refused and (seen.changed or not telegram):
                    await restore(w)  # an SMS answer always leaves its reply in the outbox
            observed[key] = row
    finally:
        logging.getLogger("naboskap").removeHandler(errors)
    return observed, problems


def _render(rows: dict[str, list[str]]) -> str:
    width = max(len(k) for k in rows) + 4
    head = " " * width + " ".join(r[:5].ljust(5) for r in ROLE_ORDER)
    lines = [head]
    for key, row in sorted(rows.items()):
        lines.append(f'    "{key}": ('.ljust(width) + ", ".join(row) + "),")
    return "\n".join(lines)


# --- The tests --------------------------------------------------------------------------------


def test_the_table_covers_all_the_bot_offers() -> None:
    """A new action, button, command, state or keyword without a row fails here."""
    entries = enumerated_entries()
    assert set(all_tries()) == entries, sorted(set(all_tries()) ^ entries)
    assert set(TABLE) == entries, sorted(set(TABLE) ^ entries)
    assert all(len(row) == len(ROLE_ORDER) and set(row) <= {A, R, N} for row in TABLE.values())
    # The menu Telegram shows names only commands a handler answers, and every SMS keyword is
    # some row's equivalent.
    commands = registered_commands(handlers.build_router())
    assert menu_commands(Catalogs(PROJECT / "locales").translator("nb")) <= commands
    assert set(SMS_EQUIVALENT.values()) | set(SMS_ONLY) == set(Keyword)
    assert set(SMS_EQUIVALENT) <= commands


@pytest.fixture
async def world(database_url: str, fake_api) -> AsyncIterator[World]:  # type: ignore[no-untyped-def]
    # Calendar feeds on, so that their buttons do what they guard (off, each only says so).
    async for network in sms_network(
        database_url, fake_api, calendar_public_url="https://naboskap.example"
    ):
        yield await build_world(network, fake_api)


async def test_every_entry_as_every_role(world: World) -> None:
    """Each cell of `TABLE`, tried. On SQLite every cell runs, and the database is put back
    after each that changed it (a copy of the file); on PostgreSQL only the refusals run, as
    they must change nothing anyway."""
    sqlite = world.app.settings.database_url.startswith("sqlite")
    if sqlite:
        await take_snapshot(world)
    observed, problems = await _matrix(world, not sqlite, TABLE)
    assert not problems, "\n".join(problems)
    mismatches = {
        key: row
        for key, row in observed.items()
        if any(seen not in ("?", expected) for seen, expected in zip(row, TABLE[key], strict=True))
    }
    assert not mismatches, "what the bot did (? not tried):\n" + _render(mismatches)


# An archived network takes nothing new: no requests, offers, reports, events, broadcasts or
# members. The same tries, after a coordinator archived Torstrand; the roles not named are
# not tried here.
ARCHIVED: dict[str, dict[str, str]] = {
    "action OfferHelp": {"member": R, "third": R, "host": R, "sms": R},
    "action AcceptHelper": {"requester": R},
    "action ReportMatch": {"requester": R, "match": R},
    # Answering an event already announced stays possible (the event still takes place).
    "action Rsvp": {"member": A, "host": A, "sms": A},
    "action SeriesRsvp": {"member": A, "host": A},
    # By SMS an offer goes to every open network one is in; the archived one is not among
    # them, so nothing is stored for it (and one in no open network is told to join one).
    "action OfferCategory": {"sms": A},
    "action AskInNetwork": {"sms": R},
    "action JoinNetwork": {"outsider": R},
    "button NetworkCb.join": {"outsider": R},
    "button HelpCb.cat": {"member": R, "host": R},
    "button HelpCb.anet": {"member": R},
    "button HelpCb.report": {"member": R},
    "button HostEventCb.new": {"host": R},
    "button HostEventCb.publish": {"host": R},
    "button HostCb.write": {"host": R},
    "button HostCb.send": {"host": R},
    "state BroadcastFlow:text": {"host": R},
    # Its texts in other languages are the coordinators' alone to change, as the rest of it.
    "button NetworkTextCb.lang": {"host": R, "coordinator": A},
    "state NetworkTextFlow:description": {"host": R, "coordinator": A},
    "state HelpFlow:relay": {"requester": A, "match": A},
    "button HelpCb.done": {"requester": A},
    "action BlockMatch": {"match": A},
    "button NetworkCb.leave": {"member": A},
    "button CoordCb.restore": {"coordinator": A},
    # Polls (issue 15): a poll already asked can still be answered; no new one is asked there.
    "action PollVote": {"member": A, "sms": A},
    "button PollNewCb.publish": {"host": R, "coordinator": R},
    # Ideas (issue 15): none proposed, supported or reported there any more.
    "button IdeaCb.post": {"member": R, "host": R},
    "button IdeaCb.sup": {"member": R},
    "button IdeaCb.report": {"member": R},
    "action SupportIdea": {"member": R, "sms": R},
    "action IdeaInNetwork": {"sms": R},
    # Volunteer calls (issue 15): no new call there, and nobody signs up for one any more.
    "action SignUpShift": {"member": R, "sms": R},
    "action SignUpNamed": {"member": R},
    "button VolunteerCb.publish": {"host": R, "coordinator": R},
}


async def test_an_archived_network_takes_nothing_new(world: World) -> None:
    async with world.app.sessionmaker() as session:
        await networks.set_archived(session, Actor.operator(), world.network_a, archived=True)
    sqlite = world.app.settings.database_url.startswith("sqlite")
    if sqlite:
        await take_snapshot(world)
    table = {key: tuple(row.get(role, N) for role in ROLE_ORDER) for key, row in ARCHIVED.items()}
    observed, problems = await _matrix(world, not sqlite, table, partial=True)
    assert not problems, "\n".join(problems)
    mismatches = {
        key: row
        for key, row in observed.items()
        if any(seen not in ("?", expected) for seen, expected in zip(row, table[key], strict=True))
    }
    assert not mismatches, "what the bot did (? not tried):\n" + _render(mismatches)
