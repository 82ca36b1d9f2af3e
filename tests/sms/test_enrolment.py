"""Enrolling SMS-only residents with their consent: the service, the command line, and the
guided flow in the bot for coordinators and hosts."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.fake_bot_api import FakeUser
from bot.services import enrolment, networks, residents
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, PermissionDenied
from bot.sms_segments import count
from db.models import Membership, Resident
from tests.support.residents import onboard
from tests.support.sms_phone import SmsNetwork

NUMBER = "+4791234567"


async def _network(sms: SmsNetwork, name: str, slug: str) -> int:
    async with sms.app.sessionmaker() as session:
        view = await networks.create_network(session, Actor.operator(), name=name, slug=slug)
    return view.id


async def _enrol(sms: SmsNetwork, actor: Actor, network_ids: list[int], **kwargs: object):
    values: dict[str, object] = {
        "phone_raw": "912 34 567",
        "region": "NO",
        "locale": "en",
        "network_ids": network_ids,
        "municipality": "Larvik kommune",
        "consent": True,
    }
    values.update(kwargs)
    async with sms.app.sessionmaker() as session:
        return await enrolment.enrol_by_sms(session, actor, sms.app.catalogs, **values)  # type: ignore[arg-type]


async def _resident(sms: SmsNetwork, number: str = NUMBER) -> Resident | None:
    async with sms.app.sessionmaker() as session:
        return await session.scalar(select(Resident).where(Resident.phone == number))


async def _memberships(sms: SmsNetwork) -> int:
    async with sms.app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Membership)) or 0)


async def test_a_coordinator_enrols_a_neighbour_who_gets_a_welcome_sms(sms):
    torstrand = await _network(sms, "Torstrand", "torstrand")
    done = await _enrol(sms, Actor.operator(), [torstrand], first_name=" Ola ", locale="uk")
    assert (done.phone, done.networks) == (NUMBER, ["Torstrand"])
    assert await _memberships(sms) == 1
    resident = await _resident(sms)
    assert resident is not None
    assert (resident.locale, resident.first_name, resident.telegram_id) == ("uk", "Ola", None)
    assert resident.phone_verified_at is not None and resident.privacy_accepted_at is not None
    phone = sms.phone(NUMBER)
    [welcome] = await phone.receive()
    assert "Larvik kommune" in welcome and "Torstrand" in welcome
    assert "СТОП" in welcome  # how to stop, in their language's keyword
    assert count(welcome).segments <= 2
    # They are a full SMS member: a keyword works at once.
    assert len(await phone.send("HELP")) == 4  # the keyword list, in four short SMS


async def test_an_english_welcome_names_the_municipality_the_networks_and_stop(sms):
    a = await _network(sms, "Torstrand", "torstrand")
    b = await _network(sms, "Walking group", "walking")
    await _enrol(sms, Actor.operator(), [a, b])
    [welcome] = await sms.phone(NUMBER).receive()
    assert "Larvik kommune" in welcome
    assert "Torstrand, Walking group" in welcome
    assert "STOP" in welcome and "HELP" in welcome


async def test_a_known_number_is_invited_and_joins_only_if_they_want(sms):
    a = await _network(sms, "Torstrand", "torstrand")
    b = await _network(sms, "Stavern", "stavern")
    fresh = await _enrol(sms, Actor.operator(), [a, b], phone_raw="+47 987 65 432")
    await _enrol(sms, Actor.operator(), [a])
    phone = sms.phone(NUMBER)
    assert len(await phone.receive()) == 1  # the welcome
    again = await _enrol(sms, Actor.operator(), [a, b], locale="nb", phone_raw="+47 912 34 567")
    assert again.networks == fresh.networks  # what the enroller learns does not differ
    assert await _memberships(sms) == 3  # the new number's two and the first enrolment's one
    resident = await _resident(sms)
    assert resident is not None and resident.locale == "en"  # what they had stays
    [invitation] = await phone.receive()  # to the network they are not in yet, in English
    assert "Stavern" in invitation and "Torstrand" not in invitation
    assert "Reply 1 Stavern" in invitation
    assert await _memberships(sms) == 3
    assert "Stavern" in (await phone.send("1"))[0]
    assert await _memberships(sms) == 4
    await _enrol(sms, Actor.operator(), [a, b])
    assert await phone.receive() == []  # nothing new to invite them to


async def test_an_invitation_to_an_invite_only_network_says_how_to_join_with_the_code(sms):
    async with sms.app.sessionmaker() as session:
        view = await networks.create_network(
            session,
            Actor.operator(),
            name="Torstrand",
            slug="torstrand",
            invite_code="KAFFE42",
            invite_only=True,
        )
    phone = sms.phone(NUMBER)
    for text in ("Hei", "2", "1"):
        await phone.send(text)
    await _enrol(sms, Actor.operator(), [view.id])
    [invitation] = await phone.receive()
    assert "JOIN torstrand KAFFE42" in invitation and "Reply 1" not in invitation
    assert await _memberships(sms) == 0
    assert "Torstrand" in (await phone.send("JOIN torstrand KAFFE42"))[0]
    assert await _memberships(sms) == 1


async def test_consent_a_valid_number_a_language_and_networks_are_required(sms):
    a = await _network(sms, "Torstrand", "torstrand")
    with pytest.raises(InvalidInput) as error:
        await _enrol(sms, Actor.operator(), [a], consent=False)
    assert error.value.field == "consent"
    with pytest.raises(InvalidInput) as error:
        await _enrol(sms, Actor.operator(), [a], phone_raw="12")
    assert (error.value.field, error.value.reason) == ("phone", "format")
    with pytest.raises(InvalidInput):
        await _enrol(sms, Actor.operator(), [a], locale="xx")
    with pytest.raises(InvalidInput):
        await _enrol(sms, Actor.operator(), [])
    assert await _resident(sms) is None


async def test_a_number_that_sent_stop_gets_nothing_and_the_enroller_is_not_told(sms):
    a = await _network(sms, "Torstrand", "torstrand")
    fresh = await _enrol(sms, Actor.operator(), [a], phone_raw="+47 987 65 432")
    phone = sms.phone(NUMBER)
    await phone.send("Hei")
    await phone.send("2")
    await phone.send("1")
    await phone.send("STOP")
    done = await _enrol(sms, Actor.operator(), [a])
    assert done.networks == fresh.networks
    assert await _memberships(sms) == 1  # the new number's only
    assert await phone.receive() == []


async def test_a_host_enrols_only_into_the_networks_they_host(sms, fake_api):
    mine = await _network(sms, "Torstrand", "torstrand")
    other = await _network(sms, "Stavern", "stavern")
    host = FakeUser(fake_api, 5001, "Hilde", "en")
    await onboard(host, "English")
    async with sms.app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", host.id)
        actor = await residents.identify(session, host.id, ())
    with pytest.raises(PermissionDenied):
        await _enrol(sms, actor, [other])
    with pytest.raises(PermissionDenied):
        await _enrol(sms, actor, [mine, other])
    assert await _resident(sms) is None
    done = await _enrol(sms, actor, [mine])
    assert done.networks == ["Torstrand"]
    member = FakeUser(fake_api, 5002, "Per", "en")
    await onboard(member, "English")
    async with sms.app.sessionmaker() as session:
        plain = await residents.identify(session, member.id, ())
    with pytest.raises(PermissionDenied):
        await _enrol(sms, plain, [mine], phone_raw="+4798765432")


async def test_the_command_line_enrols_with_consent_only(sms, cli):
    await _network(sms, "Torstrand", "torstrand")
    await _network(sms, "Stavern", "stavern")
    refused = await asyncio.to_thread(
        cli, "resident", "add", "--phone", "91234567", "--language", "nb", "--network", "torstrand"
    )
    assert refused.exit_code != 0 and "--consent" in refused.output
    assert await _resident(sms) is None
    result = await asyncio.to_thread(
        cli,
        "resident",
        "add",
        "--phone",
        "91234567",
        "--language",
        "en",
        "--network",
        "torstrand",
        "--network",
        "stavern",
        "--name",
        "Ola",
        "--consent",
    )
    assert result.exit_code == 0, result.output
    assert "…67" in result.output and "91234567" not in result.output
    assert "Torstrand, Stavern" in result.output
    [welcome] = await sms.phone(NUMBER).receive()
    assert "Torstrand, Stavern" in welcome
    bad = await asyncio.to_thread(
        cli,
        "resident",
        "add",
        "--phone",
        "12",
        "--language",
        "en",
        "--network",
        "torstrand",
        "--consent",
    )
    assert bad.exit_code != 0 and "phone" in bad.output
    nowhere = await asyncio.to_thread(
        cli,
        "resident",
        "add",
        "--phone",
        "98765432",
        "--language",
        "en",
        "--network",
        "nope",
        "--consent",
    )
    assert nowhere.exit_code != 0 and "not found" in nowhere.output
    again = await asyncio.to_thread(
        cli,
        "resident",
        "add",
        "--phone",
        "91234567",
        "--language",
        "en",
        "--network",
        "torstrand",
        "--network",
        "stavern",
        "--consent",
    )
    assert again.output == result.output  # a known number: the same output
    await sms.phone(NUMBER).send("STOP")
    stopped = await asyncio.to_thread(
        cli,
        "resident",
        "add",
        "--phone",
        "91234567",
        "--language",
        "en",
        "--network",
        "torstrand",
        "--network",
        "stavern",
        "--consent",
    )
    assert (stopped.exit_code, stopped.output) == (0, result.output)


async def test_the_operator_exports_what_is_kept_about_a_number(sms, cli):
    """The right of access for someone who asks at the desk: the same record as /mydata."""
    import json

    await _network(sms, "Torstrand", "torstrand")
    phone = sms.phone(NUMBER)
    await phone.send("Hei")
    await phone.send("2")  # English
    await phone.send("1")
    await phone.send("JOIN Torstrand")
    result = await asyncio.to_thread(cli, "resident", "export", "--phone", "912 34 567")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["resident"]["phone"] == NUMBER
    assert data["resident"]["language"] == "en"
    assert [m["network"] for m in data["memberships"]] == ["torstrand"]
    unknown = await asyncio.to_thread(cli, "resident", "export", "--phone", "98765432")
    assert unknown.exit_code != 0 and "not found" in unknown.output
