"""Neighbour help through the services: ask, offer, match, talk through the bot, finish;
reports, hiding and suspension; expiry with a nudge; figures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services import help as helping
from bot.services import networks, residents
from bot.services.actors import Actor
from bot.services.errors import NotFound, PermissionDenied
from db.models import HelpCategory, HelpFrequency, RequestStatus
from tests.support.outbox import NOON, Clock, outbox_worker


async def _actor(app, user) -> Actor:
    async with app.sessionmaker() as session:
        return await residents.identify(session, user.id, app.settings.coordinator_ids)


async def _ask(app, session, user, network_id, category, description):
    """`user` asks for help in the network, at NOON, with no particular day."""
    return await helping.ask(
        session,
        await _actor(app, user),
        app.catalogs,
        network_id=network_id,
        category=category,
        description=description,
        needed_on=None,
        now=NOON,
    )


@pytest.fixture
async def neighbours(app, resident):
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    olena = await resident("Olena", "Українська", "uk")
    kari = await resident("Kari")
    host = await resident("Hilde")
    for user in (olena, kari, host):
        await user.send("/start join-torstrand")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", host.id)
        await helping.set_offer(
            session, await _actor(app, kari), view.id, {HelpCategory.LANGUAGE, HelpCategory.DIGITAL}
        )
    return view, olena, kari, host


async def test_a_newcomer_gets_language_practice_through_the_bot(app, neighbours):
    view, olena, kari, _host = neighbours
    async with app.sessionmaker() as session:
        request, reached = await _ask(
            app,
            session,
            olena,
            view.id,
            HelpCategory.LANGUAGE,
            "Хочу практикувати норвезьку, раз на тиждень",
        )
    assert reached == 1
    await outbox_worker(app, Clock(NOON)).drain()
    nb = app.catalogs.translator("nb")
    assert nb.gettext("🗣 Language practice") in kari.last.text  # in Kari's Norwegian
    async with app.sessionmaker() as session:
        found = await helping.open_requests(session, await _actor(app, kari))
        assert [r.id for r in found] == [request.id]
        await helping.offer_help(
            session, await _actor(app, kari), app.catalogs, request.id, now=NOON
        )
    await outbox_worker(app, Clock(NOON)).drain()
    assert "Kari" in olena.last.text
    kari_resident_id = (await _actor(app, kari)).resident_id
    async with app.sessionmaker() as session:
        await helping.accept(
            session, await _actor(app, olena), app.catalogs, request.id, kari_resident_id, now=NOON
        )
        await helping.relay(
            session,
            await _actor(app, kari),
            app.catalogs,
            request.id,
            "Hei! Passer onsdag kl 17?",
            now=NOON,
        )
        await helping.relay(
            session, await _actor(app, olena), app.catalogs, request.id, "Так, дякую!", now=NOON
        )
    await outbox_worker(app, Clock(NOON)).drain()
    relayed = [m for m in olena.messages if "Passer onsdag" in m.text][-1]
    assert relayed.text.startswith("💬 Kari:")
    for secret in (str(kari.id), "@", "+47"):
        assert secret not in relayed.text
    assert all(str(kari.id) not in b.get("callback_data", "") for b in relayed.buttons)
    assert "Так, дякую!" in kari.last.text
    async with app.sessionmaker() as session:
        done = await helping.close(
            session, await _actor(app, olena), app.catalogs, request.id, done=True, now=NOON
        )
    assert done.status is RequestStatus.DONE
    await outbox_worker(app, Clock(NOON)).drain()
    assert "💛" in kari.last.text


async def test_only_the_requester_accepts_and_strangers_cannot_answer(app, neighbours, resident):
    view, olena, kari, host = neighbours
    async with app.sessionmaker() as session:
        request, _ = await _ask(
            app, session, olena, view.id, HelpCategory.DIGITAL, "Help with BankID"
        )
        await helping.offer_help(
            session, await _actor(app, kari), app.catalogs, request.id, now=NOON
        )
        kari_id = (await _actor(app, kari)).resident_id
        with pytest.raises(NotFound):  # a forged accept from someone else
            await helping.accept(
                session, await _actor(app, host), app.catalogs, request.id, kari_id
            )
    stranger = await resident("Per")
    async with app.sessionmaker() as session:
        with pytest.raises(NotFound):
            await helping.offer_help(session, await _actor(app, stranger), app.catalogs, request.id)
        await helping.suspend(session, await _actor(app, host), view.id, kari_id)
        with pytest.raises(PermissionDenied):
            await helping.offer_help(session, await _actor(app, kari), app.catalogs, request.id)
        assert await helping.open_requests(session, await _actor(app, kari)) == []


async def test_a_report_reaches_the_host_who_hides_the_request(app, neighbours):
    view, olena, kari, host = neighbours
    async with app.sessionmaker() as session:
        request, _ = await _ask(
            app, session, olena, view.id, HelpCategory.LANGUAGE, "Selger billige telefoner"
        )
        await helping.report(
            session, await _actor(app, kari), app.catalogs, request.id, "Reklame", now=NOON
        )
        found = await helping.reports(session, await _actor(app, host))
        assert [r.request_id for r in found] == [request.id]
        with pytest.raises(PermissionDenied):
            await helping.hide(session, await _actor(app, kari), request.id)
        await helping.hide(session, await _actor(app, host), request.id)
        assert await helping.open_requests(session, await _actor(app, kari)) == []
        assert await helping.reports(session, await _actor(app, host)) == []


async def test_requests_expire_after_a_nudge_once(app, neighbours):
    view, olena, _kari, _host = neighbours
    async with app.sessionmaker() as session:
        await _ask(app, session, olena, view.id, HelpCategory.ERRANDS, "Handle til meg")
        assert await helping.expire_due(
            session, app.catalogs, now=NOON + timedelta(days=12, hours=1)
        ) == (1, 0)
        assert await helping.expire_due(
            session, app.catalogs, now=NOON + timedelta(days=12, hours=2)
        ) == (0, 0)
        assert await helping.expire_due(
            session, app.catalogs, now=NOON + timedelta(days=14, hours=1)
        ) == (0, 1)
        stats = await helping.stats(session, Actor.operator())
    assert stats[0].by_category[HelpCategory.ERRANDS][RequestStatus.EXPIRED] == 1
    assert stats[0].helpers_active == 1


async def test_weekly_helpers_get_requests_held_for_the_digest(app, neighbours):
    view, olena, kari, _host = neighbours
    async with app.sessionmaker() as session:
        await helping.set_offer(
            session, await _actor(app, kari), view.id, {HelpCategory.LANGUAGE}, HelpFrequency.WEEKLY
        )
        await _ask(app, session, olena, view.id, HelpCategory.LANGUAGE, "Norsk")
    before = len(kari.messages)
    await outbox_worker(app, Clock(NOON)).drain()
    assert len(kari.messages) == before


async def test_blocking_ends_the_conversation_and_stops_offers(app, neighbours):
    view, olena, kari, _host = neighbours
    async with app.sessionmaker() as session:
        request, _ = await _ask(app, session, olena, view.id, HelpCategory.LANGUAGE, "Norsk")
        await helping.offer_help(
            session, await _actor(app, kari), app.catalogs, request.id, now=NOON
        )
        kari_id = (await _actor(app, kari)).resident_id
        await helping.accept(
            session, await _actor(app, olena), app.catalogs, request.id, kari_id, now=NOON
        )
        reopened = await helping.block(session, await _actor(app, kari), request.id)
        assert reopened.status is RequestStatus.OPEN
        with pytest.raises(NotFound):
            await helping.relay(session, await _actor(app, olena), app.catalogs, request.id, "Hei?")
        with pytest.raises(NotFound):
            await helping.offer_help(session, await _actor(app, kari), app.catalogs, request.id)
