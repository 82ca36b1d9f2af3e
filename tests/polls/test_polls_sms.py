"""Polls by SMS: a poll notice comes with numbered options; "1 3" answers a multiple-choice
poll at once, the number of "Other" asks for the resident's words, POLLS (in their language)
lists the open polls and a number opens one; bad numbers get a reason, never a crash."""

from __future__ import annotations

from sqlalchemy import select

from bot.i18n import SHIPPED_LOCALES
from bot.services import networks, polls
from bot.services.actors import Actor
from bot.sms_keywords import Command, shown
from bot.sms_segments import count
from db.models import PollBallot
from tests.support.polls import bench_draft

BJORG, AMAL = "+4791234501", "+4791234502"


async def _onboarded(sms, number: str, locale: str):  # type: ignore[no-untyped-def]
    phone = sms.phone(number)
    await phone.send("Hei")
    await phone.send(str(SHIPPED_LOCALES.index(locale) + 1))
    await phone.send("1")
    await phone.send(f"{shown(Command.JOIN, locale)} torstrand")
    return phone


async def _network(sms) -> int:  # type: ignore[no-untyped-def]
    async with sms.app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    return view.id


async def test_numbers_answer_a_multiple_choice_poll_and_other_takes_words(sms):
    network_id = await _network(sms)
    bjorg = await _onboarded(sms, BJORG, "nb")
    nb = sms.app.catalogs.translator("nb")
    async with sms.app.sessionmaker() as session:
        await polls.publish(
            session,
            Actor.operator(),
            sms.app.catalogs,
            bench_draft(network_id, multiple=True, allow_other=True),
        )
    [notice] = await bjorg.receive()
    assert "Skal vi ha benker langs Torstrandgata?" in notice
    assert (
        nb.gettext("Reply {choices}", choices="1 Ja, 2 Nei, 3 Vet ikke, 4 Annet").replace(
            "Annet", nb.gettext("Other")
        )
        in notice
    )
    assert count(notice).segments <= 3

    [saved] = await bjorg.send("1 3")
    assert "Ja, Vet ikke" in saved
    [asked] = await bjorg.send("4")
    assert asked == nb.gettext("Write your answer in your own words.")
    [saved] = await bjorg.send("Benker med ryggstø, takk")
    assert nb.gettext("Other") in saved
    async with sms.app.sessionmaker() as session:
        ballot = (await session.scalars(select(PollBallot))).one()
    assert ballot.channel == "sms" and ballot.other_text == "Benker med ryggstø, takk"


async def test_polls_keyword_in_arabic_opens_a_poll_and_bad_numbers_are_refused(sms):
    network_id = await _network(sms)
    amal = await _onboarded(sms, AMAL, "ar")
    ar = sms.app.catalogs.translator("ar")
    async with sms.app.sessionmaker() as session:
        await polls.publish(session, Actor.operator(), sms.app.catalogs, bench_draft(network_id))
    await amal.receive()  # the notice
    [listing] = await amal.send(shown(Command.POLL, "ar"))
    assert ar.gettext("Reply with a number to answer a poll.") in listing
    [opened] = await amal.send("1")
    assert "Skal vi ha benker langs Torstrandgata?" in opened
    [refused] = await amal.send("1 2")  # one answer only in this poll
    assert refused == ar.gettext("This poll takes one answer only.")
    [refused] = await amal.send("9")
    assert refused == ar.gettext("Please reply with a number from 1 to {last}.", last=3)
    [saved] = await amal.send("2")
    assert "Nei" in saved
    [saved] = await amal.send("٣")  # Arabic-Indic three: a change of mind
    assert "Vet ikke" in saved
    async with sms.app.sessionmaker() as session:
        assert len(list(await session.scalars(select(PollBallot)))) == 1
