"""Forget means forget: Kari lives a full life in Naboskap (Telegram and a linked phone, two
networks, an event, help asked, offered and given, messages both ways, reports, blocks,
digests), then /forget; afterwards no column of any table holds her id, her Telegram id, her
number, her name or anything she wrote. And /mydata, before that, gave her all of it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from db.models import HelpRequest, Notice, NoticeKind, Rendering, RequestStatus
from tests.support.full_life import KARI_PHONE, KARI_TELEGRAM_ID, live, traces
from tests.support.sms_phone import SmsNetwork, sms_network


@pytest.fixture
async def sms(database_url: str, fake_api) -> AsyncIterator[SmsNetwork]:  # type: ignore[no-untyped-def]
    async for network in sms_network(database_url, fake_api):
        yield network


async def test_forget_leaves_no_trace_of_her_in_any_table(sms, fake_api):
    app = sms.app
    life = await live(sms, fake_api)
    before = {table for table, _, _ in await traces(app, life)}
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
        "ideas",
        "idea_supports",
        "poll_ballots",
        "poll_choices",
    } <= before

    nb = app.catalogs.translator("nb")
    await life.kari.send("/forget")
    await life.kari.press(nb.gettext("🗑 Yes, delete my data"))

    assert await traces(app, life) == []


async def test_slett_by_sms_leaves_no_trace_of_her_either(sms, fake_api):
    app = sms.app
    life = await live(sms, fake_api)
    phone = sms.phone(KARI_PHONE)
    await phone.receive()
    assert await phone.send("SLETT")
    await phone.send("1")

    assert await traces(app, life) == []


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
    life = await live(sms, fake_api)
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
    life = await live(sms, fake_api)
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
