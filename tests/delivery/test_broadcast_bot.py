"""A host writes to the network in the bot: preview by language, send, and follow the reach."""

from __future__ import annotations

from handlers.callbacks import BroadcastAction, HostCb
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker
from tests.support.settings import COORDINATOR_ID


async def test_a_host_previews_sends_and_follows_the_reach(app, resident, hosted_network):
    _view, host, olena = hosted_network
    t = app.catalogs.translator("nb")
    await host.send("/networks")
    await host.press("Torstrand")
    await host.press(t.gettext("📣 Write to members"))
    replies = await host.send("Vannet stenges tirsdag 9–12. Fyll en mugge i kveld!")
    preview = replies[-1].text
    assert t.gettext("Preview") in preview
    assert "Vannet stenges tirsdag 9–12." in preview
    assert "Norsk (bokmål) 1 · Українська 1" in preview
    replies = await host.press(t.gettext("📣 Send"))
    assert (
        t.ngettext("Sent! {n} member will get it.", "Sent! {n} members will get it.", 2)
        in replies[-1].text
    )
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    uk = app.catalogs.translator("uk")
    assert olena.last.text.startswith(uk.gettext("📣 Notice from {network}", network="Torstrand"))
    replies = await host.press(t.gettext("📊 Reach"))
    assert "✅ " + t.gettext("delivered") + " 2" in replies[-1].text
    assert "Українська: ✅ 1" in replies[-1].text


async def test_members_cannot_write_to_the_network(app, resident, hosted_network):
    view, _host, olena = hosted_network
    uk = app.catalogs.translator("uk")
    await olena.press_data(HostCb(action=BroadcastAction.WRITE, network_id=view.id).pack())
    assert olena.last_answer["text"] == uk.gettext("Only the hosts of this network can do that.")
    await olena.press_data(HostCb(action=BroadcastAction.WRITE, network_id=0).pack())
    assert olena.last_answer["text"] == uk.gettext("Only coordinators can do that.")


async def test_a_coordinator_writes_to_everyone(app, resident, hosted_network):
    _view, _host, olena = hosted_network
    coordinator = await resident("Marte", user_id=COORDINATOR_ID)
    t = app.catalogs.translator("nb")
    await coordinator.send("/coordinate")
    await coordinator.press(t.gettext("📣 Write to everyone"))
    await coordinator.send("Velkommen til Naboskap, alle sammen!")
    await coordinator.press(t.gettext("📣 Send"))
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    uk = app.catalogs.translator("uk")
    assert olena.last.text.startswith(uk.gettext("📣 Notice from the municipality"))
