"""Enrolling a neighbour by SMS through the bot: a coordinator from /coordinate, a host from
their network's card; forged buttons are refused by the service."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.fake_bot_api import FakeUser
from bot.services import networks
from bot.services.actors import Actor
from db.models import Membership, Resident
from handlers.callbacks import EnrolAction, EnrolCb
from tests.support.residents import onboard
from tests.support.settings import COORDINATOR_ID
from tests.support.sms_phone import SmsNetwork

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
    assert "Enrolled in Torstrand" in cora.last.text
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
    assert "Enrolled in Torstrand" in hilde.last.text
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


async def test_a_stopped_number_is_not_enrolled(sms, fake_api):
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
    # Refused as an alert on the button (the one place that answers refusals).
    assert "stopped all SMS" in cora.last_answer["text"]
    async with sms.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Membership)) == 0


async def test_without_sms_there_is_no_enrol_button(app, make_user):
    cora = make_user("Cora", "en", COORDINATOR_ID)
    await onboard(cora, "English")
    await cora.send("/coordinate")
    assert not any("Enrol" in label for label in cora.last.button_texts)
    await cora.press_data(EnrolCb(action=EnrolAction.START).pack())
    assert "no longer works" in cora.last_answer["text"]
