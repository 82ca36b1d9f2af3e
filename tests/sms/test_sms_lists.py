"""A list by SMS is never cut off: it comes a reply of at most two segments at a time, each
but the last ending with "Reply MORE for the rest", and MORE (in the resident's language)
sends the next part; numbers run on, so a name on the third part is chosen by its number."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.i18n import SHIPPED_LOCALES
from bot.services import networks
from bot.services.actors import Actor
from bot.sms_keywords import Command, shown
from bot.sms_segments import count
from db.models import Membership
from tests.support.sms_phone import SmsNetwork, sms_network

NUMBER = "+4791234599"


async def _onboarded(sms: SmsNetwork, choice: str):  # type: ignore[no-untyped-def]
    phone = sms.phone(NUMBER)
    await phone.send("Hei")
    await phone.send(choice)
    await phone.send("1")
    return phone


@pytest.fixture
async def sms_unlimited(database_url: str, fake_api) -> AsyncIterator[SmsNetwork]:  # type: ignore[no-untyped-def]
    """Walking 25 one-per-reply names takes more texts than the SMS rate limit allows in ten
    minutes (tests/sms/test_sms_limits.py covers that limit): here it is off."""
    async for network in sms_network(database_url, fake_api, rate_limit_sms="off"):
        yield network


async def test_more_walks_a_long_network_list_in_ukrainian(sms_unlimited):
    sms = sms_unlimited
    names = [f"Мережа {n:02d} " + "Ї" * 40 for n in range(25)]
    async with sms.app.sessionmaker() as session:
        for n, name in enumerate(names):
            await networks.create_network(session, Actor.operator(), name=name, slug=f"m{n}")
    choice = str(SHIPPED_LOCALES.index("uk") + 1)
    phone = await _onboarded(sms, choice)
    uk = sms.app.catalogs.translator("uk")
    more = uk.gettext("Reply {more} for the rest.", more=shown(Command.MORE, "uk"))
    [first] = await phone.send("СПІЛЬНОТИ")
    parts = [first]
    while parts[-1].endswith(more):
        [part] = await phone.send(shown(Command.MORE, "uk").lower())
        parts.append(part)
        assert len(parts) < 40
    assert len(parts) > 3
    for part in parts:
        assert count(part).segments <= 2
    everything = "\n".join(parts)
    for name in names:
        assert everything.count(name) == 1
    # The last network, listed on the last part, is joined by its number.
    number = next(line.split()[0] for line in parts[-1].splitlines() if names[-1] in line)
    [joined] = await phone.send(number)
    assert names[-1] in joined
    async with sms.app.sessionmaker() as session:
        assert len(list(await session.scalars(select(Membership)))) == 1
    # With the list over, MORE says there is nothing more.
    [nothing] = await phone.send("ЩЕ")
    assert nothing == uk.gettext("There is nothing more to show.")


async def test_more_in_norwegian_and_a_new_question_ends_the_list(sms):
    async with sms.app.sessionmaker() as session:
        for n in range(20):
            await networks.create_network(
                session, Actor.operator(), name=f"Nabolag nummer {n:02d} i Larvik", slug=f"n{n}"
            )
    phone = await _onboarded(sms, "1")
    [first] = await phone.send("NETTVERK")
    assert "MER" in first.splitlines()[-1]  # the translated "Reply MER for the rest."
    [second] = await phone.send("mer")
    assert "Nabolag nummer" in second and second not in first
    await phone.send("SPRÅK")  # another question: the list's rest is gone
    await phone.send("1")
    [nothing] = await phone.send("MER")
    nb = sms.app.catalogs.translator("nb")
    assert nothing == nb.gettext("There is nothing more to show.")


# Long event titles as hosts write them, in each language's script.
LONG_TITLES = {
    "nb": "Språkkafé og leksehjelp for store og små på Torstrand bibliotek",
    "en": "Community language café and homework help for children and parents",
    "uk": "Мовне кафе та допомога з домашніми завданнями для дітей і батьків",
    "pl": "Kawiarnia językowa i pomoc w odrabianiu lekcji dla dzieci i rodziców",
    "lt": "Kalbų kavinė ir pagalba ruošiant namų darbus vaikams bei tėvams",
    "ar": "مقهى اللغة والمساعدة في الواجبات المنزلية للأطفال وأولياء الأمور",
    "so": "Maqaaxida luqadda iyo caawinta casharrada guriga ee carruurta iyo waalidka",
    "ti": "ናይ ቋንቋ ቤት ቡን ከምኡውን ንቆልዑን ወለድን ሓገዝ ዕዮ ገዛ ኣብ ቤተ መጻሕፍቲ",
    "fa_AF": "کافه زبان و کمک به کارخانگی برای کودکان و والدین در کتابخانه",
}


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
async def test_a_long_event_list_keeps_its_instructions_whole_in_every_language(
    sms_unlimited, locale
):
    """Twelve events with long titles: each reply fits two segments, starts (the first) with
    what to reply and ends (all but the last) with the word for MORE, whole; no title is cut."""
    from datetime import UTC, datetime, timedelta

    from bot.services import events
    from bot.services.events import EventDraft

    sms = sms_unlimited
    async with sms.app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    phone = await _onboarded(sms, str(SHIPPED_LOCALES.index(locale) + 1))
    await phone.send(f"{shown(Command.JOIN, locale)} Torstrand")
    now = datetime.now(UTC)
    titles = [f"{LONG_TITLES[locale]} #{n + 1:02d}" for n in range(12)]
    async with sms.app.sessionmaker() as session:
        for n, title in enumerate(titles):
            await events.publish(
                session,
                Actor.operator(),
                sms.app.catalogs,
                EventDraft(
                    network_id=view.id,
                    title=title,
                    starts_at=now + timedelta(days=1, hours=n),
                    locale=locale,
                ),
                now=now,
            )
    await phone.receive()  # the notices of the twelve events
    t = sms.app.catalogs.translator(locale)
    more = t.gettext("Reply {more} for the rest.", more=shown(Command.MORE, locale))
    header = t.gettext("Reply with a number to say you are coming.")
    [first] = await phone.send(shown(Command.EVENTS, locale))
    parts = [first]
    while parts[-1].endswith(more):
        [part] = await phone.send(shown(Command.MORE, locale))
        parts.append(part)
        assert len(parts) < 20
    assert first.startswith(header)
    assert len(parts) > 1
    for part in parts:
        assert count(part).segments <= 2, part
    # Every event once, by its number, with its own title or its shortened start; none split.
    rows = [line for part in parts for line in part.splitlines() if line[:1].isdigit()]
    assert [row.split(".")[0] for row in rows] == [str(n) for n in range(1, 13)]
    for row, title in zip(rows, titles, strict=True):
        rest = row.split(". ", 1)[1].replace("...", "…")
        assert rest.startswith(title + ",") or title.startswith(rest.split("…,")[0]), row


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
async def test_the_longest_network_names_are_shortened_never_split(sms_unlimited, locale):
    """Network names at their 64-character limit, in the reader's script: each row stays in
    one reply (its name shortened if the reply would not fit it, never split over two), the
    instructions stay whole, and a shortened name's number still joins that network."""
    sms = sms_unlimited
    base = LONG_TITLES[locale]
    names = [f"{n:02d} {base}"[:64] for n in range(8)]
    async with sms.app.sessionmaker() as session:
        for n, name in enumerate(names):
            await networks.create_network(session, Actor.operator(), name=name, slug=f"l{n}")
    phone = await _onboarded(sms, str(SHIPPED_LOCALES.index(locale) + 1))
    t = sms.app.catalogs.translator(locale)
    more = t.gettext("Reply {more} for the rest.", more=shown(Command.MORE, locale))
    [first] = await phone.send(shown(Command.NETWORKS, locale))
    parts = [first]
    while parts[-1].endswith(more):
        [part] = await phone.send(shown(Command.MORE, locale))
        parts.append(part)
        assert len(parts) < 20
    rows: list[str] = []
    for part in parts:
        assert count(part).segments <= 2, part
        rows += [line for line in part.splitlines() if line[:1].isdigit()]
    assert [row.split(" ", 1)[0] for row in rows] == [str(n) for n in range(1, 9)]
    for row, name in zip(rows, names, strict=True):
        shown_name = row.split(" ", 1)[1].replace("...", "…")
        assert shown_name == name or (
            shown_name.endswith("…") and name.startswith(shown_name[:-1])
        ), row
    [joined] = await phone.send("8")
    assert names[7][:20] in joined
    async with sms.app.sessionmaker() as session:
        [membership] = list(await session.scalars(select(Membership)))
    assert membership.network_id is not None
