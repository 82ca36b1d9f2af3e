"""Enrolling a neighbour by SMS through the bot: a coordinator from /coordinate, a host from
their network's card; forged buttons are refused by the service."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from bot.fake_bot_api import FakeUser
from bot.services import networks, phone_link, residents
from bot.services.actors import Actor
from db.models import Delivery, Membership, Notice, Resident
from handlers.callbacks import EnrolAction, EnrolCb
from tests.support.residents import onboard
from tests.support.settings import COORDINATOR_ID
from tests.support.sms_phone import Phone, SmsNetwork

NUMBER = "+4791234567"


async def _network(sms: SmsNetwork, name: str, slug: str) -> int:
    async with sms.app.sessionmaker() as session:
        view = await networks.create_network(session, Actor.operator(), name=name, slug=slug)
    return view.id


async def _user(fake_api, user_id: int, name: str) -> FakeUser:  # type: ignore[no-untyped-def]
    user = FakeUser(fake_api, user_id, name, "en")
    await onboard(user, "English")
    return user


async def _enrolled(sms: SmsNetwork) -> Resident | None:
    async with sms.app.sessionmaker() as session:
        return await session.scalar(select(Resident).where(Resident.phone == NUMBER))


async def test_a_coordinator_enrols_a_neighbour_step_by_step(sms, fake_api):
    await _network(sms, "Torstrand", "torstrand")
    await _network(sms, "Stavern", "stavern")
    cora = await _user(fake_api, COORDINATOR_ID, "Cora")
    await cora.send("/coordinate")
    await cora.press("📱 Enrol by SMS")
    assert "mobile number" in cora.last.text
    [again] = await cora.send("12 34")
    assert "not a mobile number" in again.text
    [languages] = await cora.send("912 34 567")
    assert "Українська" in languages.button_texts and "English" in languages.button_texts
    await cora.press("Українська")
    assert "Which networks" in cora.last.text
    await cora.press("Next ›")
    assert "at least one network" in cora.last_answer["text"]
    await cora.press("Torstrand")
    await cora.press("Stavern")
    await cora.press("Stavern")  # a toggle: off again
    assert "✅ Torstrand" in cora.last.button_texts
    await cora.press("Next ›")
    confirm = cora.last
    assert "+4791234567" in confirm.text and "Українська" in confirm.text
    assert "Torstrand" in confirm.text and "Stavern" not in confirm.text
    await cora.press("✅ They agreed, enrol")
    assert "Thank you" in cora.last.text and "Torstrand" in cora.last.text
    resident = await _enrolled(sms)
    assert resident is not None and resident.locale == "uk" and resident.telegram_id is None
    [welcome] = await sms.phone(NUMBER).receive()
    assert "Torstrand" in welcome and "СТОП" in welcome
    await cora.press_data(
        EnrolCb(action=EnrolAction.AGREE).pack()
    )  # a second tap: the flow is over
    assert "no longer works" in cora.last_answer["text"]


async def test_a_host_enrols_into_their_network_from_its_card(sms, fake_api):
    await _network(sms, "Torstrand", "torstrand")
    hilde = await _user(fake_api, 6001, "Hilde")
    async with sms.app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", hilde.id)
    await hilde.send("/networks")
    await hilde.press("Torstrand")
    await hilde.press("📱 Enrol by SMS")
    await hilde.send("+47 912 34 567")
    await hilde.press("English")
    assert "Did they agree" in hilde.last.text  # their network: nothing to choose
    await hilde.press("✅ They agreed, enrol")
    assert "Thank you" in hilde.last.text and "Torstrand" in hilde.last.text
    [welcome] = await sms.phone(NUMBER).receive()
    assert "STOP" in welcome and "Larvik kommune" in welcome


async def test_forged_buttons_are_refused(sms, fake_api):
    await _network(sms, "Torstrand", "torstrand")
    other = await _network(sms, "Stavern", "stavern")
    hilde = await _user(fake_api, 6001, "Hilde")
    async with sms.app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", hilde.id)
    await hilde.press_data(EnrolCb(action=EnrolAction.START, network_id=other).pack())
    assert "Only the hosts" in hilde.last_answer["text"]
    await hilde.press_data(EnrolCb(action=EnrolAction.START).pack())
    assert "Only coordinators" in hilde.last_answer["text"]
    # In her own flow, choosing another network is refused too.
    await hilde.send("/networks")
    await hilde.press("Torstrand")
    await hilde.press("📱 Enrol by SMS")
    await hilde.send("91234567")
    await hilde.press_data(EnrolCb(action=EnrolAction.NETWORK, network_id=other).pack())
    assert "no longer works" in hilde.last_answer["text"]
    per = await _user(fake_api, 6002, "Per")
    await per.press_data(EnrolCb(action=EnrolAction.START).pack())
    assert "Only coordinators" in per.last_answer["text"]
    await per.press_data(EnrolCb(action=EnrolAction.AGREE).pack())
    assert "no longer works" in per.last_answer["text"]
    async with sms.app.sessionmaker() as session:
        members = await session.scalar(
            select(func.count()).select_from(Membership).where(Membership.network_id == other)
        )
    assert members == 0


async def test_cancel_stops_the_flow(sms, fake_api):
    await _network(sms, "Torstrand", "torstrand")
    cora = await _user(fake_api, COORDINATOR_ID, "Cora")
    await cora.send("/coordinate")
    await cora.press("📱 Enrol by SMS")
    await cora.send("/cancel")
    assert "cancelled" in cora.last.text
    await cora.send("91234567")
    assert await _enrolled(sms) is None


async def test_a_stopped_number_is_not_enrolled_and_the_coordinator_is_not_told(sms, fake_api):
    await _network(sms, "Torstrand", "torstrand")
    phone = sms.phone(NUMBER)
    await phone.send("Hei")
    await phone.send("STOP")
    cora = await _user(fake_api, COORDINATOR_ID, "Cora")
    await cora.send("/coordinate")
    await cora.press("📱 Enrol by SMS")
    await cora.send("91234567")
    await cora.press("English")
    await cora.press("Torstrand")
    await cora.press("Next ›")
    await cora.press("✅ They agreed, enrol")
    # The answer any number gets: that it sent STOP is not the enroller's to know.
    assert "Thank you" in cora.last.text
    assert "stopped" not in (cora.last_answer or {}).get("text", "")
    assert await phone.receive() == []
    async with sms.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Membership)) == 0


async def test_without_sms_there_is_no_enrol_button(app, make_user):
    cora = make_user("Cora", "en", COORDINATOR_ID)
    await onboard(cora, "English")
    await cora.send("/coordinate")
    assert not any("Enrol" in label for label in cora.last.button_texts)
    await cora.press_data(EnrolCb(action=EnrolAction.START).pack())
    assert "no longer works" in cora.last_answer["text"]


# A host must not learn who owns a number, nor add someone who is already with us to a network
# without their own consent: a known number gets an invitation that its owner accepts or not,
# a number that sent STOP gets nothing, and the host's answer is the same in every case.

FRESH = "+4798765432"  # a number nobody has


async def _host(sms: SmsNetwork, fake_api) -> FakeUser:  # type: ignore[no-untyped-def]
    hilde = await _user(fake_api, 6001, "Hilde")
    async with sms.app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", hilde.id)
    return hilde


async def _enrol_from_card(hilde: FakeUser, number: str) -> str:
    """Hilde enrols `number` into Torstrand from its card; what the bot answers her."""
    await hilde.send("/networks")
    await hilde.press("Torstrand")
    await hilde.press("📱 Enrol by SMS")
    await hilde.send(number)
    await hilde.press("English")
    await hilde.press("✅ They agreed, enrol")
    return hilde.last.text


async def _members_seen_by(hilde: FakeUser) -> str:
    await hilde.send("/networks")
    await hilde.press("Torstrand")
    await hilde.press("👥 Members")
    return hilde.last.text


async def _member_ids(sms: SmsNetwork, network_id: int) -> set[int]:
    async with sms.app.sessionmaker() as session:
        rows = await session.scalars(
            select(Membership.resident_id).where(Membership.network_id == network_id)
        )
        return set(rows)


async def _resident_id(sms: SmsNetwork, number: str = NUMBER) -> int:
    resident = await _enrolled_number(sms, number)
    assert resident is not None
    return resident.id


async def _enrolled_number(sms: SmsNetwork, number: str) -> Resident | None:
    async with sms.app.sessionmaker() as session:
        return await session.scalar(select(Resident).where(Resident.phone == number))


async def _sms_resident(sms: SmsNetwork) -> Phone:
    """Someone who started with us by SMS (English, privacy accepted)."""
    phone = sms.phone(NUMBER)
    await phone.send("Hei")
    await phone.send("2")
    await phone.send("1")
    return phone


async def _stored(sms: SmsNetwork) -> tuple[int, int, int]:
    """Memberships, notices and deliveries kept."""
    async with sms.app.sessionmaker() as session:
        return tuple(  # type: ignore[return-value]
            [
                int(await session.scalar(select(func.count()).select_from(table)) or 0)
                for table in (Membership, Notice, Delivery)
            ]
        )


async def test_a_telegram_residents_number_brings_her_an_invitation_not_a_membership(sms, fake_api):
    torstrand = await _network(sms, "Torstrand", "torstrand")
    olena = await _user(fake_api, 7001, "Olena")
    async with sms.app.sessionmaker() as session:
        actor = await residents.identify(session, olena.id, ())
        await phone_link.request_phone_code(session, actor, sms.app.catalogs, NUMBER, "NO")
    phone = sms.phone(NUMBER)
    [code_sms] = await phone.receive()
    code = re.search(r"\b(\d{6})\b", code_sms)
    assert code is not None
    async with sms.app.sessionmaker() as session:
        await phone_link.confirm_phone_code(session, actor, code.group(1))
    hilde = await _host(sms, fake_api)
    fresh = await _enrol_from_card(hilde, FRESH)
    known = await _enrol_from_card(hilde, NUMBER)
    assert known == fresh  # nothing tells the host whose number it is
    assert "Olena" not in known
    assert actor.resident_id not in await _member_ids(sms, torstrand)
    assert "Olena" not in await _members_seen_by(hilde)
    # Olena is asked on Telegram, not by SMS, and decides herself.
    await sms.deliver()
    invitation = olena.last
    assert "Torstrand" in invitation.text
    assert await phone.receive() == []
    await olena.press(invitation.button_texts[0], invitation)
    assert actor.resident_id in await _member_ids(sms, torstrand)
    assert "Olena" in await _members_seen_by(hilde)


async def test_an_sms_residents_number_brings_an_invitation_to_reply_to(sms, fake_api):
    torstrand = await _network(sms, "Torstrand", "torstrand")
    phone = await _sms_resident(sms)
    hilde = await _host(sms, fake_api)
    fresh = await _enrol_from_card(hilde, FRESH)
    known = await _enrol_from_card(hilde, NUMBER)
    assert known == fresh
    kari = await _resident_id(sms)
    assert kari not in await _member_ids(sms, torstrand)
    [invitation] = await phone.receive()
    assert "Torstrand" in invitation and "Reply 1" in invitation
    assert "Torstrand" in (await phone.send("1"))[0]
    assert kari in await _member_ids(sms, torstrand)
    # Already a member: the same answer again, and nothing more is sent.
    assert await _enrol_from_card(hilde, NUMBER) == fresh
    assert await phone.receive() == []


async def test_a_number_that_sent_stop_gets_nothing_and_the_host_cannot_tell(sms, fake_api):
    await _network(sms, "Torstrand", "torstrand")
    phone = await _sms_resident(sms)
    await phone.send("STOP")
    hilde = await _host(sms, fake_api)
    fresh = await _enrol_from_card(hilde, FRESH)
    before = await _stored(sms)
    assert await _enrol_from_card(hilde, NUMBER) == fresh
    assert await _stored(sms) == before  # nothing that links the number to the network
    assert await phone.receive() == []
    assert "stopped" not in (hilde.last_answer or {}).get("text", "")


async def test_a_coordinator_chooses_among_120_networks_page_by_page(sms, fake_api):
    """Telegram takes at most 100 buttons: 120 networks come 20 a page with ‹ › (the fake Bot
    API refuses a keyboard over 100), a toggle keeps to its page, and the confirmation names
    what was chosen on any page."""
    for n in range(120):
        await _network(sms, f"Nett {n:03d} " + "Æ" * 50, f"nett-{n}")
    cora = await _user(fake_api, COORDINATOR_ID, "Cora")
    await cora.send("/coordinate")
    await cora.press("📱 Enrol by SMS")
    await cora.send("912 34 567")
    await cora.press("English")
    seen: list[str] = []
    page = cora.last
    while True:
        assert len(page.buttons) <= 100
        seen += [b["text"] for b in page.buttons if b["callback_data"].startswith("en:net:")]
        if "More ›" not in page.button_texts:
            break
        page = (await cora.press("More ›", page))[-1]
    assert len(seen) == 120 and len(set(seen)) == 120
    await cora.press("Nett 110 ", page)
    assert "✅ Nett 110 " + "Æ" * 50 in cora.last.button_texts  # still on that page
    assert "More ›" not in cora.last.button_texts
    await cora.press("‹ Previous")
    await cora.press("Nett 085 ")
    assert "✅ Nett 085 " + "Æ" * 50 in cora.last.button_texts
    assert "▫️ Nett 080 " + "Æ" * 50 in cora.last.button_texts  # the page it was pressed on
    await cora.press("Next ›")
    confirm = cora.last.text
    assert "Nett 110" in confirm and "Nett 085" in confirm and "Nett 000" not in confirm
