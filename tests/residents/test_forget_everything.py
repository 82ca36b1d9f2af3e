"""Forget means forget: Kari lives a full life in Naboskap (Telegram and a linked phone, two
networks, an event, help asked, offered and given, messages both ways, reports, blocks,
digests), then /forget; afterwards no column of any table holds her id, her Telegram id, her
number, her name or anything she wrote. And /mydata, before that, gave her all of it."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.fake_bot_api import FakeUser
from bot.services import digest, events, networks, phone_link
from bot.services import help as helping
from bot.services.actors import Actor
from db.models import (
    Answer,
    Base,
    HelpCategory,
    HelpFrequency,
    HelpRequest,
    Notice,
    NoticeKind,
    Rendering,
    RequestStatus,
)
from tests.support.events import actor_of, event_draft
from tests.support.residents import onboard
from tests.support.sms_phone import SmsNetwork, sms_network

KARI_TELEGRAM_ID = 734_500_123
KARI_PHONE = "+4791234567"


@pytest.fixture
async def sms(database_url: str, fake_api) -> AsyncIterator[SmsNetwork]:  # type: ignore[no-untyped-def]
    async for network in sms_network(database_url, fake_api):
        yield network


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


async def _live(sms: SmsNetwork, fake_api) -> Life:  # type: ignore[no-untyped-def]
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


async def _traces(app, life: Life) -> list[tuple[str, str, object]]:  # type: ignore[no-untyped-def]
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


async def test_forget_leaves_no_trace_of_her_in_any_table(sms, fake_api):
    app = sms.app
    life = await _live(sms, fake_api)
    before = {table for table, _, _ in await _traces(app, life)}
    # The scan sees her wherever she lived, so that "nothing" afterwards means something.
    assert {
        "residents",
        "memberships",
        "rsvps",
        "help_offers",
        "help_requests",
        "help_responses",
        "reports",
        "blocks",
        "notices",
        "renderings",
        "deliveries",
        "digests",
        "sms_conversations",
    } <= before

    nb = app.catalogs.translator("nb")
    await life.kari.send("/forget")
    await life.kari.press(nb.gettext("🗑 Yes, delete my data"))

    assert await _traces(app, life) == []


async def test_slett_by_sms_leaves_no_trace_of_her_either(sms, fake_api):
    app = sms.app
    life = await _live(sms, fake_api)
    phone = sms.phone(KARI_PHONE)
    await phone.receive()
    assert await phone.send("SLETT")
    await phone.send("1")

    assert await _traces(app, life) == []


async def _digest_texts(app) -> list[str]:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        rows = await session.scalars(
            select(Rendering.text)
            .join(Notice, Notice.id == Rendering.notice_id)
            .where(Notice.kind == NoticeKind.DIGEST)
        )
        return list(rows)


async def test_what_others_received_from_her_keeps_only_a_neutral_word(sms, fake_api):
    app = sms.app
    life = await _live(sms, fake_api)
    # Olena's digest quotes Kari's walk.
    assert any("Turkamerat-ZZ" in text for text in await _digest_texts(app))
    nb = app.catalogs.translator("nb")
    await life.kari.send("/forget")
    await life.kari.press(nb.gettext("🗑 Yes, delete my data"))
    digests = await _digest_texts(app)
    assert digests and not any("Turkamerat-ZZ" in text for text in digests)

    async with app.sessionmaker() as session:
        rows = await session.execute(
            select(Notice.kind, Rendering.locale, Rendering.text)
            .join(Rendering, Rendering.notice_id == Notice.id)
            .where(Notice.kind == NoticeKind.HELP_RELAY)
        )
        texts = {(kind, locale, text) for kind, locale, text in rows}
        # Olena still has "Так! До зустрічі" in Kari's chat; Kari's own words to her are gone.
        neutral = app.catalogs.translator("uk").gettext("A neighbour")
        assert (NoticeKind.HELP_RELAY, "uk", neutral) in texts
        # The request she was helping with is open again for others.
        olenas = await session.scalar(
            select(HelpRequest).where(HelpRequest.description == "Norsk over kaffe")
        )
        assert olenas is not None and olenas.status is RequestStatus.OPEN
        assert olenas.helper_id is None
    # The message that had not gone out yet never reaches Olena.
    before = len(life.olena.messages)
    await sms.deliver()
    assert all("Ikke-sendt" not in m.text for m in life.olena.messages[before:])


async def test_mydata_holds_every_part_of_her_life(sms, fake_api):
    life = await _live(sms, fake_api)
    replies = await life.kari.send("/mydata")
    data = json.loads(replies[-1].document.content)
    me = data["resident"]
    assert (me["telegram_id"], me["phone"], me["first_name"]) == (
        KARI_TELEGRAM_ID,
        KARI_PHONE,
        "Kari",
    )
    assert me["sms_fallback"] is True and me["phone_verified_at"]
    assert sorted(m["network"] for m in data["memberships"]) == ["fjordgata", "torstrand"]
    assert [a["answer"] for a in data["event_answers"]] == ["yes"]
    assert data["notices_received"] > 0
    assert data["digests"]
    help_ = data["help"]
    assert [(r["description"], r["status"]) for r in help_["requests"]] == [
        ("Handle-melk-QQ", "done"),
        ("Turkamerat-ZZ", "open"),
    ]
    assert help_["offers"]["categories"] == [{"network": "Torstrand", "category": "language"}]
    assert [(o["category"], o["chosen"]) for o in help_["offered_to_help"]] == [("language", True)]
    assert [m["text"] for m in help_["messages_written"]] == [
        "Kaffe-hemmelighet-XYZ",
        "Nøkkel-under-matta-WW",
        "Ikke-sendt-ennå-PP",
    ]
    assert [b["neighbour"] for b in help_["blocked"]] == ["Per"]
    assert [(r["reason"], r["about_a_person"]) for r in help_["reports_made"]] == [
        ("Rapport-fra-Kari-RR", False)
    ]
    assert help_["reports_about_you"] == 1
    assert help_["suspended_in"] == []
    # Everything she wrote is in the file she got.
    content = replies[-1].document.content.decode()
    for word in life.words:
        assert word in content
