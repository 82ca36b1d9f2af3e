"""Events through the services: announced in each member's language and date format, answered,
changed, cancelled, reminded once, and imported from a calendar without duplicates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel import Locale
from sqlalchemy import func, select

from bot.services import calendar_subscriptions, events
from bot.services.calendar_files import CalendarEvent
from bot.services.errors import PermissionDenied
from db.models import Answer, Delivery, EventStatus, Notice, NoticeKind
from tests.support.events import THURSDAY_18, actor_of, event_draft
from tests.support.outbox import NOON, Clock, outbox_worker


async def test_members_get_the_event_in_their_language_with_their_dates(app, network):
    view, host, olena, amal = network
    async with app.sessionmaker() as session:
        _event, sent = await events.publish(
            session, await actor_of(app, host), app.catalogs, event_draft(view.id), now=NOON
        )
    assert sent.by_locale == {"nb": 1, "uk": 1, "ar": 1}
    await outbox_worker(app, Clock(NOON)).drain()

    uk = app.catalogs.translator("uk")
    text = olena.last.text
    assert "Мовне кафе в бібліотеці" in text  # the host's own Ukrainian version
    assert "четвер, 3 грудня" in text
    assert uk.gettext("No Norwegian needed") in text
    assert olena.last.button_texts[:3] == [
        uk.gettext("✅ Coming"),
        uk.gettext("🤔 Maybe"),
        uk.gettext("❌ Can't come"),
    ]

    ar = app.catalogs.translator("ar")
    assert "الخميس" in amal.last.text  # Thursday, in Arabic
    # On the 24-hour clock, as /settings shows quiet hours: not "6:00 م".
    assert "18:00" in amal.last.text and "م" not in amal.last.text.split("18:00")[1][:3]
    assert "6:00" not in amal.last.text
    assert "Språkkafé på biblioteket" in amal.last.text  # no Arabic version: the original...
    norwegian = Locale.parse("nb").get_display_name(Locale.parse("ar"))
    assert ar.gettext("Written in {language}.", language=norwegian) in amal.last.text


async def test_answers_changes_and_cancellation_reach_those_coming(app, network):
    view, host, olena, amal = network
    hilde = await actor_of(app, host)
    async with app.sessionmaker() as session:
        event, _ = await events.publish(
            session, hilde, app.catalogs, event_draft(view.id), now=NOON
        )
        await events.answer(session, await actor_of(app, olena), event.id, Answer.YES, now=NOON)
        counted = await events.get(session, hilde, event.id)
    assert counted.counts == {Answer.YES: 1}
    await outbox_worker(app, Clock(NOON)).drain()
    before = len(amal.messages)
    async with app.sessionmaker() as session:
        await events.update(
            session,
            hilde,
            app.catalogs,
            event.id,
            event_draft(view.id, place="Kulturhuset Bølgen"),
            now=NOON,
        )
    await outbox_worker(app, Clock(NOON)).drain()
    assert "Kulturhuset Bølgen" in olena.last.text
    assert len(amal.messages) == before  # Amal did not say she was coming
    async with app.sessionmaker() as session:
        cancelled = await events.cancel(session, hilde, app.catalogs, event.id, now=NOON)
    await outbox_worker(app, Clock(NOON)).drain()
    assert cancelled.status is EventStatus.CANCELLED
    assert (
        app.catalogs.translator("uk").gettext("❌ An event you were going to is cancelled")
        in olena.last.text
    )


async def test_only_hosts_publish(app, network):
    view, _host, olena, _amal = network
    async with app.sessionmaker() as session:
        with pytest.raises(PermissionDenied):
            await events.publish(
                session, await actor_of(app, olena), app.catalogs, event_draft(view.id), now=NOON
            )


async def test_reminders_are_sent_once_even_when_run_again(app, network):
    view, host, olena, amal = network
    async with app.sessionmaker() as session:
        event, _ = await events.publish(
            session, await actor_of(app, host), app.catalogs, event_draft(view.id), now=NOON
        )
        await events.answer(session, await actor_of(app, olena), event.id, Answer.YES, now=NOON)
    a_day_before = THURSDAY_18 - timedelta(hours=20)
    async with app.sessionmaker() as session:
        assert await events.send_due_reminders(session, app.catalogs, 24, now=a_day_before) == 1
        assert await events.send_due_reminders(session, app.catalogs, 24, now=a_day_before) == 0
        await events.answer(session, await actor_of(app, amal), event.id, Answer.YES, now=NOON)
        assert await events.send_due_reminders(session, app.catalogs, 24, now=a_day_before) == 1
    async with app.sessionmaker() as session:
        reminders = await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .join(Notice, Notice.id == Delivery.notice_id)
            .where(Notice.kind == NoticeKind.REMINDER)
        )
    assert reminders == 2
    await outbox_worker(app, Clock(a_day_before + timedelta(hours=1))).drain()
    assert (
        app.catalogs.translator("ar").gettext("⏰ Reminder: you're going to this") in amal.last.text
    )


async def test_calendar_import_updates_by_uid_and_never_duplicates(app, network):
    view, host, _olena, _amal = network
    hilde = await actor_of(app, host)
    entries = [
        CalendarEvent(
            uid="abc@larvik.kommune.no",
            title="Dugnad",
            starts_at=THURSDAY_18,
            ends_at=None,
            place="Torget",
        ),
        CalendarEvent(
            uid="def@larvik.kommune.no",
            title="Julemarked",
            starts_at=THURSDAY_18 + timedelta(days=7),
            ends_at=None,
        ),
    ]
    async with app.sessionmaker() as session:
        first = await events.import_calendar(
            session, hilde, app.catalogs, view.id, entries, now=NOON
        )
        again = await events.import_calendar(
            session, hilde, app.catalogs, view.id, entries, now=NOON
        )
        moved = [
            entries[0],
            CalendarEvent(
                uid="def@larvik.kommune.no",
                title="Julemarked",
                starts_at=THURSDAY_18 + timedelta(days=8),
                ends_at=None,
            ),
        ]
        third = await events.import_calendar(session, hilde, app.catalogs, view.id, moved, now=NOON)
        gone = [
            CalendarEvent(
                uid="abc@larvik.kommune.no",
                title="Dugnad",
                starts_at=THURSDAY_18,
                ends_at=None,
                cancelled=True,
            )
        ]
        fourth = await events.import_calendar(session, hilde, app.catalogs, view.id, gone, now=NOON)
        upcoming, total = await events.upcoming(session, await actor_of(app, host), now=NOON)
    assert (len(first.created), len(first.updated), first.unchanged) == (2, 0, 0)
    assert (len(again.created), len(again.updated), again.unchanged) == (0, 0, 2)
    assert third.updated == ["def@larvik.kommune.no"]
    assert fourth.cancelled == ["abc@larvik.kommune.no"]
    assert total == 1
    assert upcoming[0].title == "Julemarked"


async def test_an_event_as_a_calendar_file(app, network):
    view, host, olena, _amal = network
    async with app.sessionmaker() as session:
        event, _ = await events.publish(
            session, await actor_of(app, host), app.catalogs, event_draft(view.id), now=NOON
        )
        found = await calendar_subscriptions.download(
            session, await actor_of(app, olena), event.id, app.catalogs, "nb"
        )
    assert found.file_name == "sprakkafe-pa-biblioteket-2026-12-03.ics"
    assert found.content_type == "text/calendar; charset=utf-8"
    assert b"BEGIN:VEVENT" in found.data
    assert "Språkkafé".encode() in found.data
    assert NoticeKind.EVENT.value == "event"
