"""Coordinators set up networks and hosts in the bot; nobody else can, whatever they send."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.services import networks
from bot.services.actors import Actor
from db.models import JoinPolicy, MemberRole, Membership, Network, NetworkKind, Resident
from tests.support.settings import COORDINATOR_ID


@pytest.fixture
async def coordinator(resident):
    return await resident("Marte", user_id=COORDINATOR_ID)


async def _network(app, slug: str) -> Network:
    async with app.sessionmaker() as session:
        network = await session.scalar(select(Network).where(Network.slug == slug))
        assert network is not None
        return network


async def test_a_coordinator_creates_a_network_in_the_bot(coordinator, app, fake_api):
    t = app.catalogs.translator("nb")
    replies = await coordinator.send("/start")
    assert t.gettext("🛠 Coordinator") in replies[-1].button_texts
    await coordinator.send("/coordinate")
    replies = await coordinator.press(t.gettext("➕ New network"))
    assert "Torstrand" in replies[-1].text
    await coordinator.send("Østre Halsen")
    await coordinator.send("Naboer i Østre Halsen og Rekkevik.")
    await coordinator.press(t.gettext("An area (a neighbourhood or village)"))
    replies = await coordinator.press(t.gettext("🔓 Open to everyone"))
    card = replies[-1].text
    assert t.gettext("Created! Share the join link with the neighbours.") in card
    assert f"https://t.me/{fake_api.bot_user['username']}?start=join-ostre-halsen" in card
    network = await _network(app, "ostre-halsen")
    assert network.name == "Østre Halsen"
    assert network.kind is NetworkKind.AREA
    assert network.join_policy is JoinPolicy.OPEN
    assert network.description == "Naboer i Østre Halsen og Rekkevik."


async def test_an_invite_only_network_gets_a_code_in_its_link(coordinator, app):
    t = app.catalogs.translator("nb")
    await coordinator.send("/coordinate")
    await coordinator.press(t.gettext("➕ New network"))
    await coordinator.send("Frivillige")
    await coordinator.send("/skip")
    await coordinator.press(t.gettext("An interest group"))
    replies = await coordinator.press(t.gettext("🔒 By invite code"))
    network = await _network(app, "frivillige")
    assert network.invite_code
    assert f"start=join-frivillige_{network.invite_code}" in replies[-1].text
    assert network.description == ""


async def test_a_coordinator_edits_renews_the_code_and_archives(coordinator, app):
    t = app.catalogs.translator("nb")
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Nanset", slug="nanset"
        )
    await coordinator.send("/coordinate")
    await coordinator.press(t.gettext("🏘 Manage networks"))
    await coordinator.press("Nanset")
    await coordinator.press(t.gettext("✏️ Name"))
    replies = await coordinator.send("Nanset og Gon")
    assert t.gettext("Saved.") in replies[-1].text
    await coordinator.press(t.gettext("✏️ Description"))
    await coordinator.send("x" * 1001)
    assert coordinator.last.text == t.ngettext(
        "That's too long: at most {n} character, please.",
        "That's too long: at most {n} characters, please.",
        1000,
    )
    await coordinator.send("Nanset, Gon og Hoyland.")
    await coordinator.press(t.gettext("🔒 Invite only"))
    first_code = (await _network(app, "nanset")).invite_code
    await coordinator.press(t.gettext("🔑 New invite code"))
    second_code = (await _network(app, "nanset")).invite_code
    assert first_code and second_code and first_code != second_code
    replies = await coordinator.press(t.gettext("📦 Archive"))
    network = await _network(app, "nanset")
    assert network.archived_at is not None
    assert network.name == "Nanset og Gon"
    assert network.description == "Nanset, Gon og Hoyland."
    assert t.gettext("♻️ Reopen") in replies[-1].button_texts
    assert view.id == network.id


async def test_a_coordinator_appoints_and_removes_a_host(coordinator, resident, app):
    t = app.catalogs.translator("nb")
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    kari = await resident("Kari")
    await kari.send("/start join-torstrand")
    await coordinator.send("/coordinate")
    await coordinator.press(t.gettext("🏘 Manage networks"))
    await coordinator.press("Torstrand")
    await coordinator.press(t.gettext("⭐ Hosts"))
    replies = await coordinator.press("Kari")
    assert "⭐ Kari" in replies[-1].button_texts
    assert coordinator.last_answer["text"] == t.gettext("{name} is now a host.", name="Kari")
    async with app.sessionmaker() as session:
        membership = await session.scalar(
            select(Membership).where(Membership.network_id == view.id)
        )
        assert membership.role is MemberRole.HOST
    replies = await kari.send("/networks")
    await kari.press("Torstrand")
    assert t.gettext("⭐ You are a host of this network.") in kari.last.text
    await coordinator.press("⭐ Kari")
    async with app.sessionmaker() as session:
        membership = await session.scalar(
            select(Membership).where(Membership.network_id == view.id)
        )
        assert membership.role is MemberRole.MEMBER


async def test_reach_shows_members_by_language(coordinator, resident, app):
    t = app.catalogs.translator("nb")
    async with app.sessionmaker() as session:
        await networks.create_network(session, Actor.operator(), name="Torstrand", slug="torstrand")
    for name, language, code in [
        ("Kari", "Norsk (bokmål)", "nb"),
        ("Olena", "Українська", "uk"),
        ("Amal", "العربية", "ar"),
    ]:
        user = await resident(name, language, code)
        await user.send("/start join-torstrand")
        if name == "Amal":
            await user.block()
    await coordinator.send("/coordinate")
    replies = await coordinator.press(t.gettext("📊 Reach"))
    text = replies[-1].text
    assert "Torstrand · " + t.ngettext("{n} member", "{n} members", 3) in text
    assert "Українська 1" in text and "العربية 1" in text
    assert t.ngettext("⚠️ {n} has blocked the bot", "⚠️ {n} have blocked the bot", 1) in text


# ---- refusals: the role is checked in the service, not by hiding buttons ---------------------


async def test_a_resident_cannot_open_the_coordinator_panel(resident, app):
    t = app.catalogs.translator("nb")
    kari = await resident("Kari")
    replies = await kari.send("/coordinate")
    assert replies[-1].text == t.gettext("Only coordinators can do that.")
    assert t.gettext("🛠 Coordinator") not in (await kari.send("/start"))[-1].button_texts


@pytest.mark.parametrize(
    "forged",
    [
        "c:archive:{id}:0",
        "c:policy:{id}:0",
        "c:code:{id}:0",
        "c:kind:{id}:1",
        "c:host:{id}:{me}",
        "c:card:{id}:0",
        "c:hosts:{id}:0",
        "c:reach:0:0",
        "c:nets:0:0",
        "c:new:0:0",
    ],
)
async def test_forged_coordinator_buttons_are_refused(resident, app, forged):
    t = app.catalogs.translator("nb")
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand", invite_code="ABCD1234"
        )
    kari = await resident("Kari")
    await kari.send("/start join-torstrand_ABCD1234")
    async with app.sessionmaker() as session:
        me = await session.scalar(select(Membership.resident_id))
    before = await _network(app, "torstrand")
    await kari.press_data(forged.format(id=view.id, me=me))
    assert kari.last_answer == {
        "text": t.gettext("Only coordinators can do that."),
        "show_alert": True,
    }
    after = await _network(app, "torstrand")
    assert (after.archived_at, after.join_policy, after.invite_code, after.kind) == (
        before.archived_at,
        before.join_policy,
        before.invite_code,
        before.kind,
    )
    async with app.sessionmaker() as session:
        assert (await session.scalar(select(Membership.role))) is MemberRole.MEMBER


async def test_forged_edit_flow_is_refused_at_the_service(resident, app):
    """Even a resident who somehow reaches the edit state cannot save a change."""
    t = app.catalogs.translator("nb")
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    kari = await resident("Kari")
    await kari.press_data(f"c:name:{view.id}:0")
    assert kari.last_answer["text"] == t.gettext("Only coordinators can do that.")
    replies = await kari.send("Kari's kingdom")
    assert (await _network(app, "torstrand")).name == "Torstrand"
    assert replies[-1].text == t.gettext(
        "I work with buttons and commands. /help shows what I can do, /start opens the menu."
    )


async def test_coordinator_ids_grant_the_role_without_the_database(coordinator, app):
    async with app.sessionmaker() as session:
        flagged = await session.scalar(
            select(Resident.is_coordinator).where(Resident.telegram_id == COORDINATOR_ID)
        )
    assert flagged is False
    t = app.catalogs.translator("nb")
    replies = await coordinator.send("/coordinate")
    assert t.gettext("Coordinator") in replies[-1].text
    assert "coordinate" in coordinator.server.commands_for(scope=f"chat:{COORDINATOR_ID}")
