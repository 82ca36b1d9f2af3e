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


async def test_the_hub_counts_what_is_open_in_my_networks(app, hosted_network):
    from datetime import UTC, datetime, timedelta

    from bot.services import ideas, polls
    from tests.support.events import actor_of

    view, host, olena = hosted_network
    uk = app.catalogs.translator("uk")
    async with app.sessionmaker() as session:
        draft = polls.PollDraft(
            network_id=view.id,
            question="Benker langs Torstrandgata?",
            options=("Ja", "Nei"),
            closes_at=datetime.now(UTC) + timedelta(days=3),
        )
        await polls.publish(session, await actor_of(app, host), app.catalogs, draft)
    for text in ("Leksehjelp på tirsdager", "Flere søppelkasser i parken"):
        async with app.sessionmaker() as session:
            await ideas.propose(
                session, await actor_of(app, host), app.catalogs, network_id=view.id, text=text
            )
    await olena.send("/start")
    replies = await olena.press(uk.gettext("🗳 Take part"))
    assert uk.ngettext("📊 {n} open poll", "📊 {n} open polls", 1) in replies[-1].text
    assert uk.ngettext("💡 {n} idea in the making", "💡 {n} ideas in the making", 2) in (
        replies[-1].text
    )
    assert uk.ngettext("🧹 {n} call for volunteers", "🧹 {n} calls for volunteers", 0) in (
        replies[-1].text
    )
