"""Volunteer calls as people meet them in the chat: the host posts the park clean-up step by
step, a Ukrainian neighbour signs up from the notice (asked once about her name), a Norwegian
one from /dugnad, an Arabic one finds the shift full, withdrawing tells the host, and forged
or foreign buttons are refused."""

from __future__ import annotations

from datetime import timedelta

from bot.services import actions
from bot.services.actions import ShowName, SignUpNamed, SignUpShift, WithdrawShift
from handlers.volunteering.callbacks import VolunteerAction, VolunteerCb
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker
from tests.support.volunteering import call_draft, post_call, upcoming_saturday


async def test_a_host_posts_a_call_step_by_step(app, dugnad_through_the_bot):
    _view, host, olena, amal, kari = dugnad_through_the_bot  # onboarded in the chat
    nb, uk = app.catalogs.translator("nb"), app.catalogs.translator("uk")
    saturday = upcoming_saturday()
    await host.send("/dugnad")
    await host.press(nb.gettext("➕ New call"))
    await host.send("x" * 121)  # too long: asked again
    assert "120" in host.last.text
    await host.send("Rydd Torstrandparken")
    await host.send("/skip")
    await host.send("Torstrandparken, ved lekeplassen")
    await host.send(f"{saturday.day}.{saturday.month} kl 25")  # not a time
    await host.send(f"{saturday.day}.{saturday.month}.{saturday.year} 10:00")
    await host.send("kl tretten")
    assert host.last.text == nb.gettext("Please write the time it ends, like 13:00.")
    await host.send("13:00")
    await host.send("null")
    await host.send("0")
    assert "500" in host.last.text
    await host.send("2")
    await host.press(nb.gettext("➕ Add another shift"))
    await host.send(f"{saturday.day}.{saturday.month}.{saturday.year} 13:00")
    await host.send("16:00")
    await host.send("3")
    await host.press(nb.gettext("Continue to the preview ›"))
    assert "Rydd Torstrandparken" in host.last.text and "Torstrandparken, ved" in host.last.text
    await host.press(nb.gettext("📣 Publish"))
    assert "Rydd Torstrandparken" in host.last.text

    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    notice = olena.last
    assert uk.gettext("🧹 Volunteers wanted in {network}", network="Torstrand") in notice.text
    assert len(notice.buttons) == 2 and "Rydd Torstrandparken" in amal.last.text

    # Olena signs up from the notice; the first time she is asked about her name.
    await olena.press_data(notice.buttons[0]["callback_data"], notice)
    assert olena.last.button_texts == [
        uk.gettext("Yes, show my first name"),
        uk.gettext("No, just count me"),
    ]
    await olena.press(uk.gettext("Yes, show my first name"))
    assert "✓" in olena.last.text

    # Kari signs up from /dugnad: the last slot of the first shift; the host hears it is full.
    await kari.send("/dugnad")
    assert "Rydd Torstrandparken" in kari.last.text
    await kari.press("1. Rydd Torstrandparken")
    await kari.press_data(kari.last.buttons[0]["callback_data"])
    await kari.press(nb.gettext("No, just count me"))
    await kari.press(nb.gettext("👥 Who's coming"))
    assert "Olena" in kari.last.text and "Kari" not in kari.last.text
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    assert "✅" in host.last.text

    # Amal presses the button on her notice: the shift is full, and she is told politely.
    await amal.press_data(amal.last.buttons[0]["callback_data"], amal.last)
    ar = app.catalogs.translator("ar")
    assert amal.last_answer["text"] == ar.gettext(
        "Sorry, that shift is full. Another shift may still have room."
    )

    # Olena withdraws; the host is told, by her first name, as she allowed.
    await olena.send("/dugnad")
    await olena.press("1. Rydd Torstrandparken")
    await olena.press(olena.last.buttons[0]["text"])  # "↩️ Withdraw: ..."
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    assert "Olena" in host.last.text and "↩️" in host.last.text


async def test_the_take_part_hub_leads_to_the_calls_and_back(app, dugnad):
    _view, _host, olena, *_ = dugnad
    uk = app.catalogs.translator("uk")
    await olena.send("/start")
    await olena.press(uk.gettext("🗳 Take part"))
    await olena.press(uk.gettext("🧹 Volunteer calls"))
    assert (
        uk.gettext(
            "No open volunteer calls in your networks right now. When a host asks for hands, "
            "you'll hear about it."
        )
        in olena.last.text
    )
    assert uk.gettext("➕ New call") not in olena.last.button_texts  # not a host
    await olena.press(uk.gettext("« Back"))
    assert uk.gettext("🧹 Volunteer calls") in olena.last.button_texts


async def test_many_calls_are_paged(app, dugnad):
    view, host, olena, *_ = dugnad
    saturday = upcoming_saturday()
    for n in range(14):
        await post_call(
            app,
            host,
            call_draft(view.id, saturday + timedelta(hours=n), title=f"Dugnad nummer {n + 1}"),
            saturday - timedelta(days=6),
        )
    uk = app.catalogs.translator("uk")
    await olena.send("/dugnad")
    assert "Dugnad nummer 1 ·" in olena.last.text and "Dugnad nummer 14" not in olena.last.text
    seen = olena.last.text
    while uk.gettext("More ›") in olena.last.button_texts:
        await olena.press(uk.gettext("More ›"))
        seen += olena.last.text
    for n in range(1, 15):
        assert f"{n}. Dugnad nummer {n} ·" in seen


async def test_forged_and_foreign_buttons_are_refused(app, dugnad, settled):
    view, host, olena, *_ = dugnad
    saturday = upcoming_saturday()
    posted = await post_call(app, host, call_draft(view.id, saturday), saturday - timedelta(days=6))
    shift_id = posted.shifts[0].id
    nb = app.catalogs.translator("nb")
    stranger = await settled("Per")
    await stranger.send("/dugnad")  # the screen whose buttons he forges
    not_found = nb.gettext("I couldn't find that. It may have been removed.")
    for data in (
        actions.pack(SignUpShift(shift_id)),  # not in Torstrand
        actions.pack(SignUpNamed(shift_id, ShowName.YES)),
        actions.pack(SignUpShift(99999)),
        VolunteerCb(action=VolunteerAction.OPEN, call_id=posted.id).pack(),
        VolunteerCb(action=VolunteerAction.WHO, call_id=posted.id).pack(),
    ):
        await stranger.press_data(data)
        assert stranger.last_answer["text"] == not_found, data
    # A member is not the host: managing, messaging, cancelling and confirming are refused.
    uk = app.catalogs.translator("uk")
    await olena.send("/dugnad")  # the screens whose buttons they forge
    await host.send("/dugnad")
    for data in (
        VolunteerCb(action=VolunteerAction.MANAGE, call_id=posted.id).pack(),
        VolunteerCb(action=VolunteerAction.MESSAGE, call_id=posted.id).pack(),
        VolunteerCb(action=VolunteerAction.CANCEL_YES, call_id=posted.id).pack(),
        VolunteerCb(action=VolunteerAction.ATTEND, shift_id=shift_id).pack(),
        VolunteerCb(action=VolunteerAction.CONFIRM, shift_id=shift_id).pack(),
        VolunteerCb(action=VolunteerAction.NEW).pack(),
    ):
        await olena.press_data(data)
        assert olena.last_answer["text"] == uk.gettext(
            "Only the hosts of this network can do that."
        ), data
    # The host cannot confirm attendance before the shift is over.
    await host.press_data(VolunteerCb(action=VolunteerAction.ATTEND, shift_id=shift_id).pack())
    assert host.last_answer["text"] == nb.gettext(
        "You can confirm who came once the shift is over."
    )
    # Withdrawing from a shift one never signed up for changes nothing and tells nobody.
    await olena.press_data(actions.pack(WithdrawShift(shift_id)))
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    assert not any("↩️" in (m.text or "") for m in host.messages)


async def test_the_host_messages_those_signed_up_and_cancels(app, dugnad):
    view, host, olena, _amal, kari = dugnad
    saturday = upcoming_saturday()
    posted = await post_call(app, host, call_draft(view.id, saturday), saturday - timedelta(days=6))
    nb, uk = app.catalogs.translator("nb"), app.catalogs.translator("uk")
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    # The call's notice waits for its time (a week ahead); Olena signs up on its card.
    await olena.send("/dugnad")
    await olena.press("1. Rydd Torstrandparken")
    await olena.press_data(actions.pack(SignUpNamed(posted.shifts[0].id, ShowName.NO)))
    await host.send("/dugnad")
    await host.press(nb.gettext("📋 Calls I host"))
    await host.press("1. Rydd Torstrandparken")
    await host.press(nb.gettext("✉️ Message those signed up"))
    await host.send("Husk hansker! Vi møtes ved lekeplassen.")
    assert host.last.text == nb.ngettext(
        "Sent to {n} person signed up.", "Sent to {n} people signed up.", 1
    )
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    assert "Husk hansker!" in olena.last.text
    assert not any("Husk hansker!" in (m.text or "") for m in kari.messages)  # not signed up
    await host.press(nb.gettext("❌ Cancel the call"))
    await host.press(nb.gettext("Yes, cancel it"))
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    assert uk.gettext("❌ A volunteer call you signed up for is cancelled") in olena.last.text


async def test_coordinators_see_volunteer_hours_per_network_and_month(app, dugnad, settled):
    from datetime import UTC, datetime

    from tests.support.settings import COORDINATOR_ID

    view, host, olena, *_ = dugnad
    # A shift at the very start of this month (posted just before it began).
    local = datetime.now(UTC).astimezone(app.catalogs.zone)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    draft = call_draft(view.id, month_start + timedelta(minutes=1))
    await post_call(app, host, draft, month_start - timedelta(minutes=1))
    coordinator = await settled("Cora", user_id=COORDINATOR_ID)
    nb = app.catalogs.translator("nb")
    await coordinator.send("/coordinate")
    await coordinator.press(nb.gettext("🧹 Volunteer hours"))
    assert "Torstrand" in coordinator.last.text
    assert nb.ngettext("{n} call", "{n} calls", 1) in coordinator.last.text
    assert nb.gettext("Later ›") not in coordinator.last.button_texts  # no figures ahead
    await coordinator.press(nb.gettext("‹ Earlier"))
    assert nb.gettext("No volunteer shifts this month.") in coordinator.last.text
    await coordinator.press(nb.gettext("Later ›"))
    assert "Torstrand" in coordinator.last.text
    await olena.send("/dugnad")  # a screen of hers, to forge the coordinators' button on
    await olena.press_data(VolunteerCb(action=VolunteerAction.HOURS).pack())
    assert olena.last_answer["text"] == app.catalogs.translator("uk").gettext(
        "Only coordinators can do that."
    )
