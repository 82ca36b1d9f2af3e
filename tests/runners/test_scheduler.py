"""The scheduler: fixed jobs, and only one process at a time runs them (a database lease)."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import update

from bot.scheduler import LEASE, Leadership, build_scheduler
from db.models import Lease, utcnow


async def test_jobs_have_fixed_ids(app):
    scheduler, _ = build_scheduler(app.sessionmaker, app.catalogs, reminder_hours=24)
    assert {job.id for job in scheduler.get_jobs()} == {
        "lease",
        "event-reminders",
        "help-expiry",
        "poll-closing",
        "shift-reminders",
        "calendar-feeds",
        "new-events-summary",
        "new-events-summary-catch-up",
        "weekly-digest",
        "digest-catch-up",
        "retention",
        "monthly-report",
        "monthly-report-catch-up",
    }
    again, _ = build_scheduler(app.sessionmaker, app.catalogs, reminder_hours=24)
    assert len(again.get_jobs()) == len(scheduler.get_jobs())


async def test_only_one_process_leads_and_another_takes_over(app):
    first, second = Leadership(app.sessionmaker), Leadership(app.sessionmaker)
    assert await first.renew() is True
    assert await second.renew() is False
    assert await first.renew() is True  # renewing our own lease
    await first.step_down()
    assert await second.renew() is True
    assert await first.renew() is False
    # The leader dies without stepping down: when its lease runs out, the other takes over.
    async with app.sessionmaker() as session:
        await session.execute(
            update(Lease)
            .where(Lease.name == LEASE)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    assert await first.renew() is True
    assert await second.renew() is False


async def test_a_stand_by_process_runs_no_jobs(app, monkeypatch):
    from bot.services import events

    runs = []

    async def counted(*args, **kwargs):
        runs.append(1)
        return 0

    monkeypatch.setattr(events, "send_due_reminders", counted)
    leader, standby = Leadership(app.sessionmaker), Leadership(app.sessionmaker)
    await leader.renew()
    await standby.renew()
    for leadership in (standby, leader):
        scheduler, _ = build_scheduler(
            app.sessionmaker, app.catalogs, reminder_hours=24, leadership=leadership
        )
        await scheduler.get_job("event-reminders").func()
    assert runs == [1]


async def test_a_failing_job_is_logged_without_personal_data(app, monkeypatch, caplog):
    from bot.services import events

    async def failing(*args, **kwargs):
        raise RuntimeError("reminder for Kari Nordmann at +4791234567 failed")

    monkeypatch.setattr(events, "send_due_reminders", failing)
    leadership = Leadership(app.sessionmaker)
    await leadership.renew()
    scheduler, _ = build_scheduler(
        app.sessionmaker, app.catalogs, reminder_hours=24, leadership=leadership
    )
    caplog.set_level(logging.DEBUG)
    await scheduler.get_job("event-reminders").func()
    assert "scheduled job failed: RuntimeError at " in caplog.text
    assert "Kari" not in caplog.text and "+4791234567" not in caplog.text


async def test_the_summary_of_new_events_goes_out_at_the_configured_time(app):
    """NEW_EVENTS_SUMMARY_TIME moves the summary's daily job (read, like DIGEST_TIME, as HH:MM
    on the local clock)."""
    from datetime import time

    from bot.config import load_settings

    assert load_settings(new_events_summary_time="7.05").new_events_summary_at == time(7, 5)
    scheduler, _ = build_scheduler(
        app.sessionmaker, app.catalogs, reminder_hours=24, summary_at=time(19, 30)
    )
    trigger = str(scheduler.get_job("new-events-summary").trigger)
    assert "hour='19'" in trigger and "minute='30'" in trigger
