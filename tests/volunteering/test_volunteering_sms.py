"""Volunteer calls by SMS: the call's notice comes with numbered shifts, a number signs up,
DUGNAD (in the resident's language) lists the coming shifts and pages with MORE, a number on a
shift one is in withdraws, a full shift is refused in words, and nothing passes two segments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.i18n import SHIPPED_LOCALES
from bot.services import networks, volunteering
from bot.services.actors import Actor
from bot.sms_keywords import Command, shown
from bot.sms_segments import count
from db.models import VolunteerSignup
from tests.support.sms_phone import Phone, SmsNetwork, sms_network
from tests.support.volunteering import call_draft, upcoming_saturday

NUMBER = "+4791234511"
OTHER = "+4791234522"


@pytest.fixture
async def sms_unlimited(database_url: str, fake_api):  # type: ignore[no-untyped-def]
    """No SMS rate limit: walking a long list takes more texts than it allows."""
    async for network in sms_network(database_url, fake_api, rate_limit_sms="off"):
        yield network


async def _member(sms: SmsNetwork, number: str, locale: str) -> Phone:
    phone = sms.phone(number)
    await phone.send("Hei")
    await phone.send(str(SHIPPED_LOCALES.index(locale) + 1))
    await phone.send("1")
    t = sms.app.catalogs.translator(locale)
    await phone.send(f"{shown(Command.JOIN, t.locale)} Torstrand")
    await phone.receive()
    return phone


async def _torstrand(sms: SmsNetwork) -> int:
    async with sms.app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    return view.id


async def _post(sms: SmsNetwork, network_id: int, **changes):  # type: ignore[no-untyped-def]
    saturday = changes.pop("starts_at", upcoming_saturday())
    async with sms.app.sessionmaker() as session:
        view, _ = await volunteering.publish(
            session,
            Actor.operator(),
            sms.app.catalogs,
            call_draft(network_id, saturday, **changes),
        )
    return view


async def test_an_arabic_sms_neighbour_signs_up_from_the_notice_and_withdraws(sms):
    network_id = await _torstrand(sms)
    phone = await _member(sms, NUMBER, "ar")
    ar = sms.app.catalogs.translator("ar")
    posted = await _post(sms, network_id, shifts=2)
    [notice] = await phone.receive()
    assert "Rydd Torstrandparken" in notice
    assert "1 " in notice and "2 " in notice  # a number per shift
    assert count(notice).segments <= 3
    [thanks] = await phone.send("1")
    assert "Rydd Torstrandparken" in thanks and "✓" not in thanks
    async with sms.app.sessionmaker() as session:
        signup = await session.scalar(select(VolunteerSignup))
        assert signup is not None and signup.shift_id == posted.shifts[0].id
        assert signup.channel == "sms" and signup.show_name is False  # by SMS: hidden
    [listed] = await phone.send(shown(Command.VOLUNTEER, "ar"))
    assert ar.gettext("Reply a number to sign up.") in listed
    assert ar.gettext("*: you're in; its number withdraws.") in listed
    assert "1. *Rydd" in listed
    [gone] = await phone.send("1")
    assert "Rydd Torstrandparken" in gone
    async with sms.app.sessionmaker() as session:
        assert await session.scalar(select(VolunteerSignup)) is None


async def test_a_full_shift_is_refused_in_words_by_sms(sms):
    network_id = await _torstrand(sms)
    first = await _member(sms, NUMBER, "nb")
    second = await _member(sms, OTHER, "uk")
    await _post(sms, network_id, slots=1)
    await first.receive()
    await second.receive()
    await first.send("DUGNAD")
    await first.send("1")
    [refused] = await second.send("1")  # the number on the notice: the shift is full now
    uk = sms.app.catalogs.translator("uk")
    assert refused == uk.gettext("Sorry, that shift is full. Another shift may still have room.")
    [listed] = await second.send(shown(Command.VOLUNTEER, "uk"))
    assert listed == uk.gettext("No open volunteer calls in your networks right now.")


async def test_dugnad_pages_a_long_list_with_more(sms_unlimited):
    sms = sms_unlimited
    network_id = await _torstrand(sms)
    phone = await _member(sms, NUMBER, "uk")
    saturday = upcoming_saturday()
    for n in range(12):
        await _post(
            sms,
            network_id,
            starts_at=saturday + timedelta(hours=n),
            title=f"Прибирання парку номер {n + 1} " + "ї" * 30,
        )
    await phone.receive()
    uk = sms.app.catalogs.translator("uk")
    more = uk.gettext("Reply {more} for the rest.", more=shown(Command.MORE, "uk"))
    [first] = await phone.send("волонтер")
    parts = [first]
    while parts[-1].endswith(more):
        [part] = await phone.send(shown(Command.MORE, "uk"))
        parts.append(part)
        assert len(parts) < 20
    assert len(parts) > 2
    assert all(count(part).segments <= 2 for part in parts)
    everything = "\n".join(parts)
    for n in range(1, 13):
        assert f"\n{n}. " in "\n" + everything or everything.startswith(f"{n}. ")
    # The twelfth, on the last part, is chosen by its number.
    [thanks] = await phone.send("12")
    assert "номер 12" in thanks


async def test_a_call_with_many_shifts_offers_the_first_by_number_and_dugnad_for_all(sms):
    network_id = await _torstrand(sms)
    phone = await _member(sms, NUMBER, "uk")
    await _post(sms, network_id, shifts=6)
    [notice] = await phone.receive()
    uk = sms.app.catalogs.translator("uk")
    assert (
        uk.gettext("All shifts: send {keyword}.", keyword=shown(Command.VOLUNTEER, "uk")) in notice
    )
    assert "3 " in notice and "4 " not in notice.split("\n")[-1]
    assert count(notice).segments <= 3
    [thanks] = await phone.send("3")
    assert "Rydd Torstrandparken" in thanks
