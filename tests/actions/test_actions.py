"""The action vocabulary: every action packs into Telegram's 64 bytes and parses back to
itself; anything else (forged, stale, malformed) parses to nothing; and buttons on messages
sent by the first version of the bot still mean what they meant."""

from __future__ import annotations

import dataclasses
import typing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.edge_input import ID_MAX
from bot.i18n import SHIPPED_LOCALES
from bot.services import actions
from bot.services.actions import (
    ACTION_TYPES,
    CALLBACK_DATA_MAX,
    AcceptHelper,
    Action,
    AskCategory,
    CalendarFile,
    ChooseLanguage,
    ConfirmForget,
    LocaleCode,
    MenuItem,
    OfferHelp,
    OpenMenu,
    Rsvp,
    WriteToMatch,
)
from db.models import Answer, HelpCategory

ids = st.integers(min_value=1, max_value=ID_MAX)


def _field_strategy(field_type: object) -> st.SearchStrategy[object]:
    if field_type is int:
        return ids
    if field_type is LocaleCode:
        return st.sampled_from([LocaleCode(code) for code in SHIPPED_LOCALES])
    assert isinstance(field_type, type)
    return st.sampled_from(list(field_type))  # an enum


def _action_strategy(kind: type[Action]) -> st.SearchStrategy[Action]:
    hints = typing.get_type_hints(kind)
    return st.builds(
        kind, **{f.name: _field_strategy(hints[f.name]) for f in dataclasses.fields(kind)}
    )


any_action = st.one_of([_action_strategy(kind) for kind in ACTION_TYPES])


@settings(max_examples=2000, deadline=None)
@given(any_action)
def test_every_action_fits_callback_data_and_parses_back(action: Action):
    packed = actions.pack(action)
    assert 1 <= len(packed.encode()) <= CALLBACK_DATA_MAX
    assert actions.parse(packed) == action


@settings(max_examples=2000, deadline=None)
@given(st.text(max_size=80))
def test_anything_parses_to_an_action_or_to_nothing(data: str):
    parsed = actions.parse(data)
    assert parsed is None or actions.parse(actions.pack(parsed)) == parsed


def test_every_action_type_has_its_own_tag():
    tags = [kind.tag for kind in ACTION_TYPES]
    assert len(tags) == len(set(tags))


@pytest.mark.parametrize(
    ("stored", "meant"),
    [
        # Callback data the first version put on notices, with its padding field.
        ("ev:rsvp:12:yes", Rsvp(12, Answer.YES)),
        ("ev:ics:12:", CalendarFile(12)),
        ("hr:offer:5:0", OfferHelp(5)),
        ("hr:accept:5:9", AcceptHelper(5, 9)),
        ("hr:write:5:0", WriteToMatch(5)),
        ("m:events", OpenMenu(MenuItem.EVENTS)),
        # Numbered SMS choices stored in conversations.
        ("lang:uk", ChooseLanguage(LocaleCode("uk"))),
        ("forget:yes", ConfirmForget()),
        ("cat:errands", AskCategory(HelpCategory.ERRANDS)),
    ],
)
def test_buttons_on_old_messages_still_work(stored: str, meant: Action):
    assert actions.parse(stored) == meant


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "ev",
        "ev:rsvp",
        "ev:rsvp:12",  # an answer is missing
        "ev:rsvp:12:perhaps",  # not an answer
        "ev:rsvp:-3:yes",
        "ev:rsvp:0:yes",
        "ev:rsvp:+3:yes",
        "ev:rsvp: 3:yes",
        "ev:rsvp:٣:yes",  # Arabic-Indic digit three: a digit, but not ASCII
        f"ev:rsvp:{ID_MAX + 1}:yes",
        "ev:rsvp:999999999999999999:yes",
        "ev:rsvp:12:yes:extra",
        "ev:rsvp:12:yes:0:0",
        "hr:offer:5:7",  # the old padding is 0 or empty, nothing else
        "hr:accept:5",
        "lang:xx",
        "lang:",
        "m:nowhere",
        "cat:everything",
        "x:y:z",
        "privacy:accept:now",
    ],
)
def test_forged_data_parses_to_nothing(forged: str):
    assert actions.parse(forged) is None
