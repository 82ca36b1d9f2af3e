"""Polls as residents meet them in the bot: a host makes one through the conversation, a
Ukrainian and an Arabic neighbour answer from the notice (✅ on their choice, a change of
mind, "Other" in their own words), bad input is refused with a reason, and at closing everyone
who answered gets the results with the chart in their language."""

from __future__ import annotations

from datetime import timedelta

from bot.services import actions, polls
from bot.services.actions import PollVote
from handlers.callbacks import PollAction, PollCb
from tests.support.events import actor_of
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker
from tests.support.polls import bench_draft, png_size


async def _make_poll_in_the_bot(host, nb, named: bool = False) -> None:
    await host.send("/polls")
    await host.press(nb.gettext("➕ New poll"))
    await host.press("Torstrand")
    await host.send("x" * 301)  # too long: refused, the question is asked for again
    assert nb.ngettext(
        "That's too long: at most {n} character, please.",
        "That's too long: at most {n} characters, please.",
        300,
    ).replace("{n}", "300") in host.last.text.replace("\u00a0", "")
    await host.send("Skal vi ha benker langs Torstrandgata?")
    await host.send("Ja")
    assert nb.gettext("✅ Done") not in host.last.button_texts  # two options at least
    await host.send("Nei")
    assert nb.gettext("✅ Done") in host.last.button_texts
    await host.send("Vet ikke")
    await host.press(nb.gettext("✅ Done"))
    await host.press(nb.gettext("One"))
    await host.press(nb.gettext("Yes"))
    await host.press(nb.gettext("👤 I see who chose what") if named else nb.gettext("🕶 Anonymous"))
    await host.send("i går 18")  # in the past: asked again
    await host.press(nb.ngettext("In {n} day", "In {n} days", 3).format(n=3))
    await host.press("Українська")
    await host.send("Чи ставити лавки вздовж Торстрандгата?")
    await host.send("Так")
    await host.send("Ні")
    await host.send("/skip")
    await host.press(nb.gettext("Continue to the preview ›"))
    assert nb.gettext("<b>Preview</b>").replace("<b>", "").replace("</b>", "") in host.last.text
    await host.press(nb.gettext("✅ Publish"))


async def test_a_poll_from_question_to_results_in_three_languages(app, network_through_the_bot):
    _view, host, olena, amal, kari = network_through_the_bot  # onboarded in the chat
    nb, uk, ar = (app.catalogs.translator(loc) for loc in ("nb", "uk", "ar"))
    await _make_poll_in_the_bot(host, nb)
    assert (
        nb.ngettext(
            "Published! {n} resident will be asked.", "Published! {n} residents will be asked.", 4
        ).format(n=4)
        in host.last.text
    )

    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    notice = olena.last
    assert "Чи ставити лавки вздовж Торстрандгата?" in notice.text
    assert notice.button_texts[:3] == ["Так", "Ні", "Vet ikke"]  # an option left untranslated
    await olena.press("Так")
    # The notice keeps its text and buttons (no edit spent on it); the toast names the choice.
    assert olena.last_answer["text"].startswith("✅ Так\n")
    assert olena.last.button_texts[0] == "Так"
    await olena.press("Ні")  # a change of mind: one answer in a single-choice poll
    assert olena.last_answer["text"].startswith("✅ Ні\n")
    # Her card, from /polls, shows what she chose.
    await olena.send("/polls")
    await olena.press(olena.last.button_texts[0])
    assert olena.last.button_texts[:2] == ["Так", "✅ Ні"]

    # Amal reads right to left; she answers in her own words.
    assert "Skal vi ha benker langs Torstrandgata?" in amal.last.text
    await amal.press(ar.gettext("✏️ Other: your words"))
    await amal.send("مقاعد قرب الملعب")
    assert ar.gettext("Thank you! Your words are saved.") in amal.messages[-2].text
    await kari.press("Nei")

    # Results are not shown to residents before the poll closes.
    assert uk.gettext("📈 Results") not in olena.last.button_texts
    async with app.sessionmaker() as session:
        poll_id = (await polls.open_polls(session, await actor_of(app, olena)))[0][0].id
        await polls.close_due(session, app.catalogs, now=after_quiet_hours() + timedelta(days=4))
    await outbox_worker(app, Clock(after_quiet_hours() + timedelta(days=4))).drain()
    chart = olena.last
    assert chart.photo is not None and png_size(chart.photo.content) == (800, 500)
    assert uk.ngettext("{n} answer", "{n} answers", 3).format(n=3) in chart.text
    assert "Ні: 2" in chart.text
    assert "مقاعد قرب الملعب" not in chart.text  # the words go to the creator only
    assert amal.last.photo is not None
    assert "مقاعد قرب الملعب" in host.last.text
    assert nb.gettext("By channel:") in host.last.text
    assert poll_id


async def test_polls_screen_from_the_take_part_hub_with_paging(app, network):
    view, host, olena, *_ = network
    uk = app.catalogs.translator("uk")
    async with app.sessionmaker() as session:
        for n in range(9):
            await polls.publish(
                session,
                await actor_of(app, host),
                app.catalogs,
                bench_draft(view.id, question=f"Spørsmål nummer {n}?", translations={}),
            )
    await olena.send("/start")
    await olena.press(uk.gettext("🗳 Take part"))
    replies = await olena.press(uk.gettext("📊 Polls"))
    listing = olena.last
    assert replies == [listing]  # the hub's message, edited in place
    assert uk.gettext("📊 Open polls") in listing.text
    assert uk.gettext("More ›") in listing.button_texts
    assert uk.gettext("➕ New poll") not in listing.button_texts  # not a host
    await olena.press(uk.gettext("More ›"))
    assert "Spørsmål nummer 8?" in olena.last.text
    await olena.press("Spørsmål nummer 8?")
    await olena.press("Ja")
    assert "✅ Ja" in olena.last.button_texts
    assert uk.gettext("« Polls") in olena.last.button_texts


async def test_forged_and_foreign_buttons_are_refused_kindly(app, network, settled):
    view, host, olena, *_ = network
    uk = app.catalogs.translator("uk")
    async with app.sessionmaker() as session:
        poll, _ = await polls.publish(
            session, await actor_of(app, host), app.catalogs, bench_draft(view.id)
        )
        other, _ = await polls.publish(
            session, await actor_of(app, host), app.catalogs, bench_draft(view.id, question="B?")
        )
    await olena.send("/polls")
    # An option of another poll, with this poll's id: refused, nothing saved.
    await olena.press_data(actions.pack(PollVote(poll.id, other.options[0].id)))
    assert olena.last_answer is not None
    assert (
        uk.gettext("I couldn't find that. It may have been removed.") in olena.last_answer["text"]
    )
    # A stranger to the network.
    stranger = await settled("Stian")
    await stranger.send("/polls")
    await stranger.press_data(actions.pack(PollVote(poll.id, poll.options[0].id)))
    assert stranger.last_answer is not None and stranger.last_answer.get("show_alert")
    # A member may not close it.
    await olena.press_data(PollCb(action=PollAction.CLOSE_YES, poll_id=poll.id).pack())
    nb = app.catalogs.translator("nb")
    assert olena.last_answer is not None
    assert uk.gettext("Only the hosts of this network can do that.") in olena.last_answer["text"]
    # The host closes it early; a late vote is refused as closed.
    await host.send("/polls")
    await host.press(poll.question[:40])
    await host.press(nb.gettext("🔒 Close now"))
    await host.press(nb.gettext("🔒 Yes, close it"))
    await olena.press_data(actions.pack(PollVote(poll.id, poll.options[0].id)))
    assert olena.last_answer is not None
    assert uk.gettext("This poll is closed.") in olena.last_answer["text"]


async def test_a_host_may_make_a_poll_that_is_not_anonymous(app, network):
    """Anonymous is the default and the first choice; a host who asks for names is shown, as
    every resident is, that the poll is not anonymous."""
    _view, host, olena, *_ = network
    nb, uk = app.catalogs.translator("nb"), app.catalogs.translator("uk")
    await _make_poll_in_the_bot(host, nb, named=True)
    async with app.sessionmaker() as session:
        [poll] = (await polls.open_polls(session, await actor_of(app, olena)))[0]
    assert not poll.anonymous
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    assert uk.gettext("Not anonymous: the creator sees who chose what.") in olena.last.text
