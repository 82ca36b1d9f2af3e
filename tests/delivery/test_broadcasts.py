"""Hosts and coordinators broadcast; every member gets it in their own frame and language."""

from __future__ import annotations

import pytest
from babel import Locale

from bot.services import broadcasts, networks
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, PermissionDenied
from db.models import DeliveryStatus
from tests.support.outbox import NOON, Clock, outbox_worker


@pytest.fixture
async def torstrand(app, resident):
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    host = await resident("Hilde")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", host.id)
    olena = await resident("Olena", "Українська", "uk")
    await olena.send("/start join-torstrand")
    kari = await resident("Kari")
    return view, host, olena, kari


async def _actor(app, user) -> Actor:
    from bot.services import residents

    async with app.sessionmaker() as session:
        return await residents.identify(session, user.id, app.settings.coordinator_ids)


async def test_a_host_broadcasts_to_their_network_in_each_language(app, torstrand):
    view, host, olena, kari = torstrand
    actor = await _actor(app, host)
    async with app.sessionmaker() as session:
        preview = await broadcasts.audience(session, actor, view.id)
        assert preview.by_locale == {"nb": 1, "uk": 1}
        sent = await broadcasts.broadcast(
            session,
            actor,
            app.catalogs,
            text="Dugnad på lørdag kl 11! Ta med <hansker> & kaffe.",
            network_id=view.id,
            now=NOON,
        )
    await outbox_worker(app, Clock(NOON)).drain()
    uk = app.catalogs.translator("uk")
    assert olena.last.text.startswith(uk.gettext("📣 Notice from {network}", network="Torstrand"))
    assert "Ta med <hansker> & kaffe." in olena.last.text
    norwegian = Locale.parse("nb").get_display_name(Locale.parse("uk"))
    assert uk.gettext("Written in {language}.", language=norwegian) in olena.last.text
    assert "Written in" not in host.last.text and "норвезька" not in host.last.text
    assert not any("Dugnad" in m.text for m in kari.messages)  # Kari is not a member
    async with app.sessionmaker() as session:
        reach = await broadcasts.reach(session, actor, sent.notice_id)
    assert reach.total(DeliveryStatus.SENT) == 2


async def test_members_cannot_broadcast_and_only_coordinators_reach_everyone(app, torstrand):
    view, host, olena, _kari = torstrand
    member = await _actor(app, olena)
    hilde = await _actor(app, host)
    async with app.sessionmaker() as session:
        with pytest.raises(PermissionDenied):
            await broadcasts.broadcast(
                session, member, app.catalogs, text="Hei", network_id=view.id
            )
        with pytest.raises(PermissionDenied):
            await broadcasts.broadcast(session, hilde, app.catalogs, text="Hei", network_id=None)
        with pytest.raises(InvalidInput):
            await broadcasts.broadcast(
                session, Actor.operator(), app.catalogs, text="  ", network_id=None
            )
        everyone = await broadcasts.audience(session, Actor.operator(), None)
    assert everyone.total == 2  # Hilde and Olena; Kari is in no network


def test_broadcast_from_the_command_line(cli):
    cli("network", "add", "torstrand", "Torstrand")
    cli("host", "add", "torstrand", "4242")
    result = cli("broadcast", "--network", "torstrand", "Vannet blir stengt tirsdag 9–12.")
    assert result.exit_code == 0, result.output
    assert "queued for 0 residents" in result.output  # 4242 has not started the bot yet
    assert cli("broadcast", "Hei").exit_code != 0
    assert cli("broadcast", "--network", "nowhere", "Hei").exit_code != 0
