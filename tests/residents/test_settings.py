"""/settings: instant or digest only, and quiet hours, and the outbox honours both."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services import broadcasts, networks
from bot.services.actors import Actor
from db.models import DeliveryStatus
from tests.support.outbox import Clock, delivery_statuses, outbox_worker


async def test_settings_change_how_notices_arrive(app, resident):
    t = app.catalogs.translator("nb")
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    kari = await resident("Kari")
    ola = await resident("Ola")
    for user in (kari, ola):
        await user.send("/start join-torstrand")
    replies = await kari.send("/settings")
    assert t.gettext("You get notices as they come.") in replies[-1].text
    assert "✓ 22:00–08:00" in replies[-1].button_texts
    replies = await kari.press(t.gettext("Weekly digest only"))
    assert t.gettext("You get everything once a week, in the digest.") in replies[-1].text
    await ola.send("/settings")
    replies = await ola.press(t.gettext("No quiet hours"))
    assert t.gettext("No quiet hours: notices come at any time.") in replies[-1].text

    night = datetime(2026, 12, 2, 23, 0, tzinfo=UTC)  # midnight in Oslo
    async with app.sessionmaker() as session:
        sent = await broadcasts.broadcast(
            session,
            Actor.operator(),
            app.catalogs,
            text="Strømbrudd i natt",
            network_id=view.id,
            now=night,
        )
    assert sent.held == 1
    await outbox_worker(app, Clock(night)).drain()
    statuses = await delivery_statuses(app)
    assert statuses[kari.id] is DeliveryStatus.HELD
    assert statuses[ola.id] is DeliveryStatus.SENT


async def test_forged_settings_are_refused(app, resident):
    t = app.catalogs.translator("nb")
    kari = await resident("Kari")
    await kari.press_data("s:quiet:99")
    assert kari.last_answer["text"] == t.gettext(
        "This button no longer works. Send /start for a fresh menu."
    )
