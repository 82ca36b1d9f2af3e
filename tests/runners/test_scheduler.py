"""The scheduler: fixed jobs, and only one process at a time runs them (a database lease)."""

from __future__ import annotations

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
        "weekly-digest",
        "digest-catch-up",
    }
    again, _ = build_scheduler(app.sessionmaker, app.catalogs, reminder_hours=24)
    assert len(again.get_jobs()) == 5


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
