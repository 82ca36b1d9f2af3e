"""Neighbour help tried as a hostile resident would: a forged button that ends someone else's
match, and a request posted in a closed network. Each refusal is a translated answer that
leaves the database as it was."""

from __future__ import annotations

from sqlalchemy import select

from bot.services import actions, networks, residents
from bot.services import help as helping
from bot.services.actions import AcceptHelper, BlockMatch, OfferHelp
from bot.services.actors import Actor
from db.models import Base, HelpCategory, HelpRequest, RequestStatus


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
