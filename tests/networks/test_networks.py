"""Residents find networks, join and leave them by button, by invite code and by deep link."""

from __future__ import annotations

import pytest

from bot.services import networks
from bot.services.actors import Actor
from db.models import NetworkKind


@pytest.fixture
async def larvik(app):
    """A few networks, as a coordinator would set them up."""
    operator = Actor.operator()
    async with app.sessionmaker() as session:
        created = {}
        for slug, name, kind, code in [
            ("torstrand", "Torstrand", NetworkKind.AREA, None),
            ("stavern", "Stavern", NetworkKind.AREA, None),
            ("sprakkafe", "Språkkafé", NetworkKind.INTEREST, None),
            ("frivillige", "Frivillige & venner", NetworkKind.INTEREST, "TORS24"),
        ]:
            view = await networks.create_network(
                session,
                operator,
                name=name,
                slug=slug,
                kind=kind,
                description=f"Om {name}",
                invite_code=code,
            )
            created[slug] = view
    return created


async def test_networks_lists_counts_and_my_memberships(resident, larvik, app):
    t = app.catalogs.translator("nb")
    kari = await resident("Kari")
    ola = await resident("Ola")
    await ola.send("/networks")
    await ola.press("Torstrand")
    await ola.press(t.gettext("➕ Join"))

    replies = await kari.send("/networks")
    text = replies[-1].text
    assert "Torstrand · " + t.ngettext("{n} member", "{n} members", 1) in text
    assert "Stavern · " + t.ngettext("{n} member", "{n} members", 0) in text
    assert t.gettext("Areas") in text and t.gettext("Interest groups") in text
    # HTML in a name is shown as written, not interpreted.
    assert "Frivillige & venner" in text
    await kari.press("Torstrand")
    await kari.press(t.gettext("➕ Join"))
    replies = await kari.send("/networks")
    assert "✅ Torstrand · " + t.ngettext("{n} member", "{n} members", 2) in replies[-1].text
    assert "✅ Torstrand" in replies[-1].button_texts


async def test_join_and_leave_by_button(resident, larvik, app):
    t = app.catalogs.translator("nb")
    kari = await resident("Kari")
    await kari.send("/networks")
    replies = await kari.press("Stavern")
    assert "Om Stavern" in replies[-1].text
    replies = await kari.press(t.gettext("➕ Join"))
    assert t.gettext("✅ You are a member.") in replies[-1].text
    assert kari.last_answer["text"] == t.gettext(
        "Welcome to {network}! You'll hear what is happening there.", network="Stavern"
    )
    replies = await kari.press(t.gettext("Leave"))
    assert t.gettext("✅ You are a member.") not in replies[-1].text
    assert t.gettext("➕ Join") in replies[-1].button_texts
    assert kari.last_answer["text"] == t.gettext("You have left {network}.", network="Stavern")


async def test_leaving_a_network_one_is_not_in_says_so(resident, larvik, app):
    """A stale Leave button (pressed twice, or kept from another phone) does not claim that
    anything happened."""
    t = app.catalogs.translator("nb")
    kari = await resident("Kari")
    await kari.send("/networks")
    await kari.press("Stavern")
    await kari.press(t.gettext("➕ Join"))
    leave = next(b["callback_data"] for b in kari.last.buttons if b["text"] == t.gettext("Leave"))
    await kari.press_data(leave)
    await kari.press_data(leave)  # again, from the same old message
    assert kari.last_answer["text"] == t.gettext(
        "You are not a member of {network}.", network="Stavern"
    )


async def test_invite_only_network_asks_for_the_code(resident, larvik, app):
    t = app.catalogs.translator("nb")
    kari = await resident("Kari")
    await kari.send("/networks")
    await kari.press("Frivillige & venner")
    replies = await kari.press(t.gettext("➕ Join"))
    assert replies[-1].text == t.gettext(
        "This network is open by invitation. Send me the invite code you got from the "
        "host, or /cancel."
    )
    replies = await kari.send("WRONG1")
    assert replies[-1].text == t.gettext(
        "That code doesn't match. Check it and try again, or send /cancel."
    )
    replies = await kari.send("tors24")  # codes are not case-sensitive
    assert (
        t.gettext(
            "Welcome to {network}! You'll hear what is happening there.",
            network="Frivillige &amp; venner",
        ).replace("&amp;", "&")
        in replies[-1].text
    )
    assert t.gettext("✅ You are a member.") in replies[-1].text


async def test_cancel_leaves_the_code_prompt(resident, larvik, app):
    t = app.catalogs.translator("nb")
    kari = await resident("Kari")
    await kari.send("/networks")
    await kari.press("Frivillige & venner")
    await kari.press(t.gettext("➕ Join"))
    replies = await kari.send("/cancel")
    assert t.gettext("OK, cancelled.") in replies[-1].text
    replies = await kari.send("TORS24")
    assert replies[-1].text == t.gettext(
        "I work with buttons and commands. /help shows what I can do, /start opens the menu."
    )


async def test_deep_link_joins_straight_after_onboarding(make_user, larvik, app):
    t = app.catalogs.translator("uk")
    olena = make_user("Olena", "uk")
    await olena.send("/start join-torstrand")
    await olena.press("Українська")
    replies = await olena.press(t.gettext("✅ I understand, let's go"))
    assert t.gettext("What would you like to do?") in replies[0].text
    assert (
        t.gettext("Welcome to {network}! You'll hear what is happening there.", network="Torstrand")
        in replies[-1].text
    )
    async with app.sessionmaker() as session:
        view = await networks.get_network(session, Actor.operator(), larvik["torstrand"].id)
    assert view.member_count == 1


async def test_deep_link_with_invite_code(make_user, resident, larvik, app):
    t = app.catalogs.translator("nb")
    kari = await resident("Kari")
    replies = await kari.send("/start join-frivillige_TORS24")
    assert t.gettext("✅ You are a member.") in replies[-1].text
    replies = await kari.send("/start join-frivillige_TORS24")
    assert (
        t.gettext(
            "You are already a member of {network}.", network="Frivillige &amp; venner"
        ).replace("&amp;", "&")
        in replies[-1].text
    )


async def test_deep_link_without_the_code_asks_for_it(resident, larvik, app):
    t = app.catalogs.translator("nb")
    kari = await resident("Kari")
    replies = await kari.send("/start join-frivillige")
    assert replies[-1].text.startswith(
        t.gettext(
            "This network is open by invitation. Send me the invite code you got from the "
            "host, or /cancel."
        )[:20]
    )
    replies = await kari.send("TORS24")
    assert t.gettext("✅ You are a member.") in replies[-1].text


@pytest.mark.parametrize(
    "payload", ["join-nowhere", "join-", "hello", "join-torstrand_x", "join-TORSTRAND" + "x" * 60]
)
async def test_a_bad_deep_link_shows_the_networks(resident, larvik, app, payload):
    t = app.catalogs.translator("nb")
    kari = await resident("Kari")
    replies = await kari.send(f"/start {payload}")
    assert replies[0].text == t.gettext(
        "That link doesn't lead to a network I know. Here are the networks you can join:"
    )
    assert "Torstrand" in replies[-1].text


async def test_archived_networks_are_hidden_and_refuse_joins(resident, larvik, app):
    t = app.catalogs.translator("nb")
    kari = await resident("Kari")
    await kari.send("/networks")
    card = await kari.press("Stavern")
    async with app.sessionmaker() as session:
        await networks.set_archived(session, Actor.operator(), larvik["stavern"].id, True)
    await kari.press(t.gettext("➕ Join"), card[-1])
    assert kari.last_answer["text"] == t.gettext(
        "That network has closed and takes no new members."
    )
    replies = await kari.send("/networks")
    assert "Stavern" not in replies[-1].text


async def test_a_resident_can_be_in_several_networks(resident, larvik, app):
    t = app.catalogs.translator("nb")
    kari = await resident("Kari")
    for name in ("Torstrand", "Språkkafé"):
        await kari.send("/networks")
        await kari.press(name)
        await kari.press(t.gettext("➕ Join"))
    replies = await kari.send("/networks")
    assert "✅ Torstrand" in replies[-1].button_texts
    assert "✅ Språkkafé" in replies[-1].button_texts


async def test_a_host_sees_who_is_in_the_network(resident, larvik, app):
    t = app.catalogs.translator("nb")
    host = await resident("Hilde")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", host.id)
    olena = await resident("Olena", "Українська", "uk")
    await olena.send("/start join-torstrand")
    amal = await resident("Amal", "العربية", "ar")
    await amal.send("/start join-torstrand")
    await amal.block()

    await host.send("/networks")
    await host.press("✅ Torstrand")
    replies = await host.press(t.gettext("👥 Members"))
    text = replies[-1].text
    assert t.ngettext("{n} member", "{n} members", 3) in text
    assert "Norsk (bokmål) 1 · Українська 1 · العربية 1" in text
    assert t.ngettext("⚠️ {n} has blocked the bot", "⚠️ {n} have blocked the bot", 1) in text
    assert "⭐ Hilde" in text
    assert "Olena" in text
    assert str(olena.id) not in text  # first names only, never Telegram ids


async def test_members_are_not_shown_to_other_members(resident, larvik, app):
    t = app.catalogs.translator("nb")
    kari = await resident("Kari")
    await kari.send("/start join-torstrand")
    await kari.send("/networks")
    replies = await kari.press("✅ Torstrand")
    assert t.gettext("👥 Members") not in replies[-1].button_texts
    await kari.press_data(f"n:members:{larvik['torstrand'].id}:0")
    assert kari.last_answer["text"] == t.gettext("Only the hosts of this network can do that.")


async def test_no_database_connection_is_held_while_talking_to_telegram(
    resident, larvik, app, fake_api
):
    """With SQLite's single connection, a handler waiting on Telegram must not block others."""
    t = app.catalogs.translator("nb")
    held: list[int] = []
    fake_api.on_request = lambda method: held.append(app.engine.sync_engine.pool.checkedout())
    kari = await resident("Kari")
    await kari.send("/networks")
    await kari.press("Torstrand")
    await kari.press(t.gettext("➕ Join"))
    await kari.send("/mydata")
    assert held
    assert set(held) == {0}
