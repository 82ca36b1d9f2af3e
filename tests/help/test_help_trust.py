"""Neighbour help tried as a hostile resident would: a forged button that ends someone else's
match, a request posted in a closed network, and a Report button pressed again and again. Each
refusal is a translated answer that leaves the database as it was."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.services import actions, networks, residents
from bot.services import help as helping
from bot.services.actions import AcceptHelper, BlockMatch, OfferHelp, ReportMatch
from bot.services.actors import Actor
from db.models import Base, HelpCategory, HelpRequest, Notice, NoticeKind, RequestStatus
from db.queries import help as hq
from handlers.callbacks import HelpAction, HelpCb


async def _network(app, resident, *names: str):  # type: ignore[no-untyped-def]
    """Torstrand with a host (Hilde) and members called `names` (Olena in Ukrainian)."""
    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    host = await resident("Hilde")
    members = [
        await resident(name, "Українська", "uk") if name == "Olena" else await resident(name)
        for name in names
    ]
    for user in (host, *members):
        await user.send("/start join-torstrand")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", host.id)
    return view, host, *members


async def _actor(app, user) -> Actor:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return await residents.identify(session, user.id, ())


async def _ask(app, asker, category: HelpCategory = HelpCategory.DIGITAL) -> int:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        view, _ = await helping.ask(
            session,
            await _actor(app, asker),
            app.catalogs,
            network_id=1,
            category=category,
            description="BankID på ny telefon",
            needed_on=None,
        )
    return view.id


async def _rows(app, *tables: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the named tables, in a stable order: to compare before and after."""
    async with app.sessionmaker() as session:
        dump = {}
        for name in tables:
            table = Base.metadata.tables[name]
            result = await session.execute(select(table).order_by(*table.primary_key.columns))
            dump[name] = [tuple(row) for row in result]
    return dump


async def test_a_third_responder_cannot_end_someone_elses_match(app, resident):
    _view, _host, olena, kari, per = await _network(app, resident, "Olena", "Kari", "Per")
    nb = app.catalogs.translator("nb")
    request_id = await _ask(app, olena)
    kari_actor = await _actor(app, kari)
    for helper in (kari, per):
        await helper.press_data(actions.pack(OfferHelp(request_id)))
    await olena.press_data(actions.pack(AcceptHelper(request_id, kari_actor.resident_id)))
    tables = ("help_requests", "help_responses", "blocks")
    before = await _rows(app, *tables)

    await per.press_data(actions.pack(BlockMatch(request_id)))

    assert per.last_answer["text"] == nb.gettext("I couldn't find that. It may have been removed.")
    assert await _rows(app, *tables) == before
    async with app.sessionmaker() as session:
        request = await session.get(HelpRequest, request_id)
        assert request is not None
    assert request.status is RequestStatus.MATCHED
    assert request.helper_id == kari_actor.resident_id


async def test_the_matched_helper_can_still_block(app, resident):
    _view, _host, olena, kari, per = await _network(app, resident, "Olena", "Kari", "Per")
    nb = app.catalogs.translator("nb")
    request_id = await _ask(app, olena)
    for helper in (kari, per):
        await helper.press_data(actions.pack(OfferHelp(request_id)))
    await olena.press_data(
        actions.pack(AcceptHelper(request_id, (await _actor(app, kari)).resident_id))
    )
    await kari.press_data(actions.pack(BlockMatch(request_id)))
    assert kari.last_answer["text"] == nb.gettext(
        "Blocked. You won't hear from each other here again."
    )
    async with app.sessionmaker() as session:
        request = await session.get(HelpRequest, request_id)
        assert request is not None
    assert (request.status, request.helper_id) == (RequestStatus.OPEN, None)


async def test_no_request_can_be_posted_in_an_archived_network(app, resident):
    view, _host, olena = await _network(app, resident, "Olena")
    uk = app.catalogs.translator("uk")
    async with app.sessionmaker() as session:
        await networks.create_network(session, Actor.operator(), name="Hovland", slug="hovland")
    await olena.send("/start join-hovland")
    await olena.send("/ask")
    await olena.press(helping.category_label(uk, HelpCategory.DIGITAL))
    await olena.send("Допоможіть з BankID")
    await olena.press(uk.gettext("Flexible"))
    # While she chooses the network, it closes; her button still names it.
    async with app.sessionmaker() as session:
        await networks.set_archived(session, Actor.operator(), view.id, True)
    before = await _rows(app, "help_requests", "notices")

    await olena.press("Torstrand")

    # The button was answered before posting: the refusal comes as a message.
    assert olena.last.text == uk.gettext("That network is closed.")
    assert await _rows(app, "help_requests", "notices") == before


async def _report_notices(app) -> int:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return await session.scalar(
            select(func.count()).select_from(Notice).where(Notice.kind == NoticeKind.REPORT)
        )


async def test_pressing_report_again_creates_nothing_and_hosts_hear_once(app, resident):
    _view, _host, olena, kari, per = await _network(app, resident, "Olena", "Kari", "Per")
    nb = app.catalogs.translator("nb")
    request_id = await _ask(app, olena)
    report = HelpCb(action=HelpAction.REPORT, request_id=request_id).pack()

    await kari.press_data(report)
    assert kari.last_answer["text"] == nb.gettext("Thank you. The hosts will look at it.")
    before = await _rows(app, "reports", "notices", "deliveries")
    for _ in range(5):
        await kari.press_data(report)
        assert kari.last_answer["text"] == nb.gettext(
            "You have already reported this. The hosts will look at it."
        )
    assert await _rows(app, "reports", "notices", "deliveries") == before

    # Another neighbour's report of the same request is kept, but the hosts know already.
    await per.press_data(report)
    assert per.last_answer["text"] == nb.gettext("Thank you. The hosts will look at it.")
    assert len((await _rows(app, "reports"))["reports"]) == 2
    assert await _report_notices(app) == 1


async def test_a_handled_report_can_be_made_again_and_the_person_is_another_item(app, resident):
    _view, host, olena, kari = await _network(app, resident, "Olena", "Kari")
    nb = app.catalogs.translator("nb")
    request_id = await _ask(app, olena)
    await kari.press_data(actions.pack(OfferHelp(request_id)))
    await olena.press_data(
        actions.pack(AcceptHelper(request_id, (await _actor(app, kari)).resident_id))
    )
    # The request and the person behind it are two things to report, each heard of once.
    await olena.press_data(actions.pack(ReportMatch(request_id)))
    await olena.press_data(actions.pack(ReportMatch(request_id)))
    await kari.press_data(HelpCb(action=HelpAction.REPORT, request_id=request_id).pack())
    assert len((await _rows(app, "reports"))["reports"]) == 2
    assert await _report_notices(app) == 2

    # Once the hosts have dealt with it, the item can be reported (and heard of) again.
    async with app.sessionmaker() as session:
        await helping.hide(session, await _actor(app, host), request_id)
    await kari.press_data(HelpCb(action=HelpAction.REPORT, request_id=request_id).pack())
    assert kari.last_answer["text"] == nb.gettext("Thank you. The hosts will look at it.")
    assert len((await _rows(app, "reports"))["reports"]) == 3
    assert await _report_notices(app) == 3


async def test_a_press_racing_another_adds_no_second_report(app, resident, monkeypatch):
    _view, _host, olena, kari = await _network(app, resident, "Olena", "Kari")
    nb = app.catalogs.translator("nb")
    request_id = await _ask(app, olena)
    report = HelpCb(action=HelpAction.REPORT, request_id=request_id).pack()
    await kari.press_data(report)
    before = await _rows(app, "reports", "notices", "deliveries")

    # Both presses read "not reported yet" before either wrote: the database says no.
    async def nobody(*_args: object) -> set[int]:
        return set()

    monkeypatch.setattr(hq, "open_reporters", nobody)
    await kari.press_data(report)
    assert kari.last_answer["text"] == nb.gettext(
        "You have already reported this. The hosts will look at it."
    )
    assert await _rows(app, "reports", "notices", "deliveries") == before
