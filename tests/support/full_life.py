"""Kari's full life in Naboskap, for the tests of erasure: Telegram and a linked phone, two
networks, an event, help asked, offered and given, messages both ways, reports, blocks, digests;
and a scan of every column of every table for anything that points at her. Shared by
tests/residents/test_forget_everything.py (/forget, SLETT) and tests/cli/test_cli_people.py
(`naboskap resident remove`): each erasure must leave the same nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.fake_bot_api import FakeUser
from bot.services import digest, events, ideas, networks, phone_link, polls
from bot.services import help as helping
from bot.services.actors import Actor
from db.models import Answer, Base, HelpCategory, HelpFrequency, IdeaStatus
from tests.support.events import actor_of, event_draft
from tests.support.residents import onboard
from tests.support.sms_phone import SmsNetwork

KARI_TELEGRAM_ID = 734_500_123
KARI_PHONE = "+4791234567"


@dataclass
class Life:
    kari: FakeUser
    olena: FakeUser
    per: FakeUser
    host: FakeUser
    kari_id: int
    words: list[str] = field(default_factory=list)  # everything Kari wrote


async def _person(sms: SmsNetwork, fake_api, user_id: int, name: str, lang: str) -> FakeUser:  # type: ignore[no-untyped-def]
    user = FakeUser(fake_api, user_id, name, "nb" if lang == "Norsk (bokmål)" else "uk")
    await onboard(user, lang)
    for slug in ("torstrand", "fjordgata"):
        await user.send(f"/start join-{slug}")
    return user


async def live(sms: SmsNetwork, fake_api) -> Life:  # type: ignore[no-untyped-def]
    """Kari's full life, with Olena (uk), Per and Hilde the host around her."""
    app = sms.app
    async with app.sessionmaker() as session:
        torstrand = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
        await networks.create_network(session, Actor.operator(), name="Fjordgata", slug="fjordgata")
    kari = await _person(sms, fake_api, KARI_TELEGRAM_ID, "Kari", "Norsk (bokmål)")
    olena = await _person(sms, fake_api, 2001, "Olena", "Українська")
    per = await _person(sms, fake_api, 2002, "Per", "Norsk (bokmål)")
    host = await _person(sms, fake_api, 2003, "Hilde", "Norsk (bokmål)")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", host.id)
    ka, ol, pe = [await actor_of(app, u) for u in (kari, olena, per)]
    life = Life(kari, olena, per, host, ka.require_resident())
    net = torstrand.id

    # A linked phone, with SMS as the fallback, and one SMS conversation from it.
    async with app.sessionmaker() as session:
        await phone_link.request_phone_code(session, ka, app.catalogs, "912 34 567", "NO")
    [code_sms] = await sms.phone(KARI_PHONE).receive()
    code = re.search(r"\b(\d{6})\b", code_sms)
    assert code
    async with app.sessionmaker() as session:
        await phone_link.confirm_phone_code(session, ka, code.group(1))
        await phone_link.set_sms_fallback(session, ka, True)
    assert await sms.phone(KARI_PHONE).send("HJELP")

    # An event she says yes to, and a notice about it.
    async with app.sessionmaker() as session:
        soon = datetime.now(UTC) + timedelta(days=2)
        event, _ = await events.publish(
            session, Actor.operator(), app.catalogs, event_draft(net, starts_at=soon, ends_at=None)
        )
        await events.answer(session, ka, event.id, Answer.YES)

    async with app.sessionmaker() as session:
        await helping.set_offer(session, ka, net, {HelpCategory.LANGUAGE})
        await helping.set_offer(session, pe, net, {HelpCategory.ERRANDS}, HelpFrequency.INSTANT)
        await helping.set_offer(session, ol, net, {HelpCategory.COMPANY})
        # Kari helps Olena, and they write to each other.
        theirs, _ = await helping.ask(
            session,
            ol,
            app.catalogs,
            network_id=net,
            category=HelpCategory.LANGUAGE,
            description="Norsk over kaffe",
            needed_on=None,
        )
        await helping.offer_help(session, ka, app.catalogs, theirs.id)
        await helping.accept(session, ol, app.catalogs, theirs.id, life.kari_id)
        await helping.relay(session, ka, app.catalogs, theirs.id, "Kaffe-hemmelighet-XYZ")
        await helping.relay(session, ol, app.catalogs, theirs.id, "Так! До зустрічі")
        # Per helps Kari with her shopping, and she thanks him.
        errand, _ = await helping.ask(
            session,
            ka,
            app.catalogs,
            network_id=net,
            category=HelpCategory.ERRANDS,
            description="Handle-melk-QQ",
            needed_on=None,
        )
        await helping.offer_help(session, pe, app.catalogs, errand.id)
        await helping.accept(session, ka, app.catalogs, errand.id, pe.require_resident())
        await helping.relay(session, ka, app.catalogs, errand.id, "Nøkkel-under-matta-WW")
        await helping.relay(session, pe, app.catalogs, errand.id, "Kommer kl 12")
        await helping.close(session, ka, app.catalogs, errand.id, done=True)
        # A walk she asks company for: Per comes forward, they block each other; it is open again.
        walk, _ = await helping.ask(
            session,
            ka,
            app.catalogs,
            network_id=net,
            category=HelpCategory.COMPANY,
            description="Turkamerat-ZZ",
            needed_on=None,
        )
        await helping.offer_help(session, pe, app.catalogs, walk.id)
        await helping.accept(session, ka, app.catalogs, walk.id, pe.require_resident())
        await helping.block(session, ka, walk.id)
        await helping.block(session, pe, errand.id)
        # Reports: she reports Olena's request; Per reports her walk and her.
        await helping.report(session, ka, app.catalogs, theirs.id, "Rapport-fra-Kari-RR")
        await helping.report(session, pe, app.catalogs, walk.id, "Stemte ikke", about_resident=True)
        # Ideas (issue 15): hers, which Olena supports and the host answers; she supports Olena's.
        mine = await ideas.propose(session, ka, app.catalogs, network_id=net, text="Idé-benker-II")
        olenas = await ideas.propose(
            session, ol, app.catalogs, network_id=net, text="Городи на даху"
        )
        await ideas.set_support(session, ol, mine.id)
        await ideas.set_support(session, ka, olenas.id)
        hilde = await actor_of(app, host)
        await ideas.set_status(
            session, hilde, app.catalogs, mine.id, IdeaStatus.PLANNED, "Til våren"
        )
        # Polls (issue 15): Hilde asks; Kari chooses and writes her own words; it closes, and
        # Hilde's results quote those words.
        poll, _ = await polls.publish(
            session,
            hilde,
            app.catalogs,
            polls.PollDraft(
                network_id=net,
                question="Benker?",
                options=("Ja", "Nei"),
                closes_at=datetime.now(UTC) + timedelta(days=1),
                multiple=True,
                allow_other=True,
            ),
        )
        await polls.vote(session, ka, poll.id, poll.options[0].id)
        await polls.answer_other(session, ka, poll.id, "Poll-ord-OO")
        await polls.vote(session, ol, poll.id, poll.options[1].id)
        await polls.close(session, app.catalogs, poll.id)
    await sms.deliver()

    # The week's digests, one of which quotes her open walk to Olena.
    now = datetime.now(UTC)
    await digest.Round(app.sessionmaker, app.catalogs, municipality="Larvik", now=now).run(
        digest.week_of(now, app.catalogs.zone)
    )
    await sms.deliver()
    # And one more message to Olena that has not gone out yet.
    async with app.sessionmaker() as session:
        await helping.relay(session, ka, app.catalogs, theirs.id, "Ikke-sendt-ennå-PP")
    life.words = [
        "Kaffe-hemmelighet-XYZ",
        "Handle-melk-QQ",
        "Nøkkel-under-matta-WW",
        "Turkamerat-ZZ",
        "Rapport-fra-Kari-RR",
        "Ikke-sendt-ennå-PP",
        "Idé-benker-II",
        "Poll-ord-OO",
    ]
    return life


def _resident_columns() -> set[tuple[str, str]]:
    """Every (table, column) that refers to a resident."""
    return {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if any(fk.column.table.name == "residents" for fk in column.foreign_keys)
        or (table.name == "residents" and column.name == "id")
    }


async def traces(app, life: Life) -> list[tuple[str, str, object]]:  # type: ignore[no-untyped-def]
    """Every (table, column, value) in the whole database that points at Kari."""
    by_id = _resident_columns()
    texts = [str(KARI_TELEGRAM_ID), KARI_PHONE, KARI_PHONE[3:], "Kari", *life.words]
    found = []
    async with app.sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                for column, value in row.items():
                    hit = (
                        ((table.name, column) in by_id and value == life.kari_id)
                        or (isinstance(value, int) and value == KARI_TELEGRAM_ID)
                        or (isinstance(value, str) and any(t in value for t in texts))
                    )
                    if hit:
                        found.append((table.name, column, value))
    return found
