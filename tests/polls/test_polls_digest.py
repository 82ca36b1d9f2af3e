"""Open polls in the weekly digest: on Telegram the questions in the reader's language (the
creator's translation), by SMS one count with the keyword, within the SMS digest's two
segments even when the week is full."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.services import digest, polls
from bot.services.actors import Actor
from bot.sms_keywords import Command, shown
from bot.sms_segments import count
from bot.sms_texts import plain
from db.models import Channel, MemberRole, Membership, Rendering, Resident
from tests.support.events import actor_of
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker
from tests.support.polls import bench_draft

OSLO = ZoneInfo("Europe/Oslo")


async def test_open_polls_are_in_the_digest_compactly(app, network):
    view, host, olena, _amal, kari = network
    async with app.sessionmaker() as session:
        for n in range(5):
            await polls.publish(
                session,
                await actor_of(app, host),
                app.catalogs,
                bench_draft(view.id, question=f"Benker nummer {n}?" + " lang tekst" * 20),
            )
        await polls.publish(session, Actor.operator(), app.catalogs, bench_draft(None))
        sms_only = Resident(
            phone="+4791234567",
            locale="nb",
            privacy_accepted_at=datetime.now(UTC),
            phone_verified_at=datetime.now(UTC),
            reachable=True,
        )
        session.add(sms_only)
        await session.flush()
        session.add(Membership(resident_id=sms_only.id, network_id=view.id, role=MemberRole.MEMBER))
        await session.commit()
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    now = datetime.now(UTC)
    summary = await digest.Round(
        app.sessionmaker, app.catalogs, municipality="Larvik", now=now
    ).run(digest.week_of(now, OSLO))
    assert summary.sent >= 4
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    uk, nb = app.catalogs.translator("uk"), app.catalogs.translator("nb")
    letter = olena.last.text
    assert uk.gettext("📊 Open polls") in letter
    assert "Чи ставити лавки вздовж Торстрандгата?" in letter  # the creator's translation
    assert (
        uk.ngettext(
            "…and {n} more open poll: /polls", "…and {n} more open polls: /polls", 3
        ).format(n=3)
        in letter
    )
    assert nb.gettext("📊 Open polls") in kari.last.text
    async with app.sessionmaker() as session:
        texts = list(
            await session.scalars(select(Rendering.text).where(Rendering.channel == Channel.SMS))
        )
    digests = [text for text in texts if shown(Command.POLL, "nb") in text]
    assert digests
    for text in digests:
        assert count(plain(text)).segments <= 2
        assert (
            nb.ngettext(
                "{n} open poll ({poll})", "{n} open polls ({poll})", 6, poll="AVSTEMNING"
            ).format(n=6)
            in text
        )
