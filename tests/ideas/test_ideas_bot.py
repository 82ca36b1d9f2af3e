"""Ideas as residents meet them in the bot: Olena (Ukrainian) proposes benches from the Take
part hub, Kari and Amal (Arabic) support them with one tap, the host answers with a reason and
every supporter hears once in their language; bad input, a long list a page at a time, reports
and hiding, merging and forwarding, and forged buttons."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.services import actions
from bot.services import ideas as idea_service
from bot.services.actions import OriginalOf, ShowOriginal, SupportIdea
from db.models import Delivery, Idea, IdeaStatus, Notice, NoticeKind, Resident
from handlers.callbacks import IdeaAction, IdeaCb
from tests.support.outbox import NOON, Clock, after_quiet_hours, outbox_worker
from tests.support.settings import COORDINATOR_ID

BENCHES = "Лавки вздовж Torstrandgata, щоб літні люди могли відпочити"


async def _drain(app) -> None:
    await outbox_worker(app, Clock(after_quiet_hours())).drain()


async def _propose_in_bot(app, user, text: str) -> None:
    t = app.catalogs.translator(await _locale(app, user))
    await user.send("/start")
    await user.press(t.gettext("🗳 Take part"))
    await user.press(t.gettext("💡 Ideas"))
    await user.press(t.gettext("💡 Propose an idea"))
    await user.send(text)
    await user.press(t.gettext("✅ Post the idea"))


async def _locale(app, user) -> str:
    async with app.sessionmaker() as session:
        return await session.scalar(select(Resident.locale).where(Resident.telegram_id == user.id))


async def _status_notices(app, user) -> int:
    async with app.sessionmaker() as session:
        return await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .join(Notice, Notice.id == Delivery.notice_id)
            .join(Resident, Resident.id == Delivery.resident_id)
            .where(Notice.kind == NoticeKind.IDEA_STATUS, Resident.telegram_id == user.id)
        )


async def test_from_an_idea_to_planned_every_supporter_hears_once(app, hood_through_the_bot):
    hood = hood_through_the_bot  # onboarded in the chat
    uk, nb, ar = (app.catalogs.translator(x) for x in ("uk", "nb", "ar"))
    await _propose_in_bot(app, hood.olena, BENCHES)
    assert uk.gettext("Posted! Your neighbours can support it now, and the hosts will answer.") in (
        hood.olena.last.text
    )
    assert uk.ngettext("👍 {n} supporter", "👍 {n} supporters", 1) in hood.olena.last.text
    await _drain(app)
    assert nb.gettext("💡 A new idea in {network}", network="Torstrand") in hood.hilde.last.text
    assert BENCHES in hood.hilde.last.text

    # Kari supports from the list; a second press withdraws; a third supports again.
    replies = await hood.kari.send("/ideas")
    assert BENCHES[:40] in replies[-1].text
    await hood.kari.press(nb.number(1) + " · " + nb.gettext("👍 Support"))
    assert hood.kari.last_answer["text"] == nb.ngettext(
        "You support this idea, with {n} neighbour in all.",
        "You support this idea, with {n} neighbours in all.",
        2,
    )
    await hood.kari.press(nb.number(1) + " · " + nb.gettext("✓ Supported"))
    assert hood.kari.last_answer["text"] == nb.gettext("You no longer support this idea.")
    await hood.kari.press(nb.number(1) + " · " + nb.gettext("👍 Support"))
    # Amal, in Arabic, from the idea's card.
    await hood.amal.send("/ideas")
    await hood.amal.press(ar.gettext("{n} · More", n=ar.number(1)))
    await hood.amal.press(ar.gettext("👍 Support"))
    assert ar.ngettext("👍 {n} supporter", "👍 {n} supporters", 3) in hood.amal.last.text

    # The host answers from the notice: planned, with a reason in her words.
    await hood.hilde.press(nb.gettext("✍️ Answer the idea"))
    await hood.hilde.press(idea_service.status_label(nb, IdeaStatus.PLANNED))
    replies = await hood.hilde.send("Kommunen setter opp tre benker i mai.")
    assert nb.ngettext("Sent to {n} supporter.", "Sent to {n} supporters.", 3) in replies[-1].text
    await _drain(app)
    for user, t in ((hood.olena, uk), (hood.kari, nb), (hood.amal, ar)):
        text = user.last.text
        assert (
            t.gettext("Now: {status}", status=idea_service.status_label(t, IdeaStatus.PLANNED))
            in text
        )
        assert "Kommunen setter opp tre benker i mai." in text
        assert await _status_notices(app, user) == 1
    assert await _status_notices(app, hood.hilde) == 0  # the host did not support it


async def test_bad_input_is_refused_and_the_resident_can_try_again(app, hood):
    uk = app.catalogs.translator("uk")
    await hood.olena.send("/ideas")
    await hood.olena.press(uk.gettext("💡 Propose an idea"))
    replies = await hood.olena.send("ж" * 501)
    assert replies[-1].text == uk.ngettext(
        "That's too long: at most {n} character, please.",
        "That's too long: at most {n} characters, please.",
        500,
    )
    await hood.olena.send("Городи на даху бібліотеки")  # still in the step
    await hood.olena.press(uk.gettext("✅ Post the idea"))
    async with app.sessionmaker() as session:
        assert await session.scalar(select(Idea.text)) == "Городи на даху бібліотеки"
    # The post button pressed again, after the idea went: nothing doubles.
    await hood.olena.press_data(IdeaCb(action=IdeaAction.POST).pack())
    async with app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Idea)) == 1


async def test_hundreds_of_ideas_are_paged(app, hood):
    nb = app.catalogs.translator("nb")
    async with app.sessionmaker() as session:
        for n in range(1, 231):
            session.add(
                Idea(
                    network_id=hood.torstrand,
                    author_id=None,
                    text=f"Idé nummer {n}: " + "mer lys i gatene " * 20,
                    locale="nb",
                    status=IdeaStatus.PROPOSED,
                    created_at=NOON,
                    updated_at=NOON,
                )
            )
        await session.commit()
    replies = await hood.kari.send("/ideas")
    first = replies[-1]
    assert nb.gettext("Page {page} of {pages}", page="1", pages="46") in first.text
    assert len(first.text) < 4096
    await hood.kari.press(nb.gettext("More ›"))
    assert nb.gettext("Page {page} of {pages}", page="2", pages="46") in hood.kari.last.text
    assert "6." in hood.kari.last.text
    await hood.kari.press(nb.number(6) + " · " + nb.gettext("👍 Support"))
    # The list stays on its page, with the idea now at the top of the whole list.
    assert nb.gettext("Page {page} of {pages}", page="2", pages="46") in hood.kari.last.text


async def test_a_report_reaches_the_hosts_and_a_hidden_idea_vanishes(app, hood, actor_of):
    nb = app.catalogs.translator("nb")
    async with app.sessionmaker() as session:
        await idea_service.propose(
            session,
            await actor_of(hood.olena),
            app.catalogs,
            network_id=hood.torstrand,
            text="Selger billige telefoner, ring meg",
        )
    await hood.kari.send("/ideas")
    await hood.kari.press(nb.gettext("{n} · More", n=nb.number(1)))
    await hood.kari.press(nb.gettext("⚠️ Report"))
    assert hood.kari.last_answer["text"] == nb.gettext("Thank you. The hosts will look at it.")
    await hood.kari.press(nb.gettext("⚠️ Report"))
    assert hood.kari.last_answer["text"] == nb.gettext(
        "You have already reported this. The hosts will look at it."
    )
    replies = await hood.hilde.send("/reports")
    assert "💡 Selger billige telefoner" in replies[-1].text
    await hood.hilde.press(nb.gettext("🙈 Hide {n}", n="1"))
    assert hood.hilde.last.text == nb.gettext("No open reports.")
    replies = await hood.kari.send("/ideas")
    assert "Selger" not in replies[-1].text


async def test_a_host_merges_a_duplicate_and_forwards_an_idea_once(app, hood, actor_of, settled):
    nb, uk = app.catalogs.translator("nb"), app.catalogs.translator("uk")
    coordinator = await settled("Marte", user_id=COORDINATOR_ID)
    async with app.sessionmaker() as session:
        first = await idea_service.propose(
            session, await actor_of(hood.kari), app.catalogs, network_id=hood.torstrand,
            text="Benker langs Torstrandgata",
        )  # fmt: skip
        await idea_service.propose(
            session, await actor_of(hood.olena), app.catalogs, network_id=hood.torstrand,
            text="Ще лавки на Torstrandgata",
        )  # fmt: skip
    await _drain(app)
    await hood.hilde.send("/ideas")
    # Both have one supporter: the newer (Olena's) is first.
    await hood.hilde.press(nb.gettext("{n} · More", n=nb.number(1)))
    await hood.hilde.press(nb.gettext("🔗 Merge into another idea"))
    await hood.hilde.press("1. Benker langs Torstrandgata")
    assert nb.ngettext("👍 {n} supporter", "👍 {n} supporters", 2) in hood.hilde.last.text
    await _drain(app)
    assert uk.gettext("Your support now counts for:") in hood.olena.last.text
    await hood.hilde.press(nb.gettext("📨 Pass on to the municipality"))
    assert hood.hilde.last_answer["text"] == nb.gettext(
        "Passed on to the municipality's coordinators."
    )
    await hood.hilde.press_data(IdeaCb(action=IdeaAction.FORWARD, idea_id=first.id).pack())
    assert hood.hilde.last_answer["text"] == nb.gettext("This idea was passed on already.")
    await _drain(app)
    assert "Benker langs Torstrandgata" in coordinator.last.text
    async with app.sessionmaker() as session:
        forwarded = await session.scalar(
            select(func.count()).select_from(Notice).where(Notice.kind == NoticeKind.IDEA_FORWARDED)
        )
        assert forwarded == 1


async def test_forged_and_foreign_presses_are_refused(app, hood, actor_of):
    nb = app.catalogs.translator("nb")
    async with app.sessionmaker() as session:
        view = await idea_service.propose(
            session, await actor_of(hood.olena), app.catalogs, network_id=hood.torstrand,
            text="Benker",
        )  # fmt: skip
    not_found = nb.gettext("I couldn't find that. It may have been removed.")
    only_hosts = nb.gettext("Only the hosts of this network can do that.")
    for user in (hood.per, hood.nils, hood.kari, hood.hilde):
        await user.send("/ideas")  # the screen whose buttons they forge
    # Per (Nanset) supports Torstrand's idea, from the list's button or the core action.
    await hood.per.press_data(IdeaCb(action=IdeaAction.SUPPORT, idea_id=view.id).pack())
    assert hood.per.last_answer["text"] == not_found
    await hood.per.press_data(actions.pack(SupportIdea(view.id)))
    assert hood.per.last_answer["text"] == not_found
    await hood.per.press_data(IdeaCb(action=IdeaAction.SUPPORT, idea_id=999).pack())
    assert hood.per.last_answer["text"] == not_found
    # Nor can he read its card or its original words.
    await hood.per.press_data(IdeaCb(action=IdeaAction.CARD, idea_id=view.id).pack())
    assert hood.per.last_answer["text"] == not_found
    await hood.per.press_data(actions.pack(ShowOriginal(OriginalOf.IDEA, view.id)))
    assert hood.per.last_answer["text"] == not_found
    # Nanset's host answers, merges, forwards, hides Torstrand's idea; Kari (no host) too.
    for action in (IdeaAction.STATUS, IdeaAction.MERGE, IdeaAction.FORWARD, IdeaAction.HIDE):
        await hood.nils.press_data(IdeaCb(action=action, idea_id=view.id).pack())
        assert hood.nils.last_answer["text"] == only_hosts
        await hood.kari.press_data(IdeaCb(action=action, idea_id=view.id).pack())
        assert hood.kari.last_answer["text"] == only_hosts
    # A made-up status index is a stale button.
    await hood.hilde.press_data(IdeaCb(action=IdeaAction.STATUS, idea_id=view.id, arg=9).pack())
    assert hood.hilde.last_answer["text"] == nb.gettext(
        "This button no longer works. Send /start for a fresh menu."
    )
    async with app.sessionmaker() as session:
        idea = await session.get(Idea, view.id)
        assert idea.status is IdeaStatus.PROPOSED and idea.forwarded_at is None


async def test_the_hub_leads_to_ideas_and_back(app, hood):
    ar = app.catalogs.translator("ar")
    await hood.amal.send("/start")
    await hood.amal.press(ar.gettext("🗳 Take part"))
    await hood.amal.press(ar.gettext("💡 Ideas"))
    assert ar.gettext("No ideas yet in your networks. What would make your neighbourhood better? "
                      "Propose the first one.") in hood.amal.last.text  # fmt: skip
    await hood.amal.press(ar.gettext("« Back"))
    assert ar.gettext("<b>🗳 Take part</b>").replace("<b>", "").replace("</b>", "") in (
        hood.amal.last.text
    )
