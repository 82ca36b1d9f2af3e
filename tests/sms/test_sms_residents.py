"""Residents without Telegram, by SMS: onboarding, keywords, numbered answers, notices, help,
STOP and START, all through the bot's inbound route and the outbox's SMS channel."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.services import broadcasts, events, networks, residents
from bot.services import help as helping
from bot.services.actors import Actor
from bot.services.events import EventDraft
from bot.sms_segments import count
from db.models import (
    Answer,
    Channel,
    Delivery,
    DeliveryStatus,
    HelpCategory,
    HelpRequest,
    Membership,
    Notice,
    NoticeKind,
    Resident,
    Rsvp,
)
from tests.support.residents import onboard
from tests.support.sms_phone import SECRET, Phone, SmsNetwork
from tests.support.summaries import summarize

NUMBER = "+4791234567"


async def _network(sms: SmsNetwork, name: str = "Torstrand", slug: str = "torstrand") -> int:
    async with sms.app.sessionmaker() as session:
        view = await networks.create_network(session, Actor.operator(), name=name, slug=slug)
    return view.id


async def _onboarded(sms: SmsNetwork, number: str = NUMBER, choice: str = "1") -> Phone:
    phone = sms.phone(number)
    await phone.send("Hei")
    await phone.send(choice)
    await phone.send("1")
    return phone


async def _resident(sms: SmsNetwork, number: str = NUMBER) -> Resident:
    async with sms.app.sessionmaker() as session:
        found = await session.scalar(select(Resident).where(Resident.phone == number))
        assert found is not None
        return found


async def test_a_newcomer_onboards_by_sms_in_ukrainian(sms):
    phone = sms.phone("912 34 567")  # as a gateway might give it; we store E.164
    phone.number = NUMBER
    [menu] = await phone.send("Hei")
    assert "1 Norsk" in menu and "3 Українська" in menu and "9 دری" in menu
    assert count(menu).segments <= 2
    [privacy] = await phone.send("3")
    assert "Larvik kommune" in privacy
    assert "СТОП" in privacy  # how to stop, in their language's keyword
    [welcome] = await phone.send("1")
    assert "СПІЛЬНОТИ" in welcome and "ДОПОМОГА" in welcome and "СТОП" in welcome
    assert count(welcome).segments <= 2
    resident = await _resident(sms)
    assert resident.locale == "uk"
    assert resident.privacy_accepted_at is not None
    assert resident.phone_verified_at is not None
    assert resident.telegram_id is None


async def test_keywords_join_list_and_leave_networks(sms):
    await _network(sms)
    await _network(sms, "Stavern sentrum", "stavern")
    phone = await _onboarded(sms)
    [joined] = await phone.send("bli med torstrand!")
    assert "Torstrand" in joined
    [listing] = await phone.send("NETTVERK")
    assert "1 Stavern sentrum" in listing or "2 Stavern sentrum" in listing
    number = "1" if "1 Stavern" in listing else "2"
    [joined] = await phone.send(number)
    assert "Stavern sentrum" in joined
    async with sms.app.sessionmaker() as session:
        memberships = await session.scalar(select(func.count()).select_from(Membership))
    assert memberships == 2
    [left] = await phone.send("Meld ut Stavern sentrum")
    assert "Stavern sentrum" in left
    [unknown] = await phone.send("JOIN Atlantis")
    assert "Torstrand" in unknown  # the list to choose from instead


async def test_an_event_notice_reaches_an_sms_member_who_answers_with_a_number(
    sms, fake_api, make_user
):
    network_id = await _network(sms)
    phone = await _onboarded(sms, choice="3")  # Ukrainian
    await phone.send("ПРИЄДНАТИСЯ Torstrand")
    starts = datetime.now(UTC) + timedelta(days=3)
    async with sms.app.sessionmaker() as session:
        view, result = await events.publish(
            session,
            Actor.operator(),
            sms.app.catalogs,
            EventDraft(
                network_id=network_id,
                title="Мовне кафе",
                starts_at=starts,
                place="Bibliotek",
                description="Розмовляємо норвезькою за кавою. " * 20,
            ),
        )
    assert result.by_locale == {"uk": 1}
    # By SMS, new events come in the day's summary only (bot.services.events.flood).
    assert await phone.receive() == []
    await summarize(sms.app)
    [notice] = await phone.receive()
    assert "Мовне кафе" in notice and "ПОДІЇ" in notice
    assert "<" not in notice and "🗓" not in notice
    assert count(notice).segments <= 2
    [listing] = await phone.send("ПОДІЇ")
    assert "Мовне кафе" in listing
    [thanks] = await phone.send("1")
    assert "Мовне кафе" in thanks
    async with sms.app.sessionmaker() as session:
        answer = await session.scalar(select(Rsvp.answer).where(Rsvp.event_id == view.id))
        segments = await session.scalar(
            select(Delivery.segments)
            .join(Notice, Notice.id == Delivery.notice_id)
            .where(Notice.kind == NoticeKind.NEW_EVENTS)
        )
    assert answer == Answer.YES
    assert segments == count(notice).segments


async def test_stop_stops_everything_at_once_and_only_start_brings_them_back(sms):
    network_id = await _network(sms)
    phone = await _onboarded(sms)
    await phone.send("BLI MED TORSTRAND")
    # A notice is waiting (quiet hours hold it) when they send STOP: it is dropped.
    night = datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
    async with sms.app.sessionmaker() as session:
        await broadcasts.broadcast(
            session,
            Actor.operator(),
            sms.app.catalogs,
            text="Dugnad lørdag",
            network_id=network_id,
            now=night,
        )
    [confirmation] = await phone.send("Stopp")
    assert "START" in confirmation
    async with sms.app.sessionmaker() as session:
        dropped = await session.scalar(
            select(Delivery.status).where(Delivery.error == "stopped by the resident")
        )
        result = await broadcasts.broadcast(
            session, Actor.operator(), sms.app.catalogs, text="Ny dugnad", network_id=network_id
        )
    assert dropped == DeliveryStatus.FAILED
    assert sum(result.by_locale.values()) == 0  # no one to reach: they stopped
    assert await phone.receive() == []
    [still] = await phone.send("HVA SKJER")
    assert "START" in still  # stopped: only START does anything
    [back] = await phone.send("start")
    assert "Welcome back" in back or "Velkommen tilbake" in back
    async with sms.app.sessionmaker() as session:
        result = await broadcasts.broadcast(
            session, Actor.operator(), sms.app.catalogs, text="Grilling", network_id=network_id
        )
    assert sum(result.by_locale.values()) == 1
    assert any("Grilling" in text for text in await phone.receive())


async def test_a_stranger_who_sends_stop_gets_nothing_and_is_not_stored(sms):
    phone = sms.phone("+4798765432")
    assert await phone.send("STOP") == []
    async with sms.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Resident)) == 0


async def test_bad_input_gets_a_short_answer_and_bad_requests_are_refused(sms):
    phone = await _onboarded(sms)
    [confused] = await phone.send("hva er dette for noe")
    assert "NETTVERK" in confused and count(confused).segments <= 2
    await phone.send("NETTVERK")  # no networks: nothing to choose
    [huge] = await phone.send("x" * 5000)
    assert count(huge).segments <= 2
    assert await sms.post("/sms/memory/inbound", text="hei", **{"from": NUMBER}) == 403
    wrong = await sms.post("/sms/memory/inbound", secret="nope", text="hei", **{"from": NUMBER})
    assert wrong == 403
    assert await sms.post("/sms/kannel/inbound", secret=SECRET, text="x") == 404
    assert await sms.post("/sms/memory/inbound", secret=SECRET) == 400


async def test_delivery_reports_update_the_delivery(sms):
    phone = await _onboarded(sms)
    [last] = sms.gateway.sent[-1:]
    assert last.to == phone.number
    assert (
        await sms.post(
            "/sms/memory/dlr", secret=SECRET, id=str(last.delivery_id), status="delivered"
        )
        == 200
    )
    async with sms.app.sessionmaker() as session:
        delivery = await session.get(Delivery, last.delivery_id)
        assert (delivery.report, delivery.status) == ("delivered", DeliveryStatus.SENT)
    # A late "submitted" (reports may come out of order) does not undo "delivered".
    late = await sms.post(
        "/sms/memory/dlr", secret=SECRET, id=str(last.delivery_id), status="submitted"
    )
    assert late == 200
    async with sms.app.sessionmaker() as session:
        assert (await session.get(Delivery, last.delivery_id)).report == "delivered"
    assert (
        await sms.post("/sms/memory/dlr", secret=SECRET, id=str(last.delivery_id), status="failed")
        == 200
    )
    async with sms.app.sessionmaker() as session:
        delivery = await session.get(Delivery, last.delivery_id)
        assert delivery.status == DeliveryStatus.FAILED
        assert delivery.channel == Channel.SMS


async def test_asking_for_help_by_sms_and_talking_through_the_bot(sms, fake_api, make_user):
    from tests.support.residents import onboard

    network_id = await _network(sms)
    helper = make_user("Kari", "nb")
    await onboard(helper)
    await helper.send("/start join-torstrand")
    async with sms.app.sessionmaker() as session:
        from bot.services import residents

        actor = await residents.identify(session, helper.id, ())
        await helping.set_offer(session, actor, network_id, {HelpCategory.ERRANDS})
    phone = await _onboarded(sms)
    await phone.send("BLI MED TORSTRAND")
    [categories] = await phone.send("Be om hjelp")
    assert "1 Ærend" in categories or "1 " in categories
    [prompt] = await phone.send("1")  # errands
    assert "adresse" in prompt.lower() or "address" in prompt.lower()
    [posted] = await phone.send("Handle melk og brød til fredag")
    assert "1" in posted  # reached one helper
    await sms.deliver()
    assert "Handle melk og brød" in helper.last.text
    await helper.press(helper.last.buttons[0]["text"])  # I can help
    [offered] = await phone.receive()
    assert "Kari" in offered
    [accepted] = await phone.send("1")  # accept Kari
    [asked] = await phone.send("1")  # write to her
    assert asked
    assert await phone.send("Takk! Ring på døra kl 17") == [await _last_reply(phone)]
    await sms.deliver()
    relayed = helper.last.text
    assert "Ring på døra kl 17" in relayed
    assert "91234567" not in relayed and NUMBER not in relayed
    assert accepted


async def _last_reply(phone: Phone) -> str:
    return phone.last


async def test_offering_help_by_sms(sms):
    network_id = await _network(sms)
    phone = await _onboarded(sms)
    await phone.send("BLI MED TORSTRAND")
    [menu] = await phone.send("TILBY")
    assert "8 " in menu
    [thanks] = await phone.send("4")
    assert thanks
    resident = await _resident(sms)
    async with sms.app.sessionmaker() as session:
        offers = await helping.offers_of(session, Actor(resident.id, None, "nb", False, True))
    assert offers == {network_id: {HelpCategory.DIGITAL}}
    # The menu answered after the network closed: told so, not thanked for nothing.
    [menu] = await phone.send("TILBY")
    async with sms.app.sessionmaker() as session:
        await networks.set_archived(session, Actor.operator(), network_id, True)
    [answer] = await phone.send("5")
    t = sms.app.catalogs.translator("nb")
    assert answer == t.gettext("Join a network first.")


async def test_a_request_no_one_can_help_with_yet_says_what_happens_next_by_sms(sms):
    await _network(sms)
    phone = await _onboarded(sms)
    await phone.send("BLI MED TORSTRAND")
    await phone.send("Be om hjelp")
    await phone.send("1")  # errands: no one in Torstrand offers them
    [posted] = await phone.send("Handle melk og brød til fredag")
    nb = sms.app.catalogs.translator("nb")
    assert posted == nb.gettext(
        "Your request is saved. No one has offered this kind of help yet: we will tell you when "
        "someone can help."
    )


async def test_a_first_message_that_asks_to_join_joins_after_onboarding(sms):
    await _network(sms)
    phone = sms.phone(NUMBER)
    [menu] = await phone.send("BLI MED TORSTRAND")
    assert "1 Norsk" in menu
    await phone.send("1")
    welcome, joined = await phone.send("1")
    assert "NETTVERK" in welcome
    assert "Torstrand" in joined


async def test_sms_residents_get_the_compact_weekly_digest(sms):
    from bot.services import digest

    network_id = await _network(sms)
    phone = await _onboarded(sms)
    await phone.send("BLI MED TORSTRAND")
    now = datetime.now(UTC)
    async with sms.app.sessionmaker() as session:
        for day, title in ((1, "Språkkafé på biblioteket"), (2, "Strikkekafé"), (3, "Dugnad")):
            starts = now + timedelta(day)
            await events.publish(
                session,
                Actor.operator(),
                sms.app.catalogs,
                EventDraft(
                    network_id=network_id,
                    title=title,
                    starts_at=starts,
                    # A time range (Babel writes it with an en dash) and a host's typography.
                    ends_at=starts + timedelta(hours=2),
                    description="Kaffe og «noe godt» – ta med en venn … alle er velkomne",
                ),
                now=now,
            )
    # New events reach SMS members in the day's summary (or, as here, the digest) only.
    assert await phone.receive() == []
    round_ = digest.Round(sms.app.sessionmaker, sms.app.catalogs, municipality="Larvik", now=now)
    summary = await round_.run(digest.week_of(now, sms.app.catalogs.zone))
    assert summary.sent == 1
    [letter] = await phone.receive()
    assert letter.startswith("Naboskap")
    assert "Språkkafé på biblioteket" in letter and "Dugnad" in letter
    size = count(letter)
    assert (size.encoding, size.segments <= 2) == ("gsm7", True)


async def test_an_sms_digest_with_nothing_to_tell_is_not_sent(sms):
    from bot.services import digest

    await _network(sms)
    phone = await _onboarded(sms)
    await phone.send("BLI MED TORSTRAND")
    # A week later: no events, no requests, no one new, no messages.
    now = datetime.now(UTC) + timedelta(days=7)
    round_ = digest.Round(sms.app.sessionmaker, sms.app.catalogs, municipality="Larvik", now=now)
    summary = await round_.run(digest.week_of(now, sms.app.catalogs.zone))
    assert (summary.sent, summary.empty) == (0, 1)
    assert await phone.receive() == []


async def test_quiet_hours_are_set_by_sms_in_the_residents_language(sms):
    from db.models import Preferences

    phone = await _onboarded(sms)
    [menu] = await phone.send("stilletid")
    # The quiet hours now (the default), then the choices /settings offers, numbered.
    assert menu.startswith("Stilletid: 22:00-08:00.")  # GSM: no en dash
    assert "1 22:00-08:00, 2 21:00-07:00, 3 23:00-09:00, 4 Ingen stilletid" in menu
    assert count(menu).encoding == "gsm7"
    [done] = await phone.send("2")
    assert done.startswith("Stilletid: 21:00-07:00.")
    resident = await _resident(sms)
    async with sms.app.sessionmaker() as session:
        prefs = await session.get(Preferences, resident.id)
        assert prefs is not None and (prefs.quiet_start, prefs.quiet_end) == (21 * 60, 7 * 60)
    await phone.send("STILLE")
    [off] = await phone.send("4")
    assert off == "Ingen stilletid: Meldinger kommer når som helst."
    # In Ukrainian, with its own word, and a number out of range is answered, not obeyed.
    ukrainian = await _onboarded(sms, "+4790000002", choice="3")
    [menu] = await ukrainian.send("тиша")
    assert menu.startswith("Тихі години: 22:00–08:00.")
    [wrong] = await ukrainian.send("7")
    assert "1" in wrong and "4" in wrong
    helps = await ukrainian.send("ДОПОМОГА")
    assert any("ТИША" in text for text in helps)


@pytest.mark.parametrize("choice", range(1, 10))
async def test_the_privacy_notice_reaches_its_reply_1_whole_in_every_language(sms, choice):
    """Three segments for this one: in Ukrainian, Polish, Lithuanian or Dari two would cut off
    the very words that say how to accept."""
    from bot.i18n import SHIPPED_LOCALES
    from bot.sms_keywords import Command, shown
    from bot.sms_segments import gsm_safe

    locale = SHIPPED_LOCALES[choice - 1]
    t = sms.app.catalogs.translator(locale)
    phone = sms.phone(f"+479000001{choice}")
    await phone.send("Hei")
    [notice] = await phone.send(str(choice))
    whole = t.gettext(
        "{municipality} keeps your number, language, networks and what you send us, to run "
        "Naboskap. {stop} stops SMS, {delete} deletes it all. Reply 1 to accept.",
        municipality=sms.app.settings.municipality,
        stop=shown(Command.STOP, locale),
        delete=shown(Command.DELETE, locale),
    )
    assert notice == gsm_safe(whole)
    assert count(notice).segments <= 3


async def test_leaving_by_an_old_number_says_one_is_not_a_member(sms):
    await _network(sms)
    phone = await _onboarded(sms)
    await phone.send("BLI MED TORSTRAND")
    [listed] = await phone.send("FORLAT")
    assert "1 Torstrand" in listed
    nb = sms.app.catalogs.translator("nb")
    [left] = await phone.send("FORLAT TORSTRAND")
    assert left == nb.gettext("You left {network}.", network="Torstrand")
    [stale] = await phone.send("1")  # the list's number, after leaving by name
    assert stale == nb.gettext("You are not a member of {network}.", network="Torstrand")
    [again] = await phone.send("FORLAT TORSTRAND")
    assert again == nb.gettext("You are not in any network.")


async def test_an_sms_resident_can_delete_everything_by_sms(sms):
    await _network(sms)
    phone = await _onboarded(sms)
    await phone.send("BLI MED TORSTRAND")
    helps = await phone.send("HJELP")
    assert len(helps) == 4 and "SLETT" in helps[-1]
    assert all(word in helps[2] for word in ("AVSTEMNING", "IDE", "DUGNAD"))
    [question] = await phone.send("slett")
    assert "1" in question
    assert await phone.send("1") == []  # nothing kept, so nothing more is sent
    async with sms.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Resident)) == 0
        assert await session.scalar(select(func.count()).select_from(Membership)) == 0
    # Writing again is a new start, with nothing remembered.
    [menu] = await phone.send("Hei")
    assert "1 Norsk" in menu


async def test_my_data_by_sms_says_what_is_kept_in_whole_sms(sms):
    """The right of access by SMS: language, networks and counts, never cut, and how to get
    the whole of it."""
    await _network(sms)
    await _network(sms, "Stavern sentrum", "stavern")
    phone = await _onboarded(sms, choice="3")  # Ukrainian: UCS-2, 70 characters a segment
    await phone.send("ПРИЄДНАТИСЯ Torstrand")
    await phone.send("ПРИЄДНАТИСЯ Stavern sentrum")
    helps = await phone.send("ДОПОМОГА")
    assert "МОЇ ДАНІ" in helps[-1]
    replies = await phone.send("мої дані")
    whole = " ".join(replies)
    assert "Українська" in whole and "Torstrand" in whole and "Stavern sentrum" in whole
    assert "Larvik kommune" in whole and "ВИДАЛИТИ" in whole
    assert all(count(r).segments <= 2 and not r.endswith("…") for r in replies)
    async with sms.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Membership)) == 2


async def test_a_help_text_with_a_nul_byte_is_saved_without_it(sms, make_user):
    network_id = await _network(sms)
    helper = make_user("Kari", "nb")
    await onboard(helper)
    await helper.send("/start join-torstrand")
    async with sms.app.sessionmaker() as session:
        actor = await residents.identify(session, helper.id, ())
        await helping.set_offer(session, actor, network_id, {HelpCategory.ERRANDS})
    phone = await _onboarded(sms)
    await phone.send("BLI MED TORSTRAND")
    await phone.send("Be om hjelp")
    await phone.send("1")  # errands
    [posted] = await phone.send("Handle melk\x00 og brød\x1b til fredag")
    assert "1" in posted  # the normal answer: it reached one helper
    async with sms.app.sessionmaker() as session:
        [description] = (await session.scalars(select(HelpRequest.description))).all()
    assert description == "Handle melk og brød til fredag"


async def test_a_report_for_an_id_out_of_range_is_ignored(sms, caplog):
    """It cannot name a delivery: answered as for an unknown id, before any query, and
    logged without the value."""
    caplog.set_level(logging.DEBUG, logger="naboskap")
    ids = ("999999999999999999", str(2**31), "0", "9" * 40)
    for id_ in ids:
        status = await sms.post("/sms/memory/dlr", secret=SECRET, id=id_, status="delivered")
        assert status == 200, id_
    ours = [r for r in caplog.records if r.name.startswith("naboskap")]
    assert [r.getMessage() for r in ours] == ["delivery report for an id out of range ignored"] * 4
    assert all(r.exc_info is None for r in ours)
