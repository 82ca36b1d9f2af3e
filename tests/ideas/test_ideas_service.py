"""Ideas through the services: proposing (bad input, the rate limit), supporting once per
resident, the hosts' answers reaching every supporter once, merging without double counting,
forwarding once, reports and hiding, and who may do what."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.config import RateLimit, RateLimits
from bot.services import ideas
from bot.services.actors import Actor
from bot.services.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
)
from db.models import (
    Delivery,
    Idea,
    IdeaStatus,
    IdeaSupport,
    Notice,
    NoticeKind,
    Report,
    Resident,
)
from tests.support.consistency import inconsistencies
from tests.support.outbox import NOON


async def _propose(app, actor, network_id, text, **kwargs):
    async with app.sessionmaker() as session:
        return await ideas.propose(
            session, actor, app.catalogs, network_id=network_id, text=text, now=NOON, **kwargs
        )


async def _told(app, kind: NoticeKind) -> list[int]:
    """The telegram ids told with notices of `kind`, one entry per delivery."""
    async with app.sessionmaker() as session:
        rows = await session.execute(
            select(Resident.telegram_id)
            .join(Delivery, Delivery.resident_id == Resident.id)
            .join(Notice, Notice.id == Delivery.notice_id)
            .where(Notice.kind == kind)
        )
        return sorted(int(r) for (r,) in rows)


async def test_an_idea_is_proposed_supported_by_its_author_and_the_hosts_hear(app, hood, actor_of):
    olena = await actor_of(hood.olena)
    view = await _propose(app, olena, hood.torstrand, "  Лавки вздовж Torstrandgata  ")
    assert view.text == "Лавки вздовж Torstrandgata"  # trimmed
    assert view.supporters == 1 and view.supported and view.mine
    assert view.status is IdeaStatus.PROPOSED and view.locale == "uk"
    assert await _told(app, NoticeKind.IDEA) == [hood.hilde.id]


@pytest.mark.parametrize(("text", "reason"), [("   ", "empty"), ("x" * 501, "too_long")])
async def test_empty_or_too_long_ideas_are_refused(app, hood, actor_of, text, reason):
    with pytest.raises(InvalidInput) as refused:
        await _propose(app, await actor_of(hood.kari), hood.torstrand, text)
    assert refused.value.reason == reason
    async with app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Idea)) == 0


async def test_proposing_is_rate_limited(app, hood, actor_of):
    kari = await actor_of(hood.kari)
    limits = RateLimits(ideas=(RateLimit(2, RateLimits.reports[0].window),))
    for n in range(2):
        await _propose(app, kari, hood.torstrand, f"Idé {n}", limits=limits)
    with pytest.raises(RateLimited):
        await _propose(app, kari, hood.torstrand, "Idé 3", limits=limits)
    async with app.sessionmaker() as session:
        with pytest.raises(RateLimited):
            await ideas.may_propose(session, kari, now=NOON, limits=limits)


async def test_one_support_per_resident_and_a_second_press_withdraws(app, hood, actor_of):
    view = await _propose(app, await actor_of(hood.olena), hood.torstrand, "Benker")
    kari = await actor_of(hood.kari)
    async with app.sessionmaker() as session:
        first = await ideas.set_support(session, kari, view.id)
        assert first.supported and first.changed and first.supporters == 2
        again = await ideas.set_support(session, kari, view.id, True)  # as by SMS
        assert again.supported and not again.changed and again.supporters == 2
        toggled = await ideas.set_support(session, kari, view.id)
        assert not toggled.supported and toggled.supporters == 1


async def test_strangers_and_forged_ids_are_refused(app, hood, actor_of):
    view = await _propose(app, await actor_of(hood.olena), hood.torstrand, "Benker")
    per, nils = await actor_of(hood.per), await actor_of(hood.nils)
    async with app.sessionmaker() as session:
        with pytest.raises(NotFound):  # not a member of Torstrand
            await ideas.set_support(session, per, view.id)
        with pytest.raises(NotFound):
            await ideas.set_support(session, per, 999)
        with pytest.raises(NotFound):
            await ideas.propose(
                session, per, app.catalogs, network_id=hood.torstrand, text="Mitt forslag"
            )
        with pytest.raises(NotFound):
            await ideas.idea(session, per, view.id)
        with pytest.raises(NotFound):
            await ideas.report(session, per, app.catalogs, view.id)
        # The host of another network can't answer, merge, forward or hide it.
        with pytest.raises(PermissionDenied):
            await ideas.set_status(session, nils, app.catalogs, view.id, IdeaStatus.PLANNED, "Nei")
        with pytest.raises(PermissionDenied):
            await ideas.forward(session, nils, app.catalogs, view.id, ())
        with pytest.raises(PermissionDenied):
            await ideas.hide(session, nils, view.id)
        # Nor can a member who is no host.
        with pytest.raises(PermissionDenied):
            await ideas.set_status(
                session, await actor_of(hood.kari), app.catalogs, view.id, IdeaStatus.DONE, ""
            )
        idea = await session.get(Idea, view.id)
        assert idea.status is IdeaStatus.PROPOSED and idea.forwarded_at is None


async def test_the_status_loop_tells_every_supporter_once(app, hood, actor_of):
    view = await _propose(app, await actor_of(hood.olena), hood.torstrand, "Leksekafé tirsdager")
    async with app.sessionmaker() as session:
        await ideas.set_support(session, await actor_of(hood.kari), view.id)
        await ideas.set_support(session, await actor_of(hood.amal), view.id)
        hilde = await actor_of(hood.hilde)
        answered, told = await ideas.set_status(
            session, hilde, app.catalogs, view.id, IdeaStatus.PLANNED, " Biblioteket sier ja "
        )
    assert told == 3 and answered.status is IdeaStatus.PLANNED
    assert answered.reason == "Biblioteket sier ja"
    assert await _told(app, NoticeKind.IDEA_STATUS) == sorted(
        [hood.olena.id, hood.kari.id, hood.amal.id]
    )
    async with app.sessionmaker() as session:
        with pytest.raises(InvalidInput):  # not an answer a host gives
            await ideas.set_status(session, hilde, app.catalogs, view.id, IdeaStatus.HIDDEN, "")
        with pytest.raises(InvalidInput):
            await ideas.set_status(
                session, hilde, app.catalogs, view.id, IdeaStatus.DONE, "x" * 501
            )


async def test_a_duplicate_merges_without_counting_anyone_twice(app, hood, actor_of):
    olena, kari, amal = [await actor_of(u) for u in (hood.olena, hood.kari, hood.amal)]
    target = await _propose(app, olena, hood.torstrand, "Benker langs Torstrandgata")
    duplicate = await _propose(app, kari, hood.torstrand, "Flere benker i Torstrandgata")
    other = await _propose(app, await actor_of(hood.per), hood.nanset, "Benker i Nanset")
    async with app.sessionmaker() as session:
        await ideas.set_support(session, olena, duplicate.id)  # supports both
        await ideas.set_support(session, amal, duplicate.id)
        hilde = await actor_of(hood.hilde)
        with pytest.raises(NotFound):  # across networks
            await ideas.merge(session, hilde, app.catalogs, duplicate.id, other.id)
        with pytest.raises(NotFound):  # into itself
            await ideas.merge(session, hilde, app.catalogs, duplicate.id, duplicate.id)
        merged = await ideas.merge(session, hilde, app.catalogs, duplicate.id, target.id)
    assert merged.id == target.id and merged.supporters == 3  # Olena, Kari, Amal: once each
    async with app.sessionmaker() as session:
        gone = await session.get(Idea, duplicate.id)
        assert gone.status is IdeaStatus.MERGED and gone.merged_into_id == target.id
        left = await session.scalar(
            select(func.count()).select_from(IdeaSupport).where(IdeaSupport.idea_id == gone.id)
        )
        assert left == 0
        with pytest.raises(InvalidInput):  # merged away: no more support
            await ideas.set_support(session, amal, duplicate.id)
    # Only those whose support moved are told where it went; Olena supported the target.
    assert await _told(app, NoticeKind.IDEA_STATUS) == sorted([hood.kari.id, hood.amal.id])
    assert await inconsistencies(app.sessionmaker) == []


async def test_forwarding_twice_sends_once(app, hood, actor_of, settled):
    from tests.support.settings import COORDINATOR_ID

    coordinator = await settled("Marte", user_id=COORDINATOR_ID)
    view = await _propose(app, await actor_of(hood.olena), hood.torstrand, "Ny lekeplass")
    async with app.sessionmaker() as session:
        hilde = await actor_of(hood.hilde)
        ids = app.settings.coordinator_ids
        assert await ideas.forward(session, hilde, app.catalogs, view.id, ids)
        assert not await ideas.forward(session, hilde, app.catalogs, view.id, ids)
    assert await _told(app, NoticeKind.IDEA_FORWARDED) == [coordinator.id]


async def test_reports_once_per_reporter_and_hidden_ideas_vanish(app, hood, actor_of):
    view = await _propose(app, await actor_of(hood.olena), hood.torstrand, "Kjøp billig på …")
    kari, amal = await actor_of(hood.kari), await actor_of(hood.amal)
    async with app.sessionmaker() as session:
        assert await ideas.report(session, kari, app.catalogs, view.id, "Reklame")
        assert not await ideas.report(session, kari, app.catalogs, view.id)
        assert await ideas.report(session, amal, app.catalogs, view.id)
    assert await _told(app, NoticeKind.REPORT) == [hood.hilde.id]  # once per idea
    async with app.sessionmaker() as session:
        await ideas.hide(session, await actor_of(hood.hilde), view.id)
        page = await ideas.ideas_page(session, kari, 0, 5)
        assert page.views == [] and page.total == 0
        open_reports = await session.scalar(
            select(func.count()).select_from(Report).where(Report.handled_at.is_(None))
        )
        assert open_reports == 0


async def test_the_list_is_paged_most_supported_first(app, hood, actor_of):
    kari, amal = await actor_of(hood.kari), await actor_of(hood.amal)
    async with app.sessionmaker() as session:
        for n in range(23):
            session.add(
                Idea(
                    network_id=hood.torstrand,
                    author_id=None,
                    text=f"Idé nummer {n}",
                    locale="nb",
                    status=IdeaStatus.PROPOSED,
                    created_at=NOON,
                    updated_at=NOON,
                )
            )
        await session.commit()
        await ideas.set_support(session, kari, 7)
        await ideas.set_support(session, amal, 7)
        await ideas.set_support(session, amal, 12)
        first = await ideas.ideas_page(session, kari, 0, 10)
        assert first.total == 23 and first.pages == 3
        assert [v.id for v in first.views[:2]] == [7, 12] and first.views[0].supported
        last = await ideas.ideas_page(session, kari, 99, 10)  # the nearest page that exists
        assert last.number == 2 and len(last.views) == 3
        seen = {
            v.id for p in range(3) for v in (await ideas.ideas_page(session, kari, p, 10)).views
        }
        assert len(seen) == 23


async def test_the_operator_lists_every_idea(app, hood, actor_of):
    await _propose(app, await actor_of(hood.olena), hood.torstrand, "Benker")
    async with app.sessionmaker() as session:
        batches = [b async for b in ideas.operator_rows(session, Actor.operator())]
        assert [r["text"] for b in batches for r in b] == ["Benker"]
        with pytest.raises(PermissionDenied):
            [b async for b in ideas.operator_rows(session, await actor_of(hood.kari))]


async def test_the_hub_counts_ideas_still_in_the_making(app, hood, actor_of):
    olena, kari = await actor_of(hood.olena), await actor_of(hood.kari)
    first = await _propose(app, olena, hood.torstrand, "Benker")
    await _propose(app, olena, hood.torstrand, "Gatelys")
    async with app.sessionmaker() as session:
        assert await ideas.open_count(session, kari) == 2
        await ideas.set_status(
            session, await actor_of(hood.hilde), app.catalogs, first.id, IdeaStatus.DONE, "Ferdig"
        )
        assert await ideas.open_count(session, kari) == 1
        assert await ideas.open_count(session, await actor_of(hood.per)) == 0
