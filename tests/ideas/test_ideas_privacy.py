"""A resident's ideas under their rights: /mydata shows the ideas they proposed and those they
support; /forget removes their ideas (their words, as with help requests), their supports and
every trace of their words in notices and digests; finished ideas are history the retention
period prunes, open ones stay."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.services import digest, ideas, residents, retention
from db.models import Idea, IdeaStatus, IdeaSupport, Rendering, Report
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker

OLENAS = "Городи на даху бібліотеки для всіх сусідів"


async def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_mydata_shows_ideas_proposed_and_supported(app, hood, actor_of):
    olena, kari = await actor_of(hood.olena), await actor_of(hood.kari)
    async with app.sessionmaker() as session:
        mine = await ideas.propose(
            session, olena, app.catalogs, network_id=hood.torstrand, text=OLENAS
        )
        theirs = await ideas.propose(
            session, kari, app.catalogs, network_id=hood.torstrand, text="Benker"
        )
        await ideas.set_support(session, olena, theirs.id)
        record = await residents.export(session, olena)
    data = record.as_json()["ideas"]
    assert [i["text"] for i in data["proposed"]] == [OLENAS]
    assert data["proposed"][0]["status"] == "proposed"
    assert {(s["idea"], s["own"]) for s in data["supported"]} == {
        (mine.id, True),
        (theirs.id, False),
    }
    assert "Benker" not in json.dumps(data)  # Kari's words are hers, not in Olena's record
    uk = app.catalogs.translator("uk")
    counts = residents.kept_counts(uk, record)
    assert uk.ngettext("{n} idea proposed", "{n} ideas proposed", 1) in counts
    assert uk.ngettext("{n} idea supported", "{n} ideas supported", 2) in counts
    # In the bot: the summary names them.
    replies = await hood.olena.send("/mydata")
    assert any(
        uk.ngettext("{n} idea proposed", "{n} ideas proposed", 1) in (r.text or r.caption or "")
        for r in replies
    )


async def test_forget_removes_their_ideas_and_supports_and_their_words(app, hood, actor_of):
    olena, kari = await actor_of(hood.olena), await actor_of(hood.kari)
    async with app.sessionmaker() as session:
        mine = await ideas.propose(
            session, olena, app.catalogs, network_id=hood.torstrand, text=OLENAS
        )
        theirs = await ideas.propose(
            session, kari, app.catalogs, network_id=hood.torstrand, text="Benker"
        )
        await ideas.set_support(session, kari, mine.id)
        await ideas.set_support(session, olena, theirs.id)
        await ideas.report(session, kari, app.catalogs, mine.id, "?")
        await ideas.set_status(
            session, await actor_of(hood.hilde), app.catalogs, mine.id, IdeaStatus.PLANNED, "Ja"
        )
    now = datetime.now(UTC)
    await digest.Round(app.sessionmaker, app.catalogs, municipality="Larvik", now=now).run(
        digest.week_of(now, app.catalogs.zone)
    )
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    assert OLENAS[:40] in hood.kari.last.text  # the digest quoted her idea
    async with app.sessionmaker() as session:
        await residents.forget(session, olena, app.catalogs)
    async with app.sessionmaker() as session:
        left = list(await session.scalars(select(Idea)))
        assert [i.id for i in left] == [theirs.id]
        supports = list(await session.scalars(select(IdeaSupport)))
        assert [(s.idea_id, s.resident_id) for s in supports] == [(theirs.id, kari.resident_id)]
        assert await session.scalar(select(func.count()).select_from(Report)) == 0
        texts = list(await session.scalars(select(Rendering.text)))
        assert not [t for t in texts if OLENAS[:30] in t]


async def test_finished_ideas_are_pruned_and_open_ones_stay(app, hood, actor_of):
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    old = now - timedelta(days=400)
    async with app.sessionmaker() as session:
        for status in (IdeaStatus.DONE, IdeaStatus.HIDDEN, IdeaStatus.PROPOSED, IdeaStatus.PLANNED):
            session.add(
                Idea(
                    network_id=hood.torstrand, author_id=None, text=status.value, locale="nb",
                    status=status, created_at=old, updated_at=old,
                )
            )  # fmt: skip
        session.add(
            Idea(
                network_id=hood.torstrand, author_id=None, text="recent", locale="nb",
                status=IdeaStatus.DONE, created_at=now, updated_at=now,
            )
        )  # fmt: skip
        await session.commit()
        pruned = await retention.prune(session, timedelta(days=365), now=now)
    assert pruned.ideas == 2
    async with app.sessionmaker() as session:
        assert set(await session.scalars(select(Idea.text))) == {"proposed", "planned", "recent"}
