"""📈 Insight as coordinators and hosts meet it in the bot: the menu from the coordinator's panel
and from a hosted network's card, each figure a 1000×600 chart sent as a photo whose caption
holds the figure's numbers, "nothing to show yet" in words where there is nothing, the full
text after the photo when it is longer than a caption; a host sees only their own network, a
resident nothing, and forged buttons are answered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from bot.fake_bot_api import FakeUser
from bot.fake_bot_api.state import ChatMessage
from bot.services import networks
from bot.services.actors import Actor
from bot.services.insight import building
from bot.services.insight.figures import FigureKey, Insight
from bot.services.networks.views import NetworkView
from handlers.callbacks import InsightAction, InsightCb
from tests.support.polls import png_size
from tests.support.residents import settler
from tests.support.settings import COORDINATOR_ID

INSIGHT = "📈 Insight"
MEMBERS = "👥 Members over time"


@pytest.fixture
def arrive(app, make_user):  # type: ignore[no-untyped-def]
    return settler(app, make_user)


@pytest.fixture
async def town(app, arrive) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Torstrand: host Hilde and six members (four nb, Olena uk, Amal ar): seven in all.
    Nanset: host Nils and Kari: two, a group too small to show. Marte coordinates."""
    operator = Actor.operator()
    async with app.sessionmaker() as session:
        torstrand = await networks.create_network(
            session, operator, name="Torstrand", slug="torstrand"
        )
        nanset = await networks.create_network(session, operator, name="Nanset", slug="nanset")
    hilde = await arrive("Hilde")
    nils = await arrive("Nils")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, operator, "torstrand", hilde.id)
        await networks.set_host_by_telegram_id(session, operator, "nanset", nils.id)
    olena = await arrive("Olena", "uk", join=["torstrand"])
    await arrive("Amal", "ar", join=["torstrand"])
    for name in ("Per", "Pål", "Espen", "Siri"):
        await arrive(name, join=["torstrand"])
    await arrive("Kari", join=["nanset"])
    marte = await arrive("Marte", user_id=COORDINATOR_ID)
    return {
        "torstrand": torstrand,
        "nanset": nanset,
        "hilde": hilde,
        "olena": olena,
        "marte": marte,
    }


async def _built(app, user: FakeUser, locale: str, network: NetworkView | None) -> Insight:  # type: ignore[no-untyped-def]
    """What the service builds for `user`, to hold the chat's photos and texts to."""
    t = app.catalogs.translator(locale)
    today = datetime.now(app.settings.zone).date()
    async with app.sessionmaker() as session:
        actor = await _actor(app, user)
        return await building.build(
            session,
            actor,
            t,
            building.chat_period(today),
            network_id=network.id if network else None,
            min_group=app.settings.min_group_size,
        )


async def _actor(app, user: FakeUser) -> Actor:  # type: ignore[no-untyped-def]
    from bot.services import residents

    async with app.sessionmaker() as session:
        return await residents.identify(session, user.id, app.settings.coordinator_ids)


def _photo(message: ChatMessage) -> bytes:
    assert message.photo is not None, f"not a photo: {message.text!r}"
    return message.photo.content


async def test_a_coordinator_sees_each_figure_as_a_chart_with_its_numbers(app, town):
    marte: FakeUser = town["marte"]
    nb = app.catalogs.translator("nb")
    await marte.send("/coordinate")
    await marte.press(nb.gettext(INSIGHT))
    menu = marte.last
    assert nb.gettext("All networks") in menu.text
    assert nb.ngettext("the last {n} week", "the last {n} weeks", 12) in menu.text
    built = await _built(app, marte, "nb", None)

    await marte.press(nb.gettext(MEMBERS))
    chart = marte.last
    assert png_size(_photo(chart)) == (1000, 600)
    members = built.figures[0]
    assert chart.text == members.caption  # the numbers, as the service counted them
    # This week: Torstrand's seven, Nanset's two shown only as "< 5".
    week = nb.gettext("week {n}", n=nb.number(datetime.now(app.settings.zone).isocalendar()[1]))
    assert chart.text.splitlines()[-1] == f"{week} — Torstrand: 7; Nanset: < 5"
    # The menu comes with the chart, so one figure follows another.
    assert nb.gettext("🌍 Members by language") in chart.button_texts

    await marte.press(nb.gettext("🌍 Members by language"))
    languages = marte.last
    assert png_size(_photo(languages)) == (1000, 600)
    assert languages.text == built.figures[1].caption
    # Seven members in Norwegian (the hosts, Kari and four in Torstrand; Marte is in no
    # network); Ukrainian and Arabic one each: too few, and so shown only as "< 5".
    lines = languages.text.splitlines()
    assert f"{_capital(nb.language_name('nb'))}: 7" in lines
    assert f"{_capital(nb.language_name('uk'))}: < 5" in lines

    # Every figure answers: a chart with the service's caption, or in words that there is
    # nothing yet (no polls, events or volunteering in this town).
    for figure in built.figures[2:]:
        label = next(b for b in marte.last.button_texts if b.startswith(_emoji(figure.key)))
        await marte.press(label)
        answer = marte.last
        if figure.empty:
            assert answer.photo is None and figure.title in answer.text
        else:
            assert png_size(_photo(answer)) == (1000, 600) and answer.text == figure.caption


def _capital(name: str) -> str:
    return name[:1].upper() + name[1:]


def _emoji(key: FigureKey) -> str:
    return {
        FigureKey.MEMBERS: "👥",
        FigureKey.LANGUAGES: "🌍",
        FigureKey.CHANNELS: "📱",
        FigureKey.NOTICES: "📣",
        FigureKey.HELP: "🤝",
        FigureKey.EVENTS: "🗓",
        FigureKey.POLLS: "📊",
        FigureKey.VOLUNTEERING: "🧹",
    }[key]


async def test_nothing_yet_is_said_in_words_and_a_small_network_is_too_few(app, town):
    marte: FakeUser = town["marte"]
    nb = app.catalogs.translator("nb")
    await marte.send("/coordinate")
    await marte.press(nb.gettext(INSIGHT))
    photos = sum(m.photo is not None for m in marte.messages)
    await marte.press(nb.gettext("📊 Polls"))
    assert marte.last.photo is None
    assert nb.gettext("Nothing to show yet: there is nothing to count here in these weeks.") in (
        marte.last.text
    )
    # Nanset, chosen from the list of networks: two members, fewer than five.
    await marte.press(nb.gettext("🏘 One network"))
    await marte.press("Nanset")
    assert "Nanset" in marte.last.text
    await marte.press(nb.gettext(MEMBERS))
    assert marte.last.photo is None
    assert (
        nb.gettext(
            "Too few to show yet: groups of fewer than {n} people are not shown, so that no "
            "one can be picked out.",
            n=5,
        )
        in marte.last.text
    )
    assert sum(m.photo is not None for m in marte.messages) == photos
    assert nb.gettext("🌐 All networks") in marte.last.button_texts


async def test_a_host_sees_their_own_network_and_no_other(app, town):
    hilde: FakeUser = town["hilde"]
    nb = app.catalogs.translator("nb")
    await hilde.send("/networks")
    await hilde.press("✅ Torstrand")
    await hilde.press(nb.gettext(INSIGHT))
    assert "Torstrand" in hilde.last.text
    assert nb.gettext("🏘 One network") not in hilde.last.button_texts  # coordinators only
    await hilde.press(nb.gettext(MEMBERS))
    chart = hilde.last
    assert png_size(_photo(chart)) == (1000, 600)
    assert "Nanset" not in chart.text and chart.text.splitlines()[-1].endswith(" — Torstrand: 7")
    built = await _built(app, hilde, "nb", town["torstrand"])
    assert chart.text == built.figures[0].caption
    assert nb.gettext("« Back") in chart.button_texts  # back to Torstrand's card

    # Nanset's figures, and all networks', with forged buttons: refused, nothing sent.
    before = len(hilde.messages)
    nanset = town["nanset"].id
    await hilde.press_data(InsightCb(action=InsightAction.MENU, network_id=nanset).pack())
    assert hilde.last_answer is not None and hilde.last_answer.get("show_alert")
    assert hilde.last_answer["text"] == nb.gettext("Only the hosts of this network can do that.")
    await hilde.press_data(
        InsightCb(action=InsightAction.FIGURE, network_id=nanset, figure=FigureKey.HELP).pack()
    )
    assert hilde.last_answer["text"] == nb.gettext("Only the hosts of this network can do that.")
    for everything in (InsightAction.FIGURE, InsightAction.NETWORKS, InsightAction.MENU):
        await hilde.press_data(InsightCb(action=everything).pack())
        assert hilde.last_answer["text"] == nb.gettext("Only coordinators can do that.")
    assert len(hilde.messages) == before


async def test_a_resident_is_refused_in_their_language(app, town):
    olena: FakeUser = town["olena"]
    uk = app.catalogs.translator("uk")
    await olena.send("/networks")
    await olena.press("✅ Torstrand")
    assert uk.gettext(INSIGHT) not in olena.last.button_texts
    torstrand = town["torstrand"].id
    before = len(olena.messages)
    await olena.press_data(InsightCb(action=InsightAction.MENU, network_id=torstrand).pack())
    assert olena.last_answer is not None
    assert olena.last_answer["text"] == uk.gettext("Only the hosts of this network can do that.")
    await olena.press_data(InsightCb(action=InsightAction.FIGURE).pack())
    assert olena.last_answer["text"] == uk.gettext("Only coordinators can do that.")
    assert len(olena.messages) == before


async def test_forged_callback_data_is_answered(app, town):
    marte: FakeUser = town["marte"]
    nb = app.catalogs.translator("nb")
    await marte.send("/coordinate")
    before = len(marte.messages)
    stale = nb.gettext("This button no longer works. Send /start for a fresh menu.")
    for data in (
        "ins:fig:0:salaries:0",  # no such figure
        "ins:drop:0:members:0",  # no such action
        f"ins:fig:{2**63}:members:0",  # no network id is that big
        "ins:fig:-1:members:0",
    ):
        await marte.press_data(data)
        assert marte.last_answer is not None and marte.last_answer["text"] == stale, data
    missing = InsightCb(action=InsightAction.FIGURE, network_id=99999).pack()
    await marte.press_data(missing)
    assert marte.last_answer["text"] == nb.gettext(
        "I couldn't find that. It may have been removed."
    )
    assert len(marte.messages) == before


async def test_a_text_longer_than_a_caption_follows_the_photo(app, town):
    """Networks with long names: the members' lines no longer fit a caption. The photo keeps
    the title and the latest weeks; the whole text follows it, with the menu."""
    marte: FakeUser = town["marte"]
    nb = app.catalogs.translator("nb")
    async with app.sessionmaker() as session:
        for n in range(3):
            name = f"Interessegruppa for {'turgåing ' * 4}{n}"
            view = await networks.create_network(
                session, Actor.operator(), name=name, slug=f"tur-{n}"
            )
            await networks.join(session, await _actor(app, marte), view.id)
    built = await _built(app, marte, "nb", None)
    members = built.figures[0]
    assert members.caption != members.text  # what this test is about
    await marte.send("/coordinate")
    await marte.press(nb.gettext(INSIGHT))
    replies = await marte.press(nb.gettext(MEMBERS))
    photo, text = replies[-2:]
    assert png_size(_photo(photo)) == (1000, 600)
    assert photo.text == members.caption and photo.button_texts == []
    assert text.photo is None and text.text == members.text
    assert nb.gettext(MEMBERS) in text.button_texts


async def test_a_coordinator_opens_one_networks_insight_from_its_card(app, town):
    marte: FakeUser = town["marte"]
    nb = app.catalogs.translator("nb")
    await marte.send("/coordinate")
    await marte.press(nb.gettext("🏘 Manage networks"))
    await marte.press("Torstrand")
    await marte.press(nb.gettext(INSIGHT))
    menu = marte.last
    assert "Torstrand" in menu.text and nb.gettext("All networks") not in menu.text
    await marte.press(nb.gettext(MEMBERS))
    chart = marte.last
    assert png_size(_photo(chart)) == (1000, 600)
    assert "Nanset" not in chart.text  # this network's figures only
    assert chart.text == (await _built(app, marte, "nb", town["torstrand"])).figures[0].caption
