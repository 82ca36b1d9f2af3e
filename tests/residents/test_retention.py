"""Storage limitation: the daily clean-up deletes history older than the retention period and
short-lived state that ran out, and keeps everything still in use, however old."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.scheduler import build_scheduler
from bot.services import retention
from db.models import (
    Answer,
    Base,
    Channel,
    Delivery,
    DeliveryStatus,
    Digest,
    Event,
    EventStatus,
    HelpCategory,
    HelpRequest,
    HelpResponse,
    JoinPolicy,
    Network,
    NetworkKind,
    Notice,
    NoticeKind,
    PhoneCode,
    Rendering,
    Report,
    RequestStatus,
    Resident,
    Rsvp,
    SmsConversation,
)

# Near the real time, which the scheduler's job reads (the module is read when the run starts,
# so what must stay valid for the job is a day away, not minutes).
NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=400)  # beyond a year's retention
RECENT = NOW - timedelta(days=20)


async def _world(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Old and recent history of one network, with ids of what must stay or go."""
    async with app.sessionmaker() as s:
        network = Network(
            slug="torstrand", name="Torstrand", kind=NetworkKind.AREA, join_policy=JoinPolicy.OPEN
        )
        kari = Resident(telegram_id=11, first_name="Kari", locale="nb", created_at=OLD)
        ola = Resident(telegram_id=12, first_name="Ola", locale="nb", created_at=OLD)
        s.add_all([network, kari, ola])
        await s.flush()

        def event(when: datetime, title: str) -> Event:
            return Event(
                network_id=network.id, uid=title, title=title, locale="nb", starts_at=when,
                ends_at=when + timedelta(hours=2), status=EventStatus.PUBLISHED,
                created_at=when - timedelta(days=7), updated_at=when - timedelta(days=7),
            )  # fmt: skip

        old_event, new_event = event(OLD, "Dugnad 2025"), event(RECENT, "Dugnad 2026")
        s.add_all([old_event, new_event])
        await s.flush()
        s.add_all(
            Rsvp(event_id=e.id, resident_id=kari.id, answer=Answer.YES)
            for e in (old_event, new_event)
        )

        def notice(when: datetime, status: DeliveryStatus) -> Notice:
            n = Notice(
                kind=NoticeKind.BROADCAST, network_id=network.id, body="Hei", created_at=when
            )
            s.add(n)
            return n

        old_sent, old_held, new_sent = (
            notice(OLD, DeliveryStatus.SENT),
            notice(OLD, DeliveryStatus.HELD),
            notice(RECENT, DeliveryStatus.SENT),
        )
        await s.flush()
        for n, status in ((old_sent, DeliveryStatus.SENT), (old_held, DeliveryStatus.HELD),
                          (new_sent, DeliveryStatus.SENT)):  # fmt: skip
            s.add(Rendering(notice_id=n.id, locale="nb", channel=Channel.TELEGRAM, text="Hei"))
            s.add(Delivery(notice_id=n.id, resident_id=kari.id, channel=Channel.TELEGRAM,
                           locale="nb", status=status))  # fmt: skip

        def request(status: RequestStatus, closed: datetime | None) -> HelpRequest:
            r = HelpRequest(
                requester_id=kari.id, network_id=network.id, category=HelpCategory.ERRANDS,
                description="Handle til meg", status=status, created_at=OLD,
                expires_at=OLD + timedelta(days=14), closed_at=closed,
            )  # fmt: skip
            s.add(r)
            return r

        old_done = request(RequestStatus.DONE, OLD + timedelta(days=3))
        old_open = request(RequestStatus.OPEN, None)  # still open: it stays
        new_done = request(RequestStatus.DONE, RECENT)
        await s.flush()
        s.add(HelpResponse(request_id=old_done.id, helper_id=ola.id, created_at=OLD))
        s.add_all(
            [
                Report(reporter_id=ola.id, network_id=network.id, request_id=old_open.id,
                       created_at=OLD, handled_at=OLD + timedelta(days=1)),
                Report(reporter_id=ola.id, network_id=network.id, request_id=old_open.id,
                       about_resident=True, created_at=OLD),  # not handled yet: it stays
                Digest(resident_id=kari.id, week="2025-W44", created_at=OLD),
                Digest(resident_id=kari.id, week="2026-W47", created_at=RECENT),
                SmsConversation(resident_id=ola.id, step="menu",
                                updated_at=NOW - timedelta(days=31)),
                SmsConversation(resident_id=kari.id, step="menu",
                                updated_at=NOW - timedelta(days=1)),
                PhoneCode(resident_id=kari.id, phone="+4791234567", code_hash="x",
                          expires_at=NOW - timedelta(minutes=1)),
                PhoneCode(resident_id=ola.id, phone="+4791234568", code_hash="y",
                          expires_at=NOW + timedelta(days=1)),
            ]
        )  # fmt: skip
        await s.commit()
        return {
            "old_event": old_event.id, "new_event": new_event.id, "old_sent": old_sent.id,
            "old_held": old_held.id, "new_sent": new_sent.id, "old_done": old_done.id,
            "old_open": old_open.id, "new_done": new_done.id, "kari": kari.id, "ola": ola.id,
        }  # fmt: skip


async def _ids(app, model, column) -> set[object]:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as s:
        return set((await s.scalars(select(column))).all())


async def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_old_history_goes_and_what_is_in_use_stays(app):
    ids = await _world(app)
    async with app.sessionmaker() as session:
        pruned = await retention.prune(session, timedelta(days=365), now=NOW)
    assert pruned == retention.Pruned(
        notices=1, events=1, help_requests=1, reports=1, digests=1, conversations=1, phone_codes=1
    )
    assert await _ids(app, Event, Event.id) == {ids["new_event"]}
    assert await _count(app, Rsvp) == 1  # who came to the old event is gone with it
    # An old notice still held for someone's digest stays; a sent one goes with its rows.
    assert await _ids(app, Notice, Notice.id) == {ids["old_held"], ids["new_sent"]}
    assert await _count(app, Delivery) == 2 and await _count(app, Rendering) == 2
    assert await _ids(app, HelpRequest, HelpRequest.id) == {ids["old_open"], ids["new_done"]}
    assert await _count(app, HelpResponse) == 0
    assert await _ids(app, Report, Report.handled_at) == {None}
    assert await _ids(app, Digest, Digest.week) == {"2026-W47"}
    assert await _ids(app, SmsConversation, SmsConversation.resident_id) == {ids["kari"]}
    assert await _ids(app, PhoneCode, PhoneCode.resident_id) == {ids["ola"]}
    # Residents and their networks are never history: they stay until /forget.
    assert await _ids(app, Resident, Resident.id) == {ids["kari"], ids["ola"]}
    # Run again: nothing more to do.
    async with app.sessionmaker() as session:
        assert (await retention.prune(session, timedelta(days=365), now=NOW)).total() == 0


async def test_a_longer_retention_keeps_more(app):
    await _world(app)
    async with app.sessionmaker() as session:
        pruned = await retention.prune(session, timedelta(days=500), now=NOW)
    assert (pruned.notices, pruned.events, pruned.help_requests) == (0, 0, 0)
    assert await _count(app, Event) == 2


async def test_the_scheduler_runs_the_clean_up_daily_as_leader(app, caplog):
    await _world(app)
    scheduler, leadership = build_scheduler(
        app.sessionmaker, app.catalogs, reminder_hours=24, retention_days=365
    )
    job = scheduler.get_job("retention")
    assert str(job.trigger).startswith("cron[hour='3', minute='30'")
    assert await leadership.renew()
    with caplog.at_level("INFO", logger="naboskap.scheduler"):
        await job.func()
    # Real time is a moment after NOW, so the same rows (and no more) are old.
    assert await _count(app, Event) == 1
    [line] = [r.getMessage() for r in caplog.records if "retention" in r.getMessage()]
    assert "7 old rows deleted" in line
    assert "Kari" not in line and "Handle" not in line
    await leadership.step_down()


def test_every_table_is_either_pruned_or_kept_on_purpose():
    """A new table must be placed: pruned with history, or kept (and said why in
    bot/services/retention.py and docs/privacy.md)."""
    pruned = {"notices", "deliveries", "renderings", "events", "event_texts", "rsvps",
              "event_series", "series_rsvps",  # with the series' last past date
              "help_requests", "help_responses", "reports", "digests", "sms_conversations",
              "phone_codes", "rate_events",
              "ideas", "idea_supports",  # finished ideas (docs/ideas.md), with their supporters
              "polls", "poll_options", "poll_texts", "poll_option_texts",  # closed polls
              "poll_ballots", "poll_choices",  # (docs/polls.md), with their answers
              # volunteer calls whose last shift ended, with shifts and signups
              "volunteer_calls", "volunteer_shifts", "volunteer_signups",
              "update_claims",  # a handled update's number, for the day Telegram may resend it
              "machine_translations"}  # expire after MACHINE_TRANSLATION_CACHE_DAYS  # fmt: skip
    kept = {
        "residents", "networks", "memberships", "preferences", "help_offers", "helper_settings",
        "blocks", "suspensions",  # the resident's own choices and protections: until /forget
        "digest_runs", "leases", "rate_slots",  # machinery without personal data
        "network_texts",  # a network's own texts, like `networks`
        "calendar_feeds",  # the calendars a network follows: its configuration
        "translation_usage",  # counts only: no text, no resident
        "membership_days",  # how many joined and left a network each day: counts only
    }  # fmt: skip
    assert {t.name for t in Base.metadata.sorted_tables} == pruned | kept
