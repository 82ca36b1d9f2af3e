"""A resident's poll answers are theirs: /mydata lists them (what they chose, their words),
/forget erases them (their words out of the creator's results too) and the results count them
no more; closed polls go with the rest of the history after the retention period."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.services import polls, residents, retention
from db.models import Poll, PollBallot, PollChoice, Rendering
from tests.support.events import actor_of
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker
from tests.support.polls import bench_draft


async def test_mydata_shows_ballots_and_forget_erases_them(app, network):
    view, host, olena, *_ = network
    uk = app.catalogs.translator("uk")
    async with app.sessionmaker() as session:
        poll, _ = await polls.publish(
            session,
            await actor_of(app, host),
            app.catalogs,
            bench_draft(view.id, multiple=True, allow_other=True),
        )
        me = await actor_of(app, olena)
        await polls.vote(session, me, poll.id, poll.options[0].id)
        await polls.answer_other(session, me, poll.id, "Лавка біля школи")
        record = await residents.export(session, me)
    [ballot] = record.polls
    assert ballot["chose"] == ["Ja"] and ballot["other"] == "Лавка біля школи"
    assert record.as_json()["poll_answers"] == record.polls
    assert uk.ngettext("{n} answer to polls", "{n} answers to polls", 1) in residents.kept_counts(
        uk, record
    )
    await olena.send("/mydata")
    assert uk.ngettext("{n} answer to polls", "{n} answers to polls", 1) in "\n".join(
        m.text for m in olena.messages[-3:]
    )

    async with app.sessionmaker() as session:
        await polls.close_due(session, app.catalogs, now=poll.closes_at + timedelta(minutes=1))
    await outbox_worker(app, Clock(after_quiet_hours() + timedelta(days=4))).drain()
    assert "Лавка біля школи" in host.last.text

    async with app.sessionmaker() as session:
        await residents.forget(session, await actor_of(app, olena), app.catalogs)
    async with app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(PollBallot)) == 0
        assert await session.scalar(select(func.count()).select_from(PollChoice)) == 0
        texts = list(await session.scalars(select(Rendering.text)))
        assert not any("Лавка біля школи" in text for text in texts)
        # The poll stays with its network; its results no longer count her.
        results = await polls.for_actor(session, await actor_of(app, host), poll.id)
        assert results.ballots == 0


async def test_closed_polls_go_after_the_retention_period(app, network):
    view, host, olena, *_ = network
    async with app.sessionmaker() as session:
        old, _ = await polls.publish(
            session, await actor_of(app, host), app.catalogs, bench_draft(view.id)
        )
        still_open, _ = await polls.publish(
            session, await actor_of(app, host), app.catalogs, bench_draft(view.id, question="B?")
        )
        await polls.vote(session, await actor_of(app, olena), old.id, old.options[0].id)
        await polls.close(session, app.catalogs, old.id, now=old.closes_at)
        later = old.closes_at + timedelta(days=400)
        pruned = await retention.prune(session, timedelta(days=365), now=later)
    assert pruned.polls == 1
    async with app.sessionmaker() as session:
        assert [p.id for p in await session.scalars(select(Poll))] == [still_open.id]
        assert await session.scalar(select(func.count()).select_from(PollBallot)) == 0
