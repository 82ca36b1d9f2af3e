"""Ideas by SMS: Bjørg (Norwegian, SMS only) lists the ideas with IDE, supports one by its
number, proposes her own with IDE and her words (choosing the network by number when she is in
two), and hears when the host answers; a long list pages with MORE and keeps its instruction;
an Arabic SMS resident proposes in Arabic; bad input is refused in her language."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.i18n import SHIPPED_LOCALES
from bot.services import ideas, networks, residents
from bot.services.actors import Actor
from bot.sms_keywords import Command, shown
from bot.sms_segments import count, gsm_safe
from db.models import Idea, IdeaStatus, IdeaSupport, Network, Resident
from tests.support.residents import UserFactory, settler, user_factory
from tests.support.sms_phone import Phone, SmsNetwork, sms_network

BJORG = "+4791234567"
AMAL = "+4791234568"


@pytest.fixture
async def sms(database_url: str, fake_api) -> AsyncIterator[SmsNetwork]:  # type: ignore[no-untyped-def]
    # Walking a long list takes more texts than the SMS rate limit allows in ten minutes.
    async for network in sms_network(database_url, fake_api, rate_limit_sms="off"):
        yield network


@pytest.fixture
def make_user(sms, fake_api) -> UserFactory:  # type: ignore[no-untyped-def]
    """Telegram users of the SMS network's bot (one bot per test)."""
    return user_factory(fake_api)


async def _phone(sms: SmsNetwork, number: str, locale: str, *networks_: str) -> Phone:
    phone = sms.phone(number)
    await phone.send("Hei")
    await phone.send(str(SHIPPED_LOCALES.index(locale) + 1))
    await phone.send("1")
    for slug in networks_:
        await phone.send(f"{shown(Command.JOIN, locale)} {slug}")
    await phone.receive()
    return phone


async def _setup(sms: SmsNetwork, make_user: UserFactory):  # type: ignore[no-untyped-def]
    """Torstrand with its host Hilde and Kari, both on Telegram (settled through the services:
    what is tested here is the SMS side), and Nanset."""
    async with sms.app.sessionmaker() as session:
        torstrand = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
        await networks.create_network(session, Actor.operator(), name="Nanset", slug="nanset")
    settled = settler(sms.app, make_user)
    hilde = await settled("Hilde", join=["torstrand"])
    kari = await settled("Kari", join=["torstrand"])
    async with sms.app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", hilde.id)
    return torstrand.id, hilde, kari


async def _actor(sms: SmsNetwork, telegram_id: int) -> Actor:
    async with sms.app.sessionmaker() as session:
        return await residents.identify(session, telegram_id, ())


async def test_bjorg_supports_proposes_and_hears_the_answer_by_sms(sms, make_user):
    torstrand, hilde, kari = await _setup(sms, make_user)
    nb = sms.app.catalogs.translator("nb")
    async with sms.app.sessionmaker() as session:
        benches = await ideas.propose(
            session, await _actor(sms, kari.id), sms.app.catalogs, network_id=torstrand,
            text="Benker langs Torstrandgata",
        )  # fmt: skip
    bjorg = await _phone(sms, BJORG, "nb", "torstrand")
    [listed] = await bjorg.send("IDE")
    assert "1. Benker langs Torstrandgata" in listed
    assert count(listed).segments <= 2
    [thanks] = await bjorg.send("1")
    # As sent: typography made GSM (the Norwegian dash)
    assert thanks == gsm_safe(
        nb.ngettext(
            "Thank you! You support this idea, with {n} neighbour in all.",
            "Thank you! You support this idea, with {n} neighbours in all.",
            2,
        )
    )
    [again] = await bjorg.send("1")  # by SMS a number never withdraws
    assert again == gsm_safe(
        nb.ngettext(
            "You already support this idea, with {n} neighbour in all.",
            "You already support this idea, with {n} neighbours in all.",
            2,
        )
    )
    [posted] = await bjorg.send("ide Leksehjelp i biblioteket på tirsdager")
    assert "Torstrand" in posted
    async with sms.app.sessionmaker() as session:
        mine = await session.scalar(select(Idea).where(Idea.text.startswith("Leksehjelp")))
        assert mine.locale == "nb"
        assert (
            await session.scalar(select(IdeaSupport.channel).where(IdeaSupport.idea_id == mine.id))
            == "sms"
        )
        # The host answers both; Bjørg supports both, so she hears twice, once each.
        hilde_actor = await _actor(sms, hilde.id)
        for idea_id in (benches.id, mine.id):
            await ideas.set_status(
                session, hilde_actor, sms.app.catalogs, idea_id, IdeaStatus.CONSIDERING,
                "Vi tar det opp på neste møte.",
            )  # fmt: skip
    news = await bjorg.receive()
    assert len(news) == 2
    for text in news:
        assert "Vi tar det opp på neste møte." in text
        assert "under consideration" in text or nb.gettext("🔎 under consideration")[2:] in text


async def test_in_two_networks_the_idea_goes_where_she_says(sms, make_user):
    await _setup(sms, make_user)
    nb = sms.app.catalogs.translator("nb")
    bjorg = await _phone(sms, BJORG, "nb", "torstrand", "nanset")
    [question] = await bjorg.send("IDE Ny lekeplass ved skolen")
    assert nb.gettext("Which network is your idea for?") in question
    number = next(line.split()[0] for line in question.splitlines() if "Nanset" in line)
    [posted] = await bjorg.send(number)
    assert "Nanset" in posted
    async with sms.app.sessionmaker() as session:
        idea = await session.scalar(select(Idea))
        nanset = await session.scalar(select(Network.id).where(Network.slug == "nanset"))
        assert idea.text == "Ny lekeplass ved skolen" and idea.network_id == nanset


async def test_bad_input_and_no_network_are_refused_in_her_language(sms, make_user):
    await _setup(sms, make_user)
    ar = sms.app.catalogs.translator("ar")
    amal = await _phone(sms, AMAL, "ar")
    [join_first] = await amal.send("فكرة حديقة للأطفال")
    assert join_first == ar.gettext("Join a network first.")
    await amal.send(f"{shown(Command.JOIN, 'ar')} torstrand")
    [too_long] = await amal.send("فكرة " + "ب" * 501)
    assert too_long == ar.gettext("That did not work. Please try again.")
    [posted] = await amal.send("فكرة حديقة للأطفال قرب المدرسة")
    assert "Torstrand" in posted
    async with sms.app.sessionmaker() as session:
        idea = await session.scalar(select(Idea))
        assert idea.text == "حديقة للأطفال قرب المدرسة" and idea.locale == "ar"
        author = await session.scalar(select(Resident.id).where(Resident.phone == AMAL))
        assert idea.author_id == author


async def test_a_long_list_pages_with_more_and_keeps_its_instruction(sms, make_user):
    torstrand, _hilde, _kari = await _setup(sms, make_user)
    nb = sms.app.catalogs.translator("nb")
    async with sms.app.sessionmaker() as session:
        for n in range(1, 41):
            session.add(
                Idea(
                    network_id=torstrand, author_id=None, locale="nb",
                    text=f"Idé {n:02d}: " + "flere gatelys og benker i hele bydelen " * 5,
                    status=IdeaStatus.PROPOSED,
                )
            )  # fmt: skip
        await session.commit()
    bjorg = await _phone(sms, BJORG, "nb", "torstrand")
    more = nb.gettext("Reply {more} for the rest.", more=shown(Command.MORE, "nb"))
    [first] = await bjorg.send("IDE")
    header = nb.gettext(
        "Reply with a number to support an idea. {idea} and your words proposes one.",
        idea=shown(Command.IDEA, "nb"),
    )
    assert first.startswith(header) and first.endswith(more)
    parts = [first]
    while parts[-1].endswith(more):
        [part] = await bjorg.send("MER")
        parts.append(part)
        assert len(parts) < 50
    for part in parts:
        assert count(part).segments <= 2
    everything = "\n".join(parts)
    for n in range(1, 41):
        assert f"Idé {n:02d}" in everything
    # The oldest (equally unsupported ideas: newest first), on the last part, is supported by
    # its number.
    number = next(line.split(".")[0] for line in parts[-1].splitlines() if "Idé 01" in line)
    assert int(number) == 40
    await bjorg.send(number)
    async with sms.app.sessionmaker() as session:
        supported = await session.scalar(select(func.count()).select_from(IdeaSupport))
        assert supported == 1


async def test_the_sms_list_offers_only_ideas_still_in_the_making(sms, make_user):
    torstrand, hilde, kari = await _setup(sms, make_user)
    async with sms.app.sessionmaker() as session:
        kari_actor, hilde_actor = await _actor(sms, kari.id), await _actor(sms, hilde.id)
        done = await ideas.propose(
            session, kari_actor, sms.app.catalogs, network_id=torstrand, text="Gatelys"
        )
        await ideas.propose(
            session, kari_actor, sms.app.catalogs, network_id=torstrand, text="Benker"
        )
        await ideas.set_status(
            session, hilde_actor, sms.app.catalogs, done.id, IdeaStatus.DONE, "Ferdig!"
        )
    bjorg = await _phone(sms, BJORG, "nb", "torstrand")
    [listed] = await bjorg.send("IDEER")
    assert "1. Benker" in listed and "Gatelys" not in listed
    [telegram] = await kari.send("/ideas")  # in the bot, with its status
    assert "Gatelys" in telegram.text and "Benker" in telegram.text
