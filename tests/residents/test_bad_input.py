"""Bad input gets a short translated hint; nothing crashes, no traceback reaches a user, and
no personal data reaches the log."""

from __future__ import annotations

import logging

import pytest

from bot.edge_input import clean_name, clean_text, row_id
from bot.logs import configure_logging
from bot.services import networks


@pytest.mark.parametrize(("locale_label", "locale"), [("Norsk (bokmål)", "nb"), ("العربية", "ar")])
async def test_unknown_commands_and_free_text_get_a_translated_hint(
    resident, app, locale_label, locale
):
    t = app.catalogs.translator(locale)
    user = await resident("Amal", locale_label, locale)
    replies = await user.send("/teleport now")
    assert replies[-1].text == t.gettext(
        "I don't know the command {command}. /help shows what I can do.", command="/teleport"
    )
    replies = await user.send("hei, er det noen her?")
    assert replies[-1].text == t.gettext(
        "I work with buttons and commands. /help shows what I can do, /start opens the menu."
    )


async def test_an_oversized_message_gets_a_hint(resident, app):
    t = app.catalogs.translator("nb")
    user = await resident("Kari")
    replies = await user.send("ø" * 4096)
    assert replies[-1].text == t.gettext(
        "That's a long message! I can't read free text, though. /help shows what I can do."
    )


async def test_markup_in_a_name_is_shown_safely(make_user, app):
    t = app.catalogs.translator("nb")
    user = make_user("<b>Kari</b> & co", "nb")
    await user.send("/start")
    replies = await user.press("Norsk (bokmål)")
    assert t.gettext("Welcome to Naboskap, {name}! 👋", name="<b>Kari</b> & co") in replies[-1].text


@pytest.mark.parametrize(
    "data",
    [
        "",
        "x",
        "n:open",
        "n:open:abc:0",
        "n:join:99999:0",
        "lang:xx",
        "lang:../../etc",
        "c",
        "fg:maybe",
        "m:nowhere",
        "priv:decline",
        "n:open:1:0:extra",
        "ä" * 64,
    ],
)
async def test_forged_or_stale_buttons_get_a_hint(resident, app, data):
    t = app.catalogs.translator("nb")
    user = await resident("Kari")
    await user.press_data(data)
    assert user.last_answer is not None
    assert user.last_answer["text"] in {
        t.gettext("This button no longer works. Send /start for a fresh menu."),
        t.gettext("I couldn't find that. It may have been removed."),
        t.gettext("That doesn't look right. Please check it and try again."),
    }


async def test_a_failure_is_answered_kindly_and_logged_without_personal_data(
    resident, app, monkeypatch, caplog
):
    t = app.catalogs.translator("nb")
    user = await resident("Kari Nordmann")

    async def broken(*args, **kwargs):
        raise RuntimeError("boom for Kari Nordmann, phone 99887766")

    monkeypatch.setattr(networks, "list_networks", broken)
    configure_logging("DEBUG")
    with caplog.at_level(logging.DEBUG):
        replies = await user.send("/networks")
        await user.send("/start")
        await user.press(t.gettext("🏘 Networks"))
    assert replies[-1].text == t.gettext(
        "Sorry, something went wrong on our side. Please try again in a moment."
    )
    assert user.last.text == t.gettext(
        "Sorry, something went wrong on our side. Please try again in a moment."
    )
    assert "RuntimeError" in caplog.text
    for secret in ("Kari", "Nordmann", "99887766", str(user.id)):
        assert secret not in caplog.text
    assert "Traceback" not in replies[-1].text


async def test_the_bot_stays_quiet_in_groups(resident, app, fake_api):
    await resident("Kari")
    before = len(fake_api.calls)
    group = {"id": -100123, "type": "supergroup", "title": "Torstrand vel"}
    for text in ("/start", "hei alle sammen", "/networks"):
        await fake_api.push_update(
            {
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": group,
                    "from": {"id": 1000, "is_bot": False, "first_name": "Kari"},
                    "text": text,
                }
            }
        )
    assert len(fake_api.calls) == before


def test_clean_text_keeps_what_people_write_and_drops_what_breaks_storage():
    assert clean_text("Hei\x00 på\x1b deg\x7f\x85\n\tsnart") == "Hei på deg\n\tsnart"
    assert clean_text("e\u0301") == "é"  # NFC
    arabic = "مرحبا\u200f \u202bنص\u202c"  # marks and embeddings in a message are the writer's
    assert clean_text(arabic) == arabic
    assert clean_name("\u202eKari\u2066\u2069\n Nord\x00") == "Kari Nord"
    assert row_id("2147483647") == 2**31 - 1
    assert [row_id(v) for v in ("2147483648", "0", "-1", "1e3", "٣", "", None, True)] == [None] * 8
