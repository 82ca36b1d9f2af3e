"""The SMS keyword table across every shipped language: each word means one command, no
command's word is the start of another command's, and every word is recognised as written."""

from __future__ import annotations

from collections import defaultdict

import pytest

from bot.i18n import SHIPPED_LOCALES
from bot.sms_keywords import WORDS, Command, fold, parse, shown

ALL = [
    (command, locale, word)
    for command, by_locale in WORDS.items()
    for locale, words in by_locale.items()
    for word in words
]


def test_every_command_has_a_word_in_every_language():
    for command in Command:
        missing = [locale for locale in SHIPPED_LOCALES if not WORDS[command].get(locale)]
        assert not missing, (command, missing)


def test_no_word_means_two_commands():
    meanings: dict[str, set[Command]] = defaultdict(set)
    for command, _locale, word in ALL:
        meanings[fold(word)].add(command)
    ambiguous = {word: sorted(c.value for c in cs) for word, cs in meanings.items() if len(cs) > 1}
    assert not ambiguous


def test_no_command_word_starts_another_commands_word():
    """ "CAAWIMO" for the command list and "CAAWIMO U BAAHAN" for asking would send a Somali
    speaker who writes "caawimo" (help!) the list of commands instead of the question."""
    folded = [(command, fold(word)) for command, _locale, word in ALL]
    clashes = sorted(
        (short, long)
        for command, short in folded
        for other, long in folded
        if other is not command and long.startswith(short + " ")
    )
    assert not clashes


@pytest.mark.parametrize(("command", "locale", "word"), ALL)
def test_every_word_is_recognised_alone_and_with_an_argument(
    command: Command, locale: str, word: str
):
    assert parse(word) == parse(word.lower()) and parse(word) is not None
    assert parse(word).command is command  # type: ignore[union-attr]
    with_argument = parse(f"{word.lower()} Torstrand sentrum")
    assert with_argument is not None and with_argument.command is command
    assert with_argument.argument == "Torstrand sentrum"


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_the_shown_word_is_the_languages_own(locale: str):
    for command in Command:
        assert shown(command, locale) == WORDS[command][locale][0]


def test_caawimo_asks_for_help():
    parsed = parse("caawimo")
    assert parsed is not None and parsed.command is Command.ASK
