"""Volunteering and personal data: /mydata shows a resident's signups and hours, /forget keeps
a confirmed signup's hours without the resident and frees the slots of the rest, and old calls
go with the rest of the history."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.services import residents, retention, volunteering
from bot.services.actors import Actor
from db.models import Notice, NoticeKind, VolunteerCall, VolunteerSignup
from tests.support.events import actor_of
from tests.support.outbox import NOON
from tests.support.volunteering import SATURDAY_10, call_draft, post_call


async def _signed_up(app, dugnad):  # type: ignore[no-untyped-def]
    """Olena in a past shift (the host confirmed she came) and in a coming one."""
    view, host, olena, _amal, _kari = dugnad
    posted = await post_call(app, host, call_draft(view.id, shifts=2, slots=1), NOON)
    past, coming = posted.shifts
    for shift in (past, coming):
        async with app.sessionmaker() as session:
            await volunteering.sign_up(
                session,
                await actor_of(app, olena),
                app.catalogs,
                shift.id,
                show_name=True,
                now=NOON,
            )
    after = SATURDAY_10 + timedelta(hours=4)
    async with app.sessionmaker() as session:
        hilde = await actor_of(app, host)
        listed = await volunteering.checklist(session, hilde, past.id, now=after)
        await volunteering.toggle(session, hilde, past.id, listed.attendees[0].signup_id, now=after)
        await volunteering.confirm(session, hilde, app.catalogs, past.id, now=after)
    return posted, after


async def test_mydata_shows_signups_and_hours(app, dugnad):
    _view, _host, olena, *_ = dugnad
    await _signed_up(app, dugnad)
    async with app.sessionmaker() as session:
        record = await residents.export(session, await actor_of(app, olena))
    kept = record.as_json()["volunteering"]
    assert len(kept["signups"]) == 2 and kept["hours"] == 3.0
    assert kept["signups"][0]["came"] is True and kept["signups"][1]["came"] is None
    uk = app.catalogs.translator("uk")
    lines = residents.kept_counts(uk, record)
    assert uk.ngettext("{n} volunteer signup", "{n} volunteer signups", 2) in lines
    assert uk.ngettext("{n} hour volunteered", "{n} hours volunteered", 3) in lines


async def test_forget_keeps_confirmed_hours_without_the_resident(app, dugnad):
    _view, _host, olena, _amal, kari = dugnad
    posted, _after = await _signed_up(app, dugnad)
    # She withdraws from the coming shift once (the hosts hear it, by her name) and signs up
    # again; then she leaves altogether.
    async with app.sessionmaker() as session:
        await volunteering.withdraw(
            session, await actor_of(app, olena), app.catalogs, posted.shifts[1].id, now=NOON
        )
        await volunteering.sign_up(
            session, await actor_of(app, olena), app.catalogs, posted.shifts[1].id, now=NOON
        )
    olena_actor = await actor_of(app, olena)
    async with app.sessionmaker() as session:
        await residents.forget(session, olena_actor, app.catalogs)
    async with app.sessionmaker() as session:
        rows = (await session.scalars(select(VolunteerSignup))).all()
        assert [(r.shift_id, r.resident_id, r.attended) for r in rows] == [
            (posted.shifts[0].id, None, True)
        ]
        # The withdrawal notice to the host named her: it is neutralised like help notices.
        named = await session.scalar(
            select(func.count())
            .select_from(Notice)
            .where(Notice.kind == NoticeKind.SHIFT_CHANGED, Notice.author_id.is_not(None))
        )
        assert named == 0
        report = await volunteering.month_report(
            session, Actor.operator(), 2026, 12, app.catalogs.zone
        )
    assert report[0].came == 1 and report[0].hours == 3.0
    # Her slot in the coming shift is free for Kari.
    async with app.sessionmaker() as session:
        result = await volunteering.sign_up(
            session,
            await actor_of(app, kari),
            app.catalogs,
            posted.shifts[1].id,
            show_name=False,
            now=NOON,
        )
    assert result.outcome is volunteering.Outcome.SIGNED_UP


async def test_old_calls_go_with_the_history(app, dugnad):
    _view, _host, *_ = dugnad
    await _signed_up(app, dugnad)
    async with app.sessionmaker() as session:
        kept = await retention.prune(session, timedelta(days=365), now=NOON + timedelta(days=30))
        assert kept.volunteer_calls == 0
        pruned = await retention.prune(session, timedelta(days=365), now=NOON + timedelta(days=400))
        assert pruned.volunteer_calls == 1
        assert await session.scalar(select(func.count()).select_from(VolunteerCall)) == 0
        assert await session.scalar(select(func.count()).select_from(VolunteerSignup)) == 0
