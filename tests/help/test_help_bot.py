"""Neighbour help as residents meet it: a Ukrainian newcomer asks for language practice, a
Norwegian neighbour offers, they talk through the bot, and it ends with a thank-you."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.services import actions, networks
from bot.services import help as helping
from bot.services.actions import AcceptHelper, OfferHelp
from bot.services.actors import Actor
from db.models import HelpCategory, HelpRequest, Resident
from handlers.callbacks import HelpAction, HelpCb
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker


async def _setup(app, resident):
    async with app.sessionmaker() as session:
        await networks.create_network(session, Actor.operator(), name="Torstrand", slug="torstrand")
    olena = await resident("Olena", "Українська", "uk")
    kari = await resident("Kari")
    host = await resident("Hilde")
    for user in (olena, kari, host):
        await user.send("/start join-torstrand")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", host.id)
    return olena, kari, host


async def test_language_practice_from_ask_to_thank_you(app, resident):
    olena, kari, _host = await _setup(app, resident)
    nb, uk = app.catalogs.translator("nb"), app.catalogs.translator("uk")
    await kari.send("/offer")
    replies = await kari.press(helping.category_label(nb, HelpCategory.LANGUAGE))
    assert "✓ " + helping.category_label(nb, HelpCategory.LANGUAGE) in replies[-1].button_texts

    await olena.send("/ask")
    await olena.press(helping.category_label(uk, HelpCategory.LANGUAGE))
    await olena.send("Хочу практикувати норвезьку за кавою")
    replies = await olena.press(uk.gettext("Flexible"))
    assert (
        uk.ngettext(
            "Posted! {n} helper will hear about it. You'll get a message when someone can help.",
            "Posted! {n} helpers will hear about it. You'll get a message when someone can help.",
            1,
        )
        in replies[-1].text
    )

    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    assert nb.gettext("🤝 Someone in {network} needs help", network="Torstrand") in kari.last.text
    await kari.press(nb.gettext("🙋 I can help"))
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    assert "Kari" in olena.last.text
    await olena.press(uk.gettext("✅ Accept {name}", name="Kari"))
    await outbox_worker(app, Clock(after_quiet_hours())).drain()

    await kari.press(nb.gettext("💬 Write"))
    await kari.send("Hei Olena! Kaffe på biblioteket onsdag kl 17?")
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    relayed = olena.last
    assert relayed.text == "💬 Kari: Hei Olena! Kaffe på biblioteket onsdag kl 17?"
    await olena.press(uk.gettext("💬 Answer"))
    await olena.send("Так! До зустрічі")
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    assert kari.last.text == "💬 Olena: Так! До зустрічі"
    # Nothing that identifies either of them travels with the relayed messages.
    for message, other in ((relayed, kari), (kari.last, olena)):
        assert str(other.id) not in message.text
        assert all(str(other.id) not in b["callback_data"] for b in message.buttons)
        assert "@" not in message.text

    await olena.send("/cancel")
    await olena.send("/requests")
    # One list; her own request opens on a card with what she can do about it.
    await olena.press("1. " + helping.category_label(uk, HelpCategory.LANGUAGE))
    assert uk.gettext("💬 Write") in olena.last.button_texts
    await olena.press(uk.gettext("✅ Done, thank you"))
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    assert nb.gettext("💛 {name} says thank you for your help!", name="Olena") in kari.last.text
    # The first notice's button still sits in Kari's chat; the request is over, and she is told
    # so in words about help, not about events.
    await kari.press_data(actions.pack(OfferHelp(1)))
    assert kari.last_answer["text"] == nb.gettext("This help request is closed.")


async def test_a_report_leads_to_a_hidden_request(app, resident):
    olena, kari, host = await _setup(app, resident)
    nb, uk = app.catalogs.translator("nb"), app.catalogs.translator("uk")
    await kari.send("/offer")
    await kari.press(helping.category_label(nb, HelpCategory.LENDING))
    await olena.send("/ask")
    await olena.press(helping.category_label(uk, HelpCategory.LENDING))
    await olena.send("Selger billige telefoner, ring meg")
    await olena.press(uk.gettext("Flexible"))
    await kari.send("/requests")
    await kari.press("1. " + helping.category_label(nb, HelpCategory.LENDING))
    await kari.press(nb.gettext("⚠️ Report"))
    assert kari.last_answer["text"] == nb.gettext("Thank you. The hosts will look at it.")
    replies = await host.send("/reports")
    assert "Selger billige telefoner" in replies[-1].text
    await host.press(nb.gettext("🙈 Hide {n}", n="1"))
    replies = await kari.send("/requests")
    assert replies[-1].text == nb.gettext(
        "No open requests right now. /ask asks for help, /offer offers it."
    )


async def test_forged_accept_and_strangers_are_refused(app, resident):
    olena, kari, host = await _setup(app, resident)
    nb = app.catalogs.translator("nb")
    async with app.sessionmaker() as session:
        from bot.services import residents

        olena_actor = await residents.identify(session, olena.id, ())
        kari_actor = await residents.identify(session, kari.id, ())
        await helping.set_offer(session, kari_actor, 1, {HelpCategory.DIGITAL})
        request, _ = await helping.ask(
            session,
            olena_actor,
            app.catalogs,
            network_id=1,
            category=HelpCategory.DIGITAL,
            description="BankID",
            needed_on=None,
        )
        await helping.offer_help(session, kari_actor, app.catalogs, request.id)
    # The host forges Olena's accept button: as if the request did not exist.
    await host.press_data(actions.pack(AcceptHelper(request.id, kari_actor.resident_id)))
    assert host.last_answer["text"] == nb.gettext("I couldn't find that. It may have been removed.")
    stranger = await resident("Per")
    await stranger.press_data(actions.pack(OfferHelp(request.id)))
    assert stranger.last_answer["text"] == nb.gettext(
        "I couldn't find that. It may have been removed."
    )
    await stranger.press_data(HelpCb(action=HelpAction.STATS).pack())
    assert stranger.last_answer["text"] == nb.gettext("Only coordinators can do that.")


async def test_a_refusal_after_the_button_was_answered_still_reaches_the_user(app, resident):
    olena, _kari, _host = await _setup(app, resident)
    uk = app.catalogs.translator("uk")
    await olena.press_data(HelpCb(action=HelpAction.OFFER_NETWORK, request_id=999).pack())
    assert olena.last.text == uk.gettext("I couldn't find that. It may have been removed.")


async def test_an_unanswered_request_is_nudged_then_closes(app, resident):
    from datetime import timedelta

    olena, _kari, _host = await _setup(app, resident)
    uk = app.catalogs.translator("uk")

    def noon_of(moment):  # after anyone's quiet hours, whatever time the test runs
        from datetime import datetime, time

        return datetime.combine(moment.astimezone(uk.zone).date(), time(12), tzinfo=uk.zone)

    await olena.send("/ask")
    await olena.press(helping.category_label(uk, HelpCategory.ERRANDS))
    await olena.send("Купити хліб у вівторок")
    await olena.press(uk.gettext("Flexible"))
    async with app.sessionmaker() as session:
        from db.models import HelpRequest

        request = await session.get(HelpRequest, 1)
        created = request.created_at
        await helping.expire_due(session, app.catalogs, now=created + timedelta(days=12, hours=1))
    await outbox_worker(app, Clock(noon_of(created + timedelta(days=13)))).drain()
    assert "/requests" in olena.last.text and "Купити хліб" in olena.last.text
    async with app.sessionmaker() as session:
        await helping.expire_due(session, app.catalogs, now=created + timedelta(days=14, hours=1))
    await outbox_worker(app, Clock(noon_of(created + timedelta(days=15)))).drain()
    assert "/ask" in olena.last.text
    replies = await olena.send("/requests")
    assert replies[-1].text == uk.gettext(
        "No open requests right now. /ask asks for help, /offer offers it."
    )


async def test_coordinators_read_the_help_figures(app, resident):
    from tests.support.settings import COORDINATOR_ID

    olena, _kari, _host = await _setup(app, resident)
    uk = app.catalogs.translator("uk")
    await olena.send("/ask")
    await olena.press(helping.category_label(uk, HelpCategory.HOME))
    await olena.send("Повісити полицю")
    await olena.press(uk.gettext("Flexible"))
    coordinator = await resident("Marte", user_id=COORDINATOR_ID)
    nb = app.catalogs.translator("nb")
    replies = await coordinator.send("/stats")
    assert nb.gettext("Neighbour help") in replies[-1].text
    assert helping.category_label(nb, HelpCategory.HOME) + ": 1" in replies[-1].text
    replies = await olena.send("/stats")
    assert replies[-1].text == uk.gettext("Only coordinators can do that.")


async def test_a_help_text_with_a_nul_byte_is_saved_without_it(app, resident):
    """A NUL (or another control character) in a request is dropped at the edge: PostgreSQL
    would refuse the row and SQLite would cut the text at it."""
    olena, _kari, _host = await _setup(app, resident)
    uk = app.catalogs.translator("uk")
    await olena.send("/ask")
    await olena.press(helping.category_label(uk, HelpCategory.DIGITAL))
    await olena.send("Допоможіть\x00 з BankID\x07, будь ласка")
    replies = await olena.press(uk.gettext("Flexible"))
    # No one offers digital help in Torstrand: not "0 helpers will hear about it", but what
    # happens next.
    assert (
        uk.gettext(
            "Posted! No one has offered this kind of help yet, but everyone in the network can "
            "see it under /requests. You'll get a message when someone can help."
        )
        in replies[-1].text
    )
    assert " 0 " not in replies[-1].text
    async with app.sessionmaker() as session:
        [description] = (await session.scalars(select(HelpRequest.description))).all()
    assert description == "Допоможіть з BankID, будь ласка"


async def test_a_name_with_control_and_bidi_characters_is_stored_clean(app, make_user):
    user = make_user("Ka\x00ri\u202e\u2066 Nord", "nb")
    await user.send("/start")
    await user.press("Norsk (bokmål)")
    async with app.sessionmaker() as session:
        [name] = (await session.scalars(select(Resident.first_name))).all()
    assert name == "Kari Nord"


async def test_the_main_menu_asks_and_offers_help(app, resident):
    _olena, kari, _host = await _setup(app, resident)
    nb = app.catalogs.translator("nb")
    await kari.send("/start")
    assert nb.gettext("🙋 Ask for help") in kari.last.button_texts
    assert nb.gettext("🤝 Offer help") in kari.last.button_texts
    replies = await kari.press(nb.gettext("🙋 Ask for help"))
    assert replies[-1].text == nb.gettext("What do you need help with?")
    assert helping.category_label(nb, HelpCategory.ERRANDS) in replies[-1].button_texts
    await kari.send("/start")
    replies = await kari.press(nb.gettext("🤝 Offer help"))
    assert helping.category_label(nb, HelpCategory.ERRANDS) in replies[-1].button_texts
    # Someone in no network is told what to do first, in the menu as with /ask.
    newcomer = await resident("Per")
    await newcomer.send("/start")
    replies = await newcomer.press(nb.gettext("🙋 Ask for help"))
    assert replies[-1].text == nb.gettext("Join a network first: /networks")


async def test_the_category_buttons_go_once_one_is_chosen(app, resident):
    olena, _kari, _host = await _setup(app, resident)
    uk = app.catalogs.translator("uk")
    await olena.send("/ask")
    question = olena.last
    label = helping.category_label(uk, HelpCategory.LANGUAGE)
    await olena.press(label)
    edited = next(m for m in olena.messages if m.message_id == question.message_id)
    assert edited.buttons == [] and edited.text.endswith("✓ " + label)
    await olena.send("Хочу практикувати норвезьку")
    await olena.press(uk.gettext("Flexible"))
    with pytest.raises(LookupError):  # nothing left to press that would start a second request
        await olena.press(label)
