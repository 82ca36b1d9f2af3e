"""Residents meet events in the bot: the notice's buttons, /events, the calendar file, and the
host's list of who is coming."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.services import actions, events
from bot.services.actions import Rsvp
from db.models import Answer
from handlers.callbacks import EventAction, EventCb
from tests.support.events import actor_of, event_draft
from tests.support.outbox import NOON, Clock, outbox_worker

FAR_THURSDAY = datetime(2099, 12, 3, 17, 0, tzinfo=UTC)


async def _published(app, network):
    view, host, _olena, _amal = network
    async with app.sessionmaker() as session:
        # Far ahead, so that answering from the bot (by the real clock) never meets a past event.
        event, _ = await events.publish(
            session,
            await actor_of(app, host),
            app.catalogs,
            event_draft(view.id, starts_at=FAR_THURSDAY, ends_at=FAR_THURSDAY + timedelta(hours=2)),
            now=NOON,
        )
    await outbox_worker(app, Clock(NOON)).drain()
    return event


async def test_a_newcomer_answers_from_the_notice_and_finds_it_in_events(app, network):
    _view, host, olena, _amal = network
    event = await _published(app, network)
    uk = app.catalogs.translator("uk")
    await olena.press(uk.gettext("✅ Coming"))
    assert olena.last_answer["text"] == uk.gettext("Great, see you there!")
    replies = await olena.send("/events")
    assert uk.gettext("Upcoming events") in replies[-1].text
    assert "Мовне кафе в бібліотеці" in replies[-1].text
    assert "✅ 1 · 🤔 0" in replies[-1].text
    card = await olena.press("Мовне кафе в бібліотеці")
    assert uk.gettext("You said: {answer}", answer=uk.gettext("✅ Coming")) in card[-1].text
    files = await olena.press(uk.gettext("📅 Add to calendar"))
    assert files[-1].document is not None
    assert files[-1].document.file_name.endswith(".ics")
    assert b"BEGIN:VCALENDAR" in files[-1].document.content

    nb = app.catalogs.translator("nb")
    await host.send("/events")
    await host.press("Språkkafé på biblioteket")
    replies = await host.press(nb.gettext("👥 Who's coming"))
    assert "✅ Olena" in replies[-1].text
    assert event.id


async def test_residents_cannot_see_who_is_coming_or_answer_for_other_networks(
    app, network, resident
):
    _view, _host, olena, _amal = network
    event = await _published(app, network)
    uk = app.catalogs.translator("uk")
    await olena.press_data(EventCb(action=EventAction.WHO, event_id=event.id).pack())
    assert olena.last_answer["text"] == uk.gettext("Only the hosts of this network can do that.")
    stranger = await resident("Per")
    nb = app.catalogs.translator("nb")
    await stranger.press_data(actions.pack(Rsvp(event.id, Answer.YES)))
    assert stranger.last_answer["text"] == nb.gettext(
        "I couldn't find that. It may have been removed."
    )
    await olena.press_data(f"ev:rsvp:{event.id}:perhaps")
    assert olena.last_answer["text"] == uk.gettext(
        "This button no longer works. Send /start for a fresh menu."
    )


async def test_no_events_yet(resident, app):
    kari = await resident("Kari")
    replies = await kari.send("/events")
    nb = app.catalogs.translator("nb")
    assert replies[-1].text == nb.gettext(
        "No upcoming events in your networks yet. /networks shows where you can join."
    )
