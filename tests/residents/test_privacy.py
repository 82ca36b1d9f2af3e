"""Residents see everything stored about them, delete it, and are marked unreachable when they
block the bot."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.services import networks
from bot.services.actors import Actor
from db.models import Membership, Resident


async def _resident_row(app, telegram_id: int) -> Resident | None:
    async with app.sessionmaker() as session:
        return await session.scalar(select(Resident).where(Resident.telegram_id == telegram_id))


async def test_mydata_gives_a_readable_message_and_a_json_file(resident, app):
    t = app.catalogs.translator("uk")
    async with app.sessionmaker() as session:
        await networks.create_network(session, Actor.operator(), name="Torstrand", slug="torstrand")
    olena = await resident("Olena", "Українська", "uk")
    await olena.send("/start join-torstrand")
    replies = await olena.send("/mydata")
    text, document = replies[-2], replies[-1]
    assert t.gettext("What we store about you") in text.text
    assert t.gettext("Telegram ID: {id}", id=olena.id) in text.text
    assert t.gettext("First name: {name}", name="Olena") in text.text
    assert "Українська" in text.text
    assert "Torstrand" in text.text
    assert document.document is not None
    assert document.document.file_name == "naboskap-mydata.json"
    data = json.loads(document.document.content)
    assert data["resident"]["telegram_id"] == olena.id
    assert data["resident"]["first_name"] == "Olena"
    assert data["resident"]["language"] == "uk"
    assert [m["network"] for m in data["memberships"]] == ["torstrand"]
    assert document.text == t.gettext("Everything Naboskap stores about you")


async def test_forget_asks_first_and_then_deletes_everything(resident, app, fake_api):
    t = app.catalogs.translator("nb")
    async with app.sessionmaker() as session:
        await networks.create_network(session, Actor.operator(), name="Torstrand", slug="torstrand")
    kari = await resident("Kari")
    await kari.send("/start join-torstrand")
    replies = await kari.send("/forget")
    assert t.gettext("Delete your data?") in replies[-1].text
    await kari.press(t.gettext("No, keep it"))
    assert await _resident_row(app, kari.id) is not None

    await kari.send("/forget")
    replies = await kari.press(t.gettext("🗑 Yes, delete my data"))
    assert "/start" in replies[-1].text
    assert await _resident_row(app, kari.id) is None
    async with app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Membership)) == 0
    assert (f"chat:{kari.id}", "") not in fake_api.commands

    # Coming back starts from the beginning.
    replies = await kari.send("/start")
    assert replies[-1].text.startswith(t.gettext("Choose your language"))


async def test_forget_says_what_goes_and_what_others_keep(resident):
    """The question names the help, messages and phone that go, and the neutral name that stays
    where a neighbour already got a message: no resident is surprised afterwards."""
    kari = await resident("Kari", "English", "en")
    [question] = await kari.send("/forget")
    for part in ("phone number", "help you asked for", "messages you wrote", '"a neighbour"'):
        assert part in question.text, part


async def test_a_stale_forget_button_after_deletion_deletes_nothing_else(resident, app):
    t = app.catalogs.translator("nb")
    kari = await resident("Kari")
    ola = await resident("Ola")
    await kari.send("/forget")
    data = kari.last.button(t.gettext("🗑 Yes, delete my data"))["callback_data"]
    await kari.press_data(data)
    await kari.press_data(data)
    assert kari.last_answer["text"] == t.gettext("Let's finish setting up first.")
    assert await _resident_row(app, kari.id) is None
    assert await _resident_row(app, ola.id) is not None


async def test_blocking_marks_the_resident_unreachable_and_unblocking_reverses_it(resident, app):
    kari = await resident("Kari")
    await kari.block()
    row = await _resident_row(app, kari.id)
    assert row is not None and row.reachable is False and row.unreachable_since is not None
    await kari.unblock()
    row = await _resident_row(app, kari.id)
    assert row is not None and row.reachable is True and row.unreachable_since is None


async def test_blocking_by_a_stranger_stores_nothing(make_user, app):
    stranger = make_user("Anon", "nb")
    await stranger.block()
    async with app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Resident)) == 0


async def test_mydata_includes_answers_and_preferences_and_forget_removes_them(resident, app):
    from bot.services import events, residents
    from db.models import Answer, Rsvp
    from tests.support.events import event_draft
    from tests.support.outbox import NOON

    async with app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
        event, _ = await events.publish(
            session, Actor.operator(), app.catalogs, event_draft(view.id), now=NOON
        )
    kari = await resident("Kari")
    await kari.send("/start join-torstrand")
    await kari.send("/settings")
    await kari.press(app.catalogs.translator("nb").gettext("Weekly digest only"))
    async with app.sessionmaker() as session:
        actor = await residents.identify(session, kari.id, ())
        await events.answer(session, actor, event.id, Answer.YES, now=NOON)
    replies = await kari.send("/mydata")
    nb = app.catalogs.translator("nb")
    # The message names what the file holds beyond the profile, counted.
    assert nb.ngettext("{n} answer to events", "{n} answers to events", 1) in replies[-2].text
    assert nb.gettext("Also kept, in full in the file below") in replies[-2].text
    data = json.loads(replies[-1].document.content)
    assert data["preferences"]["notices"] == "digest"
    assert data["preferences"]["weekly_digest"] == "on"
    assert data["event_answers"][0]["event"] == "Språkkafé på biblioteket"
    assert data["event_answers"][0]["answer"] == "yes"
    await kari.send("/forget")
    await kari.press(app.catalogs.translator("nb").gettext("🗑 Yes, delete my data"))
    async with app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Rsvp)) == 0
