"""The whole SMS path through a real Kannel on loopback (tests/support/kannel.py): a resident's
phone is fakesmsc, the bot is the real app with the Kannel gateway, its inbound route on the
port Kannel's get-url points at, and the real outbox worker sending through Kannel's sendsms.

A Ukrainian newcomer onboards by SMS, joins a network by keyword, gets an event notice whose
Cyrillic arrives intact, answers it with a number; delivery reports update the delivery rows;
STOPP stops everything."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from bot.channels.sms.conversation import Context
from bot.channels.sms.routes import serving, sms_application
from bot.services import broadcasts, events, networks
from bot.services.actors import Actor
from bot.services.events import EventDraft
from db.models import Answer, Channel, Delivery, Rsvp
from tests.support.kannel import FakeSmscMessage, KannelOnLoopback
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker
from tests.support.settings import make_settings
from tests.support.summaries import summarize

pytestmark = pytest.mark.slow  # a real Kannel: bearerbox, smsbox and fakesmsc

PHONE = "+4790011223"
SHORT_CODE = "2020"


def _decode(data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    if any(ord(c) < 0x20 and c != "\n" for c in text):  # UTF-16BE read as UTF-8
        return data.decode("utf-16-be")
    return text


def texts(messages: list[FakeSmscMessage]) -> list[str]:
    """Whole messages as the phone shows them: parts of a long one joined up."""
    whole: list[str] = []
    parts: dict[int, list[FakeSmscMessage]] = {}
    for message in messages:
        if message.kind != "udh":
            whole.append(message.text)
            continue
        reference, total, _ = message.part
        parts.setdefault(reference, []).append(message)
        if len(parts[reference]) == total:
            ordered = sorted(parts.pop(reference), key=lambda m: m.part[2])
            whole.append(_decode(b"".join(m.data for m in ordered)))
    return whole


@dataclass
class Town:
    app: App
    kannel: KannelOnLoopback
    clock: Clock

    def received(self) -> list[str]:
        return texts([m for m in self.kannel.received if m.receiver == PHONE])

    async def text(self, message: str, replies: int = 1) -> list[str]:
        """The phone sends `message`; returns the replies that reach it through Kannel."""
        before = len(self.received())
        await asyncio.to_thread(self.kannel.inject, PHONE, SHORT_CODE, message)
        return await self._wait(before, replies)

    async def _wait(self, before: int, replies: int) -> list[str]:
        for _ in range(200):  # at most about 10 s
            await outbox_worker(self.app, self.clock).drain()
            got = self.received()
            if len(got) >= before + replies:
                await asyncio.sleep(0.2)  # a further line of the same message may follow
                return self.received()[before:]
            await asyncio.sleep(0.05)
        raise TimeoutError(f"the phone got {len(self.received()) - before} of {replies} SMS")


@pytest.fixture
async def town(kannel: KannelOnLoopback, database_url: str, fake_api) -> AsyncIterator[Town]:  # type: ignore[no-untyped-def]
    settings = make_settings(
        database_url,
        fake_api.base_url,
        sms_gateway="kannel",
        sms_inbound_secret=kannel.secret,
        kannel_sendsms_url=kannel.sendsms_url,
        kannel_username=kannel.username,
        kannel_password=kannel.password,
        sms_public_url=kannel.receiver_url,
        sms_sender="Naboskap",
        sms_listen=f"127.0.0.1:{kannel.receiver_port}",
    )
    app = build_app(settings, pace=fake_api.pace)
    assert app.sms_gateway is not None
    web_app = sms_application(
        app.sessionmaker,
        app.sms_gateway,
        Context(app.catalogs, settings.municipality),
        secret=kannel.secret,
        region="NO",
    )
    async with serving(web_app, "127.0.0.1", kannel.receiver_port):
        yield Town(app, kannel, Clock(after_quiet_hours()))
    await app.close()


async def test_a_ukrainian_newcomer_takes_part_by_sms_through_kannel(town: Town):
    async with town.app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )

    [menu] = await town.text("Hei")
    assert "3 Українська" in menu  # UCS-2 through Kannel, intact
    [privacy] = await town.text("3")
    assert "СТОП" in privacy
    [welcome] = await town.text("1")
    assert "СПІЛЬНОТИ" in welcome
    [joined] = await town.text("Приєднатися torstrand")  # Cyrillic in, any case
    assert "Torstrand" in joined

    starts = datetime.now(UTC) + timedelta(days=4)
    async with town.app.sessionmaker() as session:
        event, result = await events.publish(
            session,
            Actor.operator(),
            town.app.catalogs,
            EventDraft(
                network_id=view.id,
                title="Мовне кафе: говоримо норвезькою",
                starts_at=starts,
                place="Larvik bibliotek",
            ),
        )
    assert result.by_locale == {"uk": 1}
    # By SMS, new events come in the day's summary only (bot.services.events.flood).
    before = len(town.received())
    await summarize(town.app)
    [notice] = await town._wait(before, 1)
    assert "Мовне кафе: говоримо норвезькою" in notice

    [listing] = await town.text("ПОДІЇ")
    assert "Мовне кафе" in listing
    [thanks] = await town.text("1")  # coming
    assert "Мовне кафе" in thanks
    async with town.app.sessionmaker() as session:
        answer = await session.scalar(select(Rsvp.answer).where(Rsvp.event_id == event.id))
    assert answer == Answer.YES

    # Kannel's delivery reports (fakesmsc delivers everything) reach the delivery rows.
    for _ in range(300):
        async with town.app.sessionmaker() as session:
            reports = list(
                await session.scalars(
                    select(Delivery.report)
                    # SMS that went out (the held notice of the event was told by the summary)
                    .where(Delivery.channel == Channel.SMS, Delivery.segments.is_not(None))
                    .order_by(Delivery.id)
                )
            )
        if reports and all(r == "delivered" for r in reports):
            break
        await asyncio.sleep(0.1)
    assert reports and all(r == "delivered" for r in reports), reports

    [stopped] = await town.text("STOPP")
    assert "СТАРТ" in stopped
    async with town.app.sessionmaker() as session:
        after = await broadcasts.broadcast(
            session, Actor.operator(), town.app.catalogs, text="Dugnad", network_id=view.id
        )
    assert sum(after.by_locale.values()) == 0
    await outbox_worker(town.app, town.clock).drain()
    await asyncio.sleep(0.5)
    assert not any("Dugnad" in t for t in town.received())
