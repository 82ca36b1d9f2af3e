"""Volunteer calls through the services: a host posts the park clean-up, neighbours sign up
until the shift is full (also all at once), withdraw, are reminded once, and after the day the
host confirms who came, which thanks them and counts their hours."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.services import volunteering
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from db.models import Delivery, Notice, NoticeKind, VolunteerSignup
from tests.support.events import actor_of
from tests.support.outbox import NOON, Clock, outbox_worker
from tests.support.volunteering import SATURDAY_10, call_draft, post_call


async def _notices(app, kind: NoticeKind) -> int:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(Delivery)
                .join(Notice, Notice.id == Delivery.notice_id)
                .where(Notice.kind == kind)
            )
            or 0
        )


async def test_members_hear_of_the_call_with_a_button_per_shift(app, dugnad):
    view, host, olena, amal, kari = dugnad
    posted = await post_call(app, host, call_draft(view.id, shifts=2), NOON)
    assert len(posted.shifts) == 2
    await outbox_worker(app, Clock(NOON)).drain()
    uk = app.catalogs.translator("uk")
    assert uk.gettext("🧹 Volunteers wanted in {network}", network="Torstrand") in olena.last.text
    assert "Rydd Torstrandparken" in olena.last.text and "Torstrandparken" in olena.last.text
    assert len(olena.last.buttons) == 2
    assert "субота" in olena.last.buttons[0]["text"]  # Saturday, in her language
    assert "السبت" in amal.last.text  # Saturday, in Arabic
    assert kari.last.buttons[0]["callback_data"].startswith("vs:up:")


async def test_bad_drafts_are_refused(app, dugnad):
    view, host, *_ = dugnad
    hilde = await actor_of(app, host)
    bad = [
        call_draft(view.id, title=""),
        call_draft(view.id, title="x" * 121),
        call_draft(view.id, slots=0),
        call_draft(view.id, NOON - timedelta(hours=1)),  # in the past
    ]
    draft = call_draft(view.id)
    shift = draft.shifts[0]
    backwards = volunteering.ShiftDraft(shift.starts_at, shift.starts_at - timedelta(hours=1), 3)
    bad.append(volunteering.CallDraft(view.id, "Dugnad", "", (backwards,)))
    bad.append(volunteering.CallDraft(view.id, "Dugnad", "", ()))
    for draft in bad:
        async with app.sessionmaker() as session:
            with pytest.raises(InvalidInput):
                await volunteering.publish(session, hilde, app.catalogs, draft, now=NOON)


async def test_a_shift_fills_and_refuses_politely_and_the_host_is_told(app, dugnad):
    view, host, olena, amal, kari = dugnad
    posted = await post_call(app, host, call_draft(view.id, slots=2), NOON)
    shift_id = posted.shifts[0].id
    async with app.sessionmaker() as session:
        first = await volunteering.sign_up(
            session, await actor_of(app, olena), app.catalogs, shift_id, show_name=True, now=NOON
        )
        again = await volunteering.sign_up(
            session, await actor_of(app, olena), app.catalogs, shift_id, now=NOON
        )
        await volunteering.sign_up(
            session, await actor_of(app, kari), app.catalogs, shift_id, show_name=False, now=NOON
        )
        with pytest.raises(InvalidInput) as refused:
            await volunteering.sign_up(
                session, await actor_of(app, amal), app.catalogs, shift_id, show_name=True, now=NOON
            )
    assert first.outcome is volunteering.Outcome.SIGNED_UP and first.shift.free == 1
    assert again.outcome is volunteering.Outcome.ALREADY
    assert refused.value.field == "shift" and refused.value.reason == "full"
    await outbox_worker(app, Clock(NOON)).drain()
    nb = app.catalogs.translator("nb")
    assert "full" in host.last.text or nb.gettext("full") in host.last.text
    async with app.sessionmaker() as session:
        coming = await volunteering.who_is_coming(session, await actor_of(app, amal), posted.id)
    # Olena let others see her name; Kari did not.
    assert coming[0].names == ("Olena",) and coming[0].others == 1
    assert volunteering.coming_text(nb, coming[0]) == nb.ngettext(
        "{names} and {n} other", "{names} and {n} others", 1, names="Olena"
    )


async def test_the_first_signup_asks_about_the_name_and_later_ones_remember(app, dugnad):
    view, host, olena, *_ = dugnad
    posted = await post_call(app, host, call_draft(view.id, shifts=2), NOON)
    olena_actor = await actor_of(app, olena)
    async with app.sessionmaker() as session:
        asked = await volunteering.sign_up(
            session, olena_actor, app.catalogs, posted.shifts[0].id, now=NOON
        )
        assert asked.outcome is volunteering.Outcome.ASK_NAME
        await volunteering.sign_up(
            session, olena_actor, app.catalogs, posted.shifts[0].id, show_name=True, now=NOON
        )
        later = await volunteering.sign_up(
            session, olena_actor, app.catalogs, posted.shifts[1].id, now=NOON
        )
    assert later.outcome is volunteering.Outcome.SIGNED_UP
    async with app.sessionmaker() as session:
        shown = await session.scalars(select(VolunteerSignup.show_name))
        assert list(shown) == [True, True]


async def test_the_last_slot_goes_to_one_neighbour_however_many_press_at_once(app, dugnad):
    view, host, olena, amal, kari = dugnad
    posted = await post_call(app, host, call_draft(view.id, slots=1), NOON)
    shift_id = posted.shifts[0].id
    actors = [await actor_of(app, user) for user in (olena, amal, kari)]

    async def press(actor: Actor) -> str:
        async with app.sessionmaker() as session:
            try:
                await volunteering.sign_up(
                    session, actor, app.catalogs, shift_id, show_name=False, now=NOON
                )
            except InvalidInput as error:
                return error.reason
            return "in"

    results = await asyncio.gather(*(press(a) for a in actors))
    assert sorted(results) == ["full", "full", "in"]
    async with app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(VolunteerSignup)) == 1


async def test_withdrawing_tells_the_host_and_frees_the_slot(app, dugnad):
    view, host, olena, _amal, kari = dugnad
    posted = await post_call(app, host, call_draft(view.id, slots=1), NOON)
    shift_id = posted.shifts[0].id
    async with app.sessionmaker() as session:
        await volunteering.sign_up(
            session, await actor_of(app, olena), app.catalogs, shift_id, show_name=True, now=NOON
        )
        after = await volunteering.withdraw(
            session, await actor_of(app, olena), app.catalogs, shift_id, now=NOON
        )
        # Twice is nothing more.
        await volunteering.withdraw(
            session, await actor_of(app, olena), app.catalogs, shift_id, now=NOON
        )
        assert after.shift(shift_id).free == 1
        await volunteering.sign_up(
            session, await actor_of(app, kari), app.catalogs, shift_id, show_name=False, now=NOON
        )
    assert await _notices(app, NoticeKind.SHIFT_CHANGED) == 3  # full, withdrawn, full
    await outbox_worker(app, Clock(NOON)).drain()
    # After the shift started, nobody withdraws any more.
    async with app.sessionmaker() as session:
        with pytest.raises(InvalidInput):
            await volunteering.withdraw(
                session,
                await actor_of(app, kari),
                app.catalogs,
                shift_id,
                now=SATURDAY_10 + timedelta(minutes=1),
            )


async def test_a_reminder_goes_once_per_signup(app, dugnad):
    view, host, olena, _amal, kari = dugnad
    posted = await post_call(app, host, call_draft(view.id), NOON)
    shift_id = posted.shifts[0].id
    async with app.sessionmaker() as session:
        await volunteering.sign_up(
            session, await actor_of(app, olena), app.catalogs, shift_id, show_name=True, now=NOON
        )
    before = SATURDAY_10 - timedelta(hours=20)
    async with app.sessionmaker() as session:
        assert await volunteering.send_due_reminders(session, app.catalogs, 24, now=before) == 1
        assert await volunteering.send_due_reminders(session, app.catalogs, 24, now=before) == 0
        await volunteering.sign_up(
            session, await actor_of(app, kari), app.catalogs, shift_id, show_name=True, now=before
        )
        assert await volunteering.send_due_reminders(session, app.catalogs, 24, now=before) == 1
        assert await volunteering.send_due_reminders(session, app.catalogs, 24, now=before) == 0
    assert await _notices(app, NoticeKind.SHIFT_REMINDER) == 2
    await outbox_worker(app, Clock(before)).drain()
    uk = app.catalogs.translator("uk")
    assert uk.gettext("⏰ Reminder: you signed up to lend a hand") in olena.last.text


async def test_attendance_thanks_those_who_came_and_counts_their_hours(app, dugnad):
    view, host, olena, amal, kari = dugnad
    posted = await post_call(app, host, call_draft(view.id), NOON)
    shift_id = posted.shifts[0].id
    for user in (olena, amal, kari):
        async with app.sessionmaker() as session:
            await volunteering.sign_up(
                session, await actor_of(app, user), app.catalogs, shift_id, show_name=True, now=NOON
            )
    hilde = await actor_of(app, host)
    during = SATURDAY_10 + timedelta(hours=1)
    async with app.sessionmaker() as session:
        with pytest.raises(InvalidInput) as early:
            await volunteering.checklist(session, hilde, shift_id, now=during)
    assert early.value.reason == "not_over"
    after = SATURDAY_10 + timedelta(hours=4)
    async with app.sessionmaker() as session:
        listed = await volunteering.checklist(session, hilde, shift_id, now=after)
        assert [a.name for a in listed.attendees] == ["Olena", "Amal", "Kari"]
        assert not any(a.came for a in listed.attendees)
        ids = {a.name: a.signup_id for a in listed.attendees}
        await volunteering.toggle(session, hilde, shift_id, ids["Olena"], now=after)
        await volunteering.toggle(session, hilde, shift_id, ids["Kari"], now=after)
        await volunteering.toggle(session, hilde, shift_id, ids["Kari"], now=after)
        await volunteering.toggle(session, hilde, shift_id, ids["Amal"], now=after)
        done = await volunteering.confirm(session, hilde, app.catalogs, shift_id, now=after)
        assert {a.name for a in done.attendees if a.came} == {"Olena", "Amal"}
        with pytest.raises(InvalidInput):
            await volunteering.confirm(session, hilde, app.catalogs, shift_id, now=after)
    await outbox_worker(app, Clock(after)).drain()
    assert "💛" in olena.last.text and "💛" in amal.last.text
    assert "💛" not in kari.last.text
    async with app.sessionmaker() as session:
        rows = await volunteering.month_report(
            session, Actor.operator(), 2026, 12, app.catalogs.zone
        )
        with pytest.raises(PermissionDenied):
            await volunteering.month_report(session, hilde, 2026, 12, app.catalogs.zone)
    assert [(r.network, r.calls, r.shifts, r.signups, r.came, r.hours) for r in rows] == [
        ("Torstrand", 1, 1, 3, 2, 6.0)
    ]


async def test_strangers_and_other_hosts_are_refused(app, dugnad, settled):
    from bot.services import networks

    view, host, olena, *_ = dugnad
    posted = await post_call(app, host, call_draft(view.id), NOON)
    shift_id = posted.shifts[0].id
    async with app.sessionmaker() as session:
        await networks.create_network(session, Actor.operator(), name="Indre", slug="indre")
    other_host = await settled("Per")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "indre", other_host.id)
    stranger = await settled("Siri")
    per, siri = await actor_of(app, other_host), await actor_of(app, stranger)
    after = SATURDAY_10 + timedelta(hours=4)
    async with app.sessionmaker() as session:
        with pytest.raises(NotFound):  # not in Torstrand
            await volunteering.sign_up(
                session, siri, app.catalogs, shift_id, show_name=True, now=NOON
            )
        with pytest.raises(NotFound):
            await volunteering.sign_up(session, siri, app.catalogs, 99999, now=NOON)
        for refused in (
            volunteering.cancel(session, per, app.catalogs, posted.id, now=NOON),
            volunteering.message_signed_up(session, per, app.catalogs, posted.id, "Hei", now=NOON),
            volunteering.checklist(session, per, shift_id, now=after),
            volunteering.confirm(session, per, app.catalogs, shift_id, now=after),
        ):
            with pytest.raises((NotFound, PermissionDenied)):
                await refused
        # Posting in a network one does not host.
        with pytest.raises((NotFound, PermissionDenied)):
            await volunteering.publish(
                session, await actor_of(app, olena), app.catalogs, call_draft(view.id), now=NOON
            )


async def test_cancelling_tells_those_signed_up(app, dugnad):
    view, host, olena, _amal, kari = dugnad
    posted = await post_call(app, host, call_draft(view.id), NOON)
    async with app.sessionmaker() as session:
        await volunteering.sign_up(
            session,
            await actor_of(app, olena),
            app.catalogs,
            posted.shifts[0].id,
            show_name=True,
            now=NOON,
        )
        cancelled = await volunteering.cancel(
            session, await actor_of(app, host), app.catalogs, posted.id, now=NOON
        )
        assert not cancelled.open
        with pytest.raises(InvalidInput):
            await volunteering.sign_up(
                session, await actor_of(app, kari), app.catalogs, posted.shifts[0].id, now=NOON
            )
    await outbox_worker(app, Clock(NOON)).drain()
    uk = app.catalogs.translator("uk")
    assert uk.gettext("❌ A volunteer call you signed up for is cancelled") in olena.last.text


async def test_past_the_daily_cap_a_call_waits_for_the_digest(app, dugnad):
    view, host, *_ = dugnad
    held = []
    for n in range(4):
        async with app.sessionmaker() as session:
            _, sent = await volunteering.publish(
                session,
                await actor_of(app, host),
                app.catalogs,
                call_draft(view.id, title=f"Dugnad {n}"),
                now=NOON,
            )
        held.append(sent.held_all)
    assert held == [False, False, False, True]  # NEW_EVENT_NOTICES_PER_DAY (3) a day


class _Translator:
    """A machine translator that marks what it translated (no network)."""

    enabled = True

    async def translate(self, texts, source, targets):  # type: ignore[no-untyped-def]
        return {target: [f"[{target}] {text}" for text in texts] for target in targets}


async def test_the_hosts_message_reaches_those_signed_up_machine_translated(app, dugnad):
    view, host, olena, amal, kari = dugnad
    posted = await post_call(app, host, call_draft(view.id), NOON)
    for user in (olena, amal):
        async with app.sessionmaker() as session:
            await volunteering.sign_up(
                session,
                await actor_of(app, user),
                app.catalogs,
                posted.shifts[0].id,
                show_name=True,
                now=NOON,
            )
    async with app.sessionmaker() as session:
        with pytest.raises(InvalidInput):
            await volunteering.message_signed_up(
                session, await actor_of(app, host), app.catalogs, posted.id, " ", now=NOON
            )
        with pytest.raises(InvalidInput):
            await volunteering.message_signed_up(
                session, await actor_of(app, host), app.catalogs, posted.id, "x" * 1001, now=NOON
            )
        sent = await volunteering.message_signed_up(
            session,
            await actor_of(app, host),
            app.catalogs,
            posted.id,
            "Husk hansker!",
            now=NOON,
            machine=_Translator(),  # type: ignore[arg-type]
        )
    assert sent is not None and sent.by_locale == {"uk": 1, "ar": 1}
    await outbox_worker(app, Clock(NOON)).drain()
    uk = app.catalogs.translator("uk")
    assert "[uk] Husk hansker!" in olena.last.text
    assert uk.gettext("🔤 Show original") in olena.last.button_texts
    assert "[ar] Husk hansker!" in amal.last.text
    assert "Husk hansker!" not in (kari.last.text or "")
