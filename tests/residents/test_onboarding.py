"""A resident starts the bot, picks a language, accepts the privacy notice and lands on the menu."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from bot.i18n import NATIVE_NAMES, SHIPPED_LOCALES
from db.models import Resident
from tests.support.residents import onboard

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")


async def test_language_choice_lists_every_language_by_its_own_name(make_user):
    user = make_user("Kari", "nb")
    replies = await user.send("/start")
    labels = replies[-1].button_texts
    assert len(labels) == len(SHIPPED_LOCALES)
    for name in NATIVE_NAMES.values():
        assert any(name in label for label in labels)


@pytest.mark.parametrize(
    ("app_language", "expected_first"),
    [
        ("uk", "Українська"),
        ("no", "Norsk (bokmål)"),
        ("nn", "Norsk (bokmål)"),
        ("ar", "العربية"),
        ("fa", "دری"),
    ],
)
async def test_the_phones_language_comes_first_and_marked(make_user, app_language, expected_first):
    user = make_user("Ola", app_language)
    replies = await user.send("/start")
    first = replies[-1].button_texts[0]
    assert expected_first in first
    assert first.startswith("📱")


async def test_an_unshipped_phone_language_marks_nothing(make_user):
    user = make_user("Jean", "fr")
    replies = await user.send("/start")
    assert not any(label.startswith("📱") for label in replies[-1].button_texts)


async def test_the_prompt_speaks_every_language(make_user, app):
    user = make_user("Ola", "en")
    replies = await user.send("/start")
    prompt = replies[-1].text
    for t in app.catalogs.each():
        assert t.gettext("Choose your language") in prompt
    assert prompt.splitlines()[0] == app.catalogs.translator("en").gettext("Choose your language")


@pytest.mark.parametrize(
    ("language", "locale", "script"),
    [
        ("Norsk (bokmål)", "nb", None),
        ("Українська", "uk", CYRILLIC),
        ("العربية", "ar", ARABIC_SCRIPT),
    ],
)
async def test_onboarding_in_the_chosen_language(make_user, app, language, locale, script):
    # A phone set to English must not decide the language: the resident does.
    user = make_user("Olena", "en")
    await user.send("/start")
    replies = await user.press(language)
    t = app.catalogs.translator(locale)
    welcome = replies[-1].text
    assert t.gettext("Welcome to Naboskap, {name}! 👋", name="Olena") in welcome
    assert "/mydata" in welcome and "/forget" in welcome
    assert t.gettext("Your privacy") in welcome
    if script is not None:
        assert script.search(welcome), "the welcome must be in the chosen script"
    replies = await user.press(t.gettext("✅ I understand, let's go"))
    menu = replies[-1]
    assert t.gettext("What would you like to do?") in menu.text
    assert t.gettext("🏘 Networks") in menu.button_texts
    # The resident's own command menu follows the chosen language.
    chat_commands = user.server.commands[(f"chat:{user.id}", "")]
    assert chat_commands[2]["description"] == t.gettext("Neighbourhoods and groups")


async def test_a_known_resident_goes_straight_to_the_menu(resident, app):
    user = await resident("Kari")
    replies = await user.send("/start")
    t = app.catalogs.translator("nb")
    assert len(replies) == 1
    assert t.gettext("What would you like to do?") in replies[0].text
    assert not any(name in replies[0].button_texts for name in NATIVE_NAMES.values())


async def test_language_can_be_changed_and_everything_follows(resident, app):
    user = await resident("Kari")
    await user.send("/language")
    assert any(label.startswith("✓") and "Norsk" in label for label in user.last.button_texts)
    replies = await user.press("Polski")
    pl = app.catalogs.translator("pl")
    assert pl.gettext("What would you like to do?") in replies[-1].text
    replies = await user.send("/help")
    assert pl.gettext("What I can do") in replies[-1].text
    replies = await user.send("/networks")
    assert (
        pl.gettext("There are no networks yet. The municipality will add them soon.")
        in replies[-1].text
    )


async def test_help_lists_the_commands(resident, app):
    user = await resident("Kari")
    replies = await user.send("/help")
    text = replies[-1].text
    for command in ("/networks", "/language", "/mydata", "/forget", "/help", "/cancel"):
        assert command in text
    assert "/coordinate" not in text


async def test_commands_before_onboarding_lead_back_to_it(make_user, app):
    user = make_user("Kari", "nb")
    replies = await user.send("/networks")
    assert replies[-1].text.startswith(
        app.catalogs.translator("nb").gettext("Choose your language")
    )
    await user.press("Norsk (bokmål)")
    replies = await user.send("/mydata")
    assert replies[-1].button_texts == [
        app.catalogs.translator("nb").gettext("✅ I understand, let's go")
    ]


async def test_starting_again_and_rechoosing_keeps_one_resident(make_user, app):
    user = make_user("Kari", "nb")
    await onboard(user)
    await user.send("/start")
    await user.send("/language")
    await user.press("English")
    await user.send("/start")

    async with app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Resident)) == 1
