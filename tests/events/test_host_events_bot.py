"""A host creates an event in the bot, step by step, and members get it in their language;
the host changes and cancels it, and those coming are told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.services import events
from db.models import Answer, Event, EventStatus, Notice
from handlers.callbacks import HostEventAction, HostEventCb
from tests.support.events import actor_of, event_draft
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker


async def test_a_host_creates_an_event_step_by_step(app, resident, hosted_network):
    _view, host, olena = hosted_network
    t = app.catalogs.translator("nb")
    await host.send("/networks")
    await host.press("Torstrand")
    await host.press(t.gettext("🗓 New event"))
    await host.send("Dugnad i parken")
    await host.send("/skip")
    replies = await host.send("torsdag 7")  # morning or evening? asked, not guessed
    assert replies[-1].text == t.gettext("Which one do you mean?")
    await host.press(replies[-1].button_texts[-1])
    await host.send("21:00")
    await host.send("Torget")
    await host.press(t.gettext("Yes, no Norwegian needed"))
    await host.press("Українська")
    await host.send("Толока в парку")
    await host.send("Беріть рукавички!")
    replies = await host.press(t.gettext("Continue to the preview ›"))
    preview = replies[-1].text
    assert "Dugnad i parken" in preview
    assert "📍 Torget" in preview
    assert t.gettext("No Norwegian needed") in preview
    assert "Norsk (bokmål) 1 · Українська 1" in preview
    await host.press(t.gettext("✅ Publish"))
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    uk = app.catalogs.translator("uk")
    assert "Толока в парку" in olena.last.text
    assert "Беріть рукавички!" in olena.last.text
    assert "четвер" in olena.last.text
    assert uk.gettext("No Norwegian needed") in olena.last.text


async def test_a_day_button_then_a_time(app, resident, hosted_network):
    _view, host, _olena = hosted_network
    t = app.catalogs.translator("nb")
    await host.send("/networks")
    await host.press("Torstrand")
    await host.press(t.gettext("🗓 New event"))
    await host.send("Kaffe")
    await host.send("/skip")
    day_label = host.last.button_texts[2]  # the day after tomorrow, as the locale writes it
    replies = await host.press(day_label)
    assert replies[-1].text == t.gettext("What time does it start? For example 18:00.")
    replies = await host.send("kl 18")
    assert day_label in replies[-1].text
    assert "18:00" in replies[-1].text
    replies = await host.send("/skip")
    assert replies[-1].text.startswith(t.gettext("Where is it?"))


async def test_changing_and_cancelling_tells_those_coming(app, resident, hosted_network):
    _view, host, olena = hosted_network
    t = app.catalogs.translator("nb")
    uk = app.catalogs.translator("uk")
    await host.send("/networks")
    await host.press("Torstrand")
    await host.press(t.gettext("🗓 New event"))
    for text in ("Språkkafé", "/skip", "fredag 18:00", "/skip", "/skip"):
        await host.send(text)
    await host.press(t.gettext("No"))
    await host.press(t.gettext("Continue to the preview ›"))
    await host.press(t.gettext("✅ Publish"))
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    await olena.press(uk.gettext("✅ Coming"))

    await host.send("/events")
    await host.press("Språkkafé")
    await host.press(t.gettext("✏️ Change"))
    await host.press(t.gettext("Place"))
    replies = await host.send("Biblioteket")
    assert t.gettext("Saved. Those coming are told.") in replies[-1].text
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    assert "📍 Biblioteket" in olena.last.text
    assert uk.gettext("✏️ An event you're going to has changed") in olena.last.text

    await host.send("/events")
    await host.press("Språkkafé")
    await host.press(t.gettext("❌ Cancel the event"))
    await host.press(t.gettext("❌ Yes, cancel the event"))
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    assert uk.gettext("❌ An event you were going to is cancelled") in olena.last.text


async def test_members_cannot_create_or_cancel_events(app, resident, hosted_network):
    view, _host, olena = hosted_network
    uk = app.catalogs.translator("uk")
    await olena.press_data(HostEventCb(action="new", network_id=view.id).pack())
    assert olena.last_answer["text"] == uk.gettext("Only the hosts of this network can do that.")
    await olena.press_data(HostEventCb(action="publish").pack())
    assert olena.last_answer["text"] == uk.gettext(
        "This button no longer works. Send /start for a fresh menu."
    )


async def test_an_event_that_has_happened_cannot_be_cancelled(app, resident, hosted_network):
    view, host, olena = hosted_network
    t = app.catalogs.translator("nb")
    last_week = datetime.now(UTC) - timedelta(days=7)
    async with app.sessionmaker() as session:
        event, _ = await events.publish(
            session,
            await actor_of(app, host),
            app.catalogs,
            event_draft(view.id, starts_at=last_week, ends_at=last_week + timedelta(hours=2)),
            now=last_week - timedelta(days=1),
        )
        await events.answer(
            session, await actor_of(app, olena), event.id, Answer.YES, now=last_week
        )

    async def state() -> tuple[object, ...]:
        async with app.sessionmaker() as session:
            row = await session.get(Event, event.id)
            assert row is not None
            notices = (await session.execute(select(Notice.id, Notice.kind))).all()
            return row.status, row.updated_at, tuple(notices)

    before = await state()
    await host.press_data(HostEventCb(action=HostEventAction.CONFIRM, event_id=event.id).pack())
    assert host.last_answer["text"] == t.gettext("This event is over or cancelled.")
    assert await state() == before
    assert before[0] is EventStatus.PUBLISHED
    # Its card offers nothing that would be refused: no answers, no change, no cancel.
    from handlers.callbacks import EventAction, EventCb

    await host.press_data(EventCb(action=EventAction.OPEN, event_id=event.id).pack())
    labels = host.last.button_texts
    assert t.gettext("👥 Who's coming") in labels
    for gone in ("❌ Cancel the event", "✏️ Change", "✅ Coming", "📅 Add to calendar"):
        assert t.gettext(gone) not in labels, gone


async def test_changing_the_place_of_an_all_day_event_keeps_it_all_day(
    app, resident, hosted_network
):
    view, host, _olena = hosted_network
    t = app.catalogs.translator("nb")
    day = datetime(2099, 6, 5, 22, 0, tzinfo=UTC)  # Saturday 6 June 2099, 00:00 in Oslo
    async with app.sessionmaker() as session:
        await events.publish(
            session,
            await actor_of(app, host),
            app.catalogs,
            event_draft(
                view.id,
                title="Loppemarked",
                starts_at=day,
                ends_at=day + timedelta(days=1),
                all_day=True,
            ),
        )
    await host.send("/events")
    await host.press("Loppemarked")
    await host.press(t.gettext("✏️ Change"))
    await host.press(t.gettext("Place"))
    replies = await host.send("Torget")
    assert t.gettext("Saved. Those coming are told.") in replies[-1].text
    assert "00:00" not in replies[-1].text
    async with app.sessionmaker() as session:
        stored = await session.scalar(select(Event).where(Event.title == "Loppemarked"))
    assert stored is not None and stored.all_day and stored.place == "Torget"
