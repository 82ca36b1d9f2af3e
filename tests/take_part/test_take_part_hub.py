"""🗳 Take part: the main menu's way to polls, ideas and volunteer calls, in the resident's
language (Ukrainian here: the hub is for newcomers too)."""

from __future__ import annotations


async def test_the_main_menu_leads_to_polls_ideas_and_volunteer_calls(app, resident):
    olena = await resident("Olena", "Українська", "uk")
    uk = app.catalogs.translator("uk")
    await olena.send("/start")
    assert uk.gettext("🗳 Take part") in olena.last.button_texts
    replies = await olena.press(uk.gettext("🗳 Take part"))
    hub = replies[-1]
    assert uk.gettext("<b>🗳 Take part</b>").removeprefix("<b>").removesuffix("</b>") in hub.text
    assert hub.button_texts == [
        uk.gettext("📊 Polls"),
        uk.gettext("💡 Ideas"),
        uk.gettext("🧹 Volunteer calls"),
        uk.gettext("« Menu"),
    ]
    # The hub is an edit of the menu message, and « Menu goes back to it in place.
    replies = await olena.press(uk.gettext("« Menu"))
    assert uk.gettext("🗳 Take part") in replies[-1].button_texts
