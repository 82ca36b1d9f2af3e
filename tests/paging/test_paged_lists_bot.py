"""Lists that grow with data are paged, never cut off or refused: a host's "Who's coming" with
300 long names, the coordinator's reach over 30 networks in nine languages and /reports with
100 reports, each walked page by page with "More ›" through the real dispatcher and the fake
Bot API (which refuses, as Telegram does, a message over 4096 characters)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.i18n import SHIPPED_LOCALES
from bot.services import events, networks
from bot.services import help as helping
from bot.services.actors import Actor
from db.models import (
    Answer,
    HelpCategory,
    HelpRequest,
    MemberRole,
    Membership,
    Network,
    Report,
    RequestStatus,
    Resident,
)
from handlers.callbacks import HelpAction, HelpCb, ListKind, PageCb
from tests.support.events import actor_of, event_draft
from tests.support.outbox import NOON
from tests.support.settings import COORDINATOR_ID

FAR = datetime(2099, 12, 3, 17, 0, tzinfo=UTC)
# A letter from each shipped language's script, so that every name is 64 of them.
SCRIPTS = [
    "ÆØÅæøåŁąęĖėž",
    "ЄЇієїґЖжЩщ",
    "عربيةمرحبا",
    "ሀሁሂሃሄህሆሰላም",
    "CaawimoXQ",
    "دریفارسیپژ",
    "😀🙂🎉",
]


def long_name(n: int) -> str:
    """A 64-character name, unique by its number, in one of the shipped scripts."""
    letters = SCRIPTS[n % len(SCRIPTS)]
    tag = f"{n:04d}"
    body = (letters * 64)[: 64 - len(tag)]
    return body + tag


def _too_long(text: str) -> bool:
    return len(text.encode("utf-16-le")) // 2 > 4096


async def _residents(app, network_id: int, names: list[str], locales: list[str]) -> list[Actor]:
    """Onboarded members of a network (straight into the tables: hundreds of them)."""
    async with app.sessionmaker() as session:
        rows = [
            Resident(
                telegram_id=500_000 + n,
                first_name=name,
                locale=locales[n % len(locales)],
                privacy_accepted_at=NOON,
            )
            for n, name in enumerate(names)
        ]
        session.add_all(rows)
        await session.flush()
        for row in rows:
            session.add(
                Membership(resident_id=row.id, network_id=network_id, role=MemberRole.MEMBER)
            )
        await session.commit()
        return [Actor(r.id, r.telegram_id, r.locale, False, True) for r in rows]


async def _walk(user, first_replies, kind: ListKind) -> list[str]:
    """Every page of a list, pressing "More ›" until there is none; each page is checked
    against Telegram's limit."""
    page = first_replies[-1]
    texts = []  # a page is edited in place: keep each text as it was shown
    while True:
        texts.append(page.text)
        assert not _too_long(page.text)
        more = [b for b in page.buttons if b["callback_data"].startswith(f"pg:{kind.value}:")]
        forward = [b for b in more if b["text"].endswith("›")]
        if not forward:
            return texts
        assert len(forward[0]["callback_data"].encode()) <= 64
        page = (await user.press(forward[0]["text"], page))[-1]
        assert len(texts) < 100, "the pages never end"


async def test_whos_coming_with_300_long_names_pages_through_everyone(app, hosted_network):
    view, host, _olena = hosted_network
    async with app.sessionmaker() as session:
        event, _ = await events.publish(
            session,
            await actor_of(app, host),
            app.catalogs,
            event_draft(view.id, starts_at=FAR, ends_at=FAR + timedelta(hours=2)),
            now=NOON,
        )
    names = [long_name(n) for n in range(300)]
    for actor in await _residents(app, view.id, names, list(SHIPPED_LOCALES)):
        async with app.sessionmaker() as session:
            await events.answer(session, actor, event.id, Answer.YES, now=NOON)
    nb = app.catalogs.translator("nb")
    await host.send("/events")
    await host.press("Språkkafé på biblioteket")
    first = await host.press(nb.gettext("👥 Who's coming"))
    assert nb.gettext("Sorry, something went wrong.") not in first[-1].text
    texts = await _walk(host, first, ListKind.WHO)
    assert len(texts) > 1
    everything = "\n".join(texts)
    for name in names:
        assert everything.count(name) == 1, name
    # Going back works too, and the card's buttons stay under every page.
    back = await host.press(nb.gettext("‹ Previous"))
    assert back[-1].text == texts[-2]
    assert nb.gettext("✏️ Change") in back[-1].button_texts


async def test_reach_over_30_networks_in_nine_languages_is_paged(app, resident):
    coordinator = await resident("Marte", user_id=COORDINATOR_ID)
    names = []
    async with app.sessionmaker() as session:
        for n in range(30):
            name = long_name(n)
            names.append(name)
            await networks.create_network(session, Actor.operator(), name=name, slug=f"net-{n}")
        ids = list(await session.scalars(select(Network.id).order_by(Network.id)))
    for n, network_id in enumerate(ids):
        # Every network has members in all nine languages.
        members = [f"M{n}-{k}" for k in range(len(SHIPPED_LOCALES))]
        async with app.sessionmaker() as session:
            start = await session.scalar(select(Resident.id).order_by(Resident.id.desc()))
        await _residents_offset(app, network_id, members, 1000 * (n + 1) + (start or 0))
    t = app.catalogs.translator("nb")
    await coordinator.send("/coordinate")
    first = await coordinator.press(t.gettext("📊 Reach"))
    texts = await _walk(coordinator, first, ListKind.REACH)
    assert len(texts) > 1
    everything = "\n".join(texts)
    for name in names:
        assert everything.count(name) == 1
    assert everything.count("ትግርኛ 1") == 30


async def _residents_offset(app, network_id: int, names: list[str], base: int) -> None:
    async with app.sessionmaker() as session:
        rows = [
            Resident(
                telegram_id=base + k,
                first_name=name,
                locale=SHIPPED_LOCALES[k],
                privacy_accepted_at=NOON,
            )
            for k, name in enumerate(names)
        ]
        session.add_all(rows)
        await session.flush()
        for row in rows:
            session.add(
                Membership(resident_id=row.id, network_id=network_id, role=MemberRole.MEMBER)
            )
        await session.commit()


async def test_reports_with_100_reports_is_one_paged_message(app, hosted_network):
    view, host, _olena = hosted_network
    [asker] = await _residents(app, view.id, ["Asker"], ["nb"])
    async with app.sessionmaker() as session:
        for n in range(100):
            request = HelpRequest(
                requester_id=asker.resident_id,
                network_id=view.id,
                category=HelpCategory.LENDING,
                description=f"Request {n:03d} " + "ሀ" * 400,
                status=RequestStatus.OPEN,
                expires_at=FAR,
            )
            session.add(request)
            await session.flush()
            session.add(Report(network_id=view.id, request_id=request.id, reason="R" * 200))
        await session.commit()
    before = len(host.messages)
    replies = await host.send("/reports")
    assert len(host.messages) == before + 1  # one answer, not a hundred
    texts = await _walk(host, replies, ListKind.REPORTS)
    assert len(texts) > 1
    everything = "\n".join(texts)
    for n in range(100):
        assert everything.count(f"Request {n:03d} ") == 1


async def test_a_forged_page_number_gets_a_clear_answer(app, hosted_network):
    view, host, _olena = hosted_network
    await host.send("/start")
    for page in (999, -3):
        data = PageCb(kind=ListKind.MEMBERS, ref=view.id, page=page).pack()
        await host.press_data(data)
        en = app.catalogs.translator("nb")
        assert host.last_answer["text"] == en.gettext(
            "That page is gone: the list has changed. Here is the nearest one."
        )
        assert "Hilde" in host.last.text
    # A forged page of a list that is not theirs is refused by the service as ever.
    await _olena.press_data(PageCb(kind=ListKind.MEMBERS, ref=view.id, page=0).pack())
    uk = app.catalogs.translator("uk")
    assert _olena.last_answer["text"] == uk.gettext("Only the hosts of this network can do that.")
    assert re.search(r"pg:members:\d+:0", PageCb(kind=ListKind.MEMBERS, ref=view.id).pack())


def _data_of(page, prefix: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The callback data of a message's buttons that start with `prefix`."""
    return [b["callback_data"] for b in page.buttons if b["callback_data"].startswith(prefix)]


async def _last_page(user, page, kind: ListKind):  # type: ignore[no-untyped-def]
    """The last page of a list, pressing "More ›" from `page`."""
    for _ in range(100):
        forward = [
            b for b in page.buttons if b["callback_data"] in _data_of(page, f"pg:{kind.value}:")
        ]
        forward = [b for b in forward if b["text"].endswith("›")]
        if not forward:
            return page
        page = (await user.press(forward[0]["text"], page))[-1]
    raise AssertionError("the pages never end")


async def test_requests_with_60_long_requests_is_one_paged_list_whose_cards_act(
    app, hosted_network
):
    """/requests with 57 requests Hilde could help with and 3 of her own: one message, paged,
    every request once; a request on a later page opens on its card, where "I can help",
    "« Requests" and, on her own, "Withdraw" work as before."""
    view, host, _olena = hosted_network
    nb = app.catalogs.translator("nb")
    await host.send("/offer")
    await host.press(helping.category_label(nb, HelpCategory.LENDING))
    askers = await _residents(app, view.id, [long_name(n) for n in range(57)], ["uk", "nb"])
    hilde = await actor_of(app, host)
    async with app.sessionmaker() as session:
        for n in range(60):
            session.add(
                HelpRequest(
                    requester_id=(askers[n].resident_id if n < 57 else hilde.resident_id),
                    network_id=view.id,
                    category=HelpCategory.LENDING,
                    description=f"Request {n:03d} " + "ሀ" * 480,
                    status=RequestStatus.OPEN,
                    expires_at=FAR,
                )
            )
        await session.commit()
    before = len(host.messages)
    replies = await host.send("/requests")
    assert len(host.messages) == before + 1  # one answer, not sixty
    texts = await _walk(host, replies, ListKind.REQUESTS)
    assert len(texts) > 1
    everything = "\n".join(texts)
    for n in range(60):
        assert everything.count(f"Request {n:03d} ") == 1
    assert everything.count(nb.gettext("Your requests")) == 1

    # A neighbour's request from the second page: its card, "I can help", and back.
    first = (await host.send("/requests"))[-1]
    second = (await host.press(nb.gettext("More ›"), first))[-1]
    card_data = next(
        b["callback_data"] for b in second.buttons if b["callback_data"].startswith("hr:card:")
    )
    card = (await host.press_data(card_data, second))[-1]
    assert "ሀ" * 480 in card.text  # the card shows the whole description
    assert nb.gettext("⚠️ Report") in card.button_texts
    await host.press(nb.gettext("🙋 I can help"), card)
    assert host.last_answer["text"].startswith(
        nb.gettext("Thank you! {name} will hear that you can help.", name="")[:6]
    )
    back = (await host.press(nb.gettext("« Requests"), card))[-1]
    assert back.text == second.text

    # Her own request, on the last page: withdrawn from its card, and gone from the list.
    page = await _last_page(host, (await host.send("/requests"))[-1], ListKind.REQUESTS)
    own_cards = _data_of(page, "hr:card:")
    mine = (await host.press_data(own_cards[-1], page))[-1]
    assert nb.gettext("Withdraw") in mine.button_texts
    withdrawn = (await host.press(nb.gettext("Withdraw"), mine))[-1]
    assert nb.gettext("withdrawn") in withdrawn.text
    after = "\n".join(await _walk(host, await host.send("/requests"), ListKind.REQUESTS))
    assert after.count("Request 0") == 59


async def test_a_forged_request_card_is_refused_without_showing_it(app, hosted_network):
    """A request's card opens only for a request /requests would list that resident."""
    view, _host, olena = hosted_network
    [asker] = await _residents(app, view.id, ["Asker"], ["nb"])
    async with app.sessionmaker() as session:
        request = HelpRequest(
            requester_id=asker.resident_id,
            network_id=view.id,
            category=HelpCategory.HOME,
            description="Secret 123",
            status=RequestStatus.OPEN,
            expires_at=FAR,
        )
        session.add(request)
        await session.commit()
        request_id = request.id
    await olena.send("/start")
    await olena.press_data(HelpCb(action=HelpAction.CARD, request_id=request_id).pack())
    assert "Secret 123" not in olena.last.text
    uk = app.catalogs.translator("uk")
    assert olena.last_answer["text"] == uk.gettext("This help request is closed.")


async def test_events_with_40_long_events_page_by_length_and_open_from_any_page(
    app, hosted_network
):
    """/events with 40 upcoming events with 120-character titles: paged with "More ›", at
    most eight a page, every event once, each page's events open on their cards, and
    "« Events" comes back to the first page."""
    view, host, _olena = hosted_network
    hilde = await actor_of(app, host)
    titles = []
    for n in range(40):
        title = (f"{n:03d} " + SCRIPTS[n % len(SCRIPTS)] * 40)[: events.TITLE_MAX]
        titles.append(title)
        async with app.sessionmaker() as session:
            await events.publish(
                session,
                hilde,
                app.catalogs,
                event_draft(
                    view.id,
                    title=title,
                    translations={},
                    starts_at=FAR + timedelta(hours=n),
                    ends_at=FAR + timedelta(hours=n, minutes=30),
                ),
                now=NOON,
            )
    nb = app.catalogs.translator("nb")
    replies = await host.send("/events")
    texts = await _walk(host, replies, ListKind.EVENTS)
    assert len(texts) >= 40 // 8
    everything = "\n".join(texts)
    for title in titles:
        assert everything.count(title) == 1, title
    # The last page's events open, and "« Events" is the first page again.
    page = await _last_page(host, replies[-1], ListKind.EVENTS)
    opens = _data_of(page, "ev:open:")
    assert 1 <= len(opens) <= 8
    card = (await host.press_data(opens[-1], page))[-1]
    assert titles[-1] in card.text
    back = (await host.press(nb.gettext("« Events"), card))[-1]
    assert back.text == texts[0]


async def test_mydata_with_100_long_networks_fits_and_the_file_holds_them_all(app, hosted_network):
    """/mydata names the networks that fit one message and counts the rest; the file names
    every one."""
    _view, _host, olena = hosted_network
    me = await actor_of(app, olena)
    names = [long_name(n) for n in range(100)]
    async with app.sessionmaker() as session:
        for n, name in enumerate(names):
            network = await networks.create_network(
                session, Actor.operator(), name=name, slug=f"m-{n}"
            )
            session.add(
                Membership(resident_id=me.resident_id, network_id=network.id, role=MemberRole.HOST)
            )
        await session.commit()
    replies = await olena.send("/mydata")
    record, document = replies[-2], replies[-1]
    assert not _too_long(record.text)
    uk = app.catalogs.translator("uk")
    named = sum(1 for name in names if name in record.text)
    assert 0 < named < 100
    assert uk.ngettext("…and {n} more", "…and {n} more", 100 - named) in record.text
    assert document.document is not None
    content = document.document.content.decode()
    assert all(name in content for name in names)
