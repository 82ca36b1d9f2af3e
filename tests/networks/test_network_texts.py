"""A network's name and description in other languages: its hosts and the coordinators give
them in the bot (or the TOML import), and residents then meet the network by the name in their
own language everywhere: the list, its card, event notices, broadcasts, digests; the others
still read the original."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select

from bot.services import broadcasts, digest, events, networks
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from db.models import NetworkText
from handlers.callbacks import NetworkTextAction, NetworkTextCb
from tests.support.events import actor_of, event_draft
from tests.support.outbox import Clock, after_quiet_hours, outbox_worker
from tests.support.settings import COORDINATOR_ID

UK_NAME = "Сусіди Торстранда"
UK_DESCRIPTION = "Дугнади, зустрічі й допомога по-сусідськи."


async def _texts(app, network_id: int) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        rows = await session.scalars(
            select(NetworkText).where(NetworkText.network_id == network_id)
        )
        return {r.locale: (r.name, r.description) for r in rows}


async def _give_ukrainian(host, t) -> None:  # type: ignore[no-untyped-def]
    """The host's way in the bot: the network's card, 🌍, Українська, the name, the description."""
    await host.send("/networks")
    await host.press("Torstrand")
    replies = await host.press(t.gettext("🌍 Name in other languages"))
    assert "Українська" in replies[-1].button_texts
    replies = await host.press("Українська")
    assert replies[-1].text.startswith(
        t.gettext("The name in {language}, or /cancel:", language="Українська")
    )
    replies = await host.send(UK_NAME)
    assert replies[-1].text.startswith(
        t.gettext("The description in {language}:", language="Українська")
    )
    replies = await host.send(UK_DESCRIPTION)
    assert replies[-1].text.startswith(
        t.gettext("Saved: the name and description in {language}.", language="Українська")
    )
    assert f"✅ Українська: {UK_NAME}" in replies[-1].text
    assert "✅ Українська" in replies[-1].button_texts


@pytest.fixture
async def torstrand(app, resident, hosted_network):  # type: ignore[no-untyped-def]
    """Torstrand (host Hilde, Olena in Ukrainian) with Kari, a Norwegian member, too."""
    view, host, olena = hosted_network
    kari = await resident("Kari")
    await kari.send("/start join-torstrand")
    return view, host, olena, kari


async def test_a_host_gives_a_ukrainian_name_that_ukrainian_members_see_everywhere(app, torstrand):
    view, host, olena, kari = torstrand
    t = app.catalogs.translator("nb")
    uk = app.catalogs.translator("uk")
    await _give_ukrainian(host, t)
    assert await _texts(app, view.id) == {"uk": (UK_NAME, UK_DESCRIPTION)}

    # The list and the card, in Olena's language.
    replies = await olena.send("/networks")
    assert UK_NAME in replies[-1].text and "Torstrand" not in replies[-1].text
    assert f"✅ {UK_NAME}" in replies[-1].button_texts
    replies = await olena.press(f"✅ {UK_NAME}")
    assert UK_NAME in replies[-1].text and UK_DESCRIPTION in replies[-1].text
    # Kari reads Norwegian: the original.
    replies = await kari.send("/networks")
    assert "Torstrand" in replies[-1].text and UK_NAME not in replies[-1].text

    # An event notice and a broadcast, rendered once per language, name it in each reader's.
    host_actor = await actor_of(app, host)
    async with app.sessionmaker() as session:
        starts = after_quiet_hours() + timedelta(days=2)
        draft = event_draft(view.id, starts_at=starts, ends_at=None)
        await events.publish(session, host_actor, app.catalogs, draft)
        await broadcasts.broadcast(
            session, host_actor, app.catalogs, text="Husk dugnaden!", network_id=view.id
        )
    await outbox_worker(app, Clock(after_quiet_hours())).drain()
    texts = [m.text or "" for m in olena.messages]
    assert any(uk.gettext("🗓 New event in {network}", network=UK_NAME) in x for x in texts)
    assert any(x.startswith(uk.gettext("📣 Notice from {network}", network=UK_NAME)) for x in texts)
    norwegian = [m.text or "" for m in kari.messages]
    assert any(t.gettext("🗓 New event in {network}", network="Torstrand") in x for x in norwegian)
    assert any(t.gettext("📣 Notice from {network}", network="Torstrand") in x for x in norwegian)
    assert not any(UK_NAME in x for x in norwegian)

    # Olena's upcoming events name the network in Ukrainian too.
    replies = await olena.send("/events")
    assert UK_NAME in replies[-1].text


async def test_changing_keeping_and_removing_a_version(app, torstrand):
    view, host, olena, _kari = torstrand
    t = app.catalogs.translator("nb")
    await _give_ukrainian(host, t)
    # A new name; the description given before is kept with a button.
    await host.press("✅ Українська")
    assert t.gettext("🗑 Remove this language") in host.last.button_texts
    await host.send("Торстранд")
    replies = await host.press(t.gettext("Keep the current description"))
    assert "✅ Українська: Торстранд" in replies[-1].text
    assert await _texts(app, view.id) == {"uk": ("Торстранд", UK_DESCRIPTION)}
    # A name too long is refused, and the question stays open.
    await host.press("✅ Українська")
    await host.send("Ї" * 65)
    assert host.last.text == t.ngettext(
        "That's too long: at most {n} character, please.",
        "That's too long: at most {n} characters, please.",
        64,
    )
    await host.send("Торстранд <центр> & порт")
    await host.send("/skip")  # no description in Ukrainian: the original's is shown instead
    assert await _texts(app, view.id) == {"uk": ("Торстранд <центр> & порт", "")}
    replies = await olena.send("/networks")
    assert "Торстранд &lt;центр&gt; &amp; порт" not in replies[-1].text  # shown, not escaped twice
    assert "Торстранд <центр> & порт" in replies[-1].text
    # Removed: Olena reads the original again.
    await host.press("✅ Українська")
    replies = await host.press(t.gettext("🗑 Remove this language"))
    assert host.last_answer["text"] == t.gettext(
        "Removed: the name and description in {language}.", language="Українська"
    )
    assert "✅ Українська" not in replies[-1].button_texts
    assert await _texts(app, view.id) == {}
    replies = await olena.send("/networks")
    assert "Torstrand" in replies[-1].text


async def test_a_coordinator_can_and_a_member_cannot(app, resident, torstrand):
    view, _host, olena, kari = torstrand
    t = app.catalogs.translator("nb")
    uk = app.catalogs.translator("uk")
    # A coordinator who reads English gives the English version.
    en = app.catalogs.translator("en")
    coordinator = await resident("Marte", "English", "en", user_id=COORDINATOR_ID)
    await coordinator.send("/coordinate")
    await coordinator.press(en.gettext("🏘 Manage networks"))
    await coordinator.press("Torstrand")
    await coordinator.press(en.gettext("🌍 Name in other languages"))
    await coordinator.press("English")
    await coordinator.send("Torstrand neighbours")
    replies = await coordinator.send("/skip")
    assert "✅ English: Torstrand neighbours" in replies[-1].text
    replies = await coordinator.press(en.gettext("« Back"))
    # Their card keeps the original (what ✏️ Name changes) and lists the languages given...
    card = replies[-1].text
    assert card.startswith("Torstrand\n") and "Torstrand neighbours" not in card
    assert en.gettext("🌍 Also in: {languages}", languages="English") in card
    assert await _texts(app, view.id) == {"en": ("Torstrand neighbours", "")}
    # ...while everywhere else they read the network by its English name.
    replies = await coordinator.send("/networks")
    assert "Torstrand neighbours" in replies[-1].text

    # A member (of any language) pressing the same buttons is refused, in their language.
    for action in NetworkTextAction:
        data = NetworkTextCb(action=action, network_id=view.id, locale="uk").pack()
        await kari.press_data(data)
        if action is NetworkTextAction.KEEP:  # no conversation to keep anything in
            assert kari.last_answer["text"] == t.gettext(
                "This button no longer works. Send /start for a fresh menu."
            )
        else:
            assert kari.last_answer["text"] == t.gettext(
                "Only the hosts of this network can do that."
            )
    await olena.press_data(NetworkTextCb(action=NetworkTextAction.MENU, network_id=view.id).pack())
    assert olena.last_answer["text"] == uk.gettext("Only the hosts of this network can do that.")
    assert await _texts(app, view.id) == {"en": ("Torstrand neighbours", "")}


async def test_forged_or_stale_buttons_get_a_clear_answer(app, torstrand):
    view, host, _olena, _kari = torstrand
    t = app.catalogs.translator("nb")
    stale = t.gettext("This button no longer works. Send /start for a fresh menu.")
    for data in (
        NetworkTextCb(action=NetworkTextAction.LANGUAGE, network_id=view.id, locale="xx").pack(),
        NetworkTextCb(action=NetworkTextAction.LANGUAGE, network_id=view.id, locale="nb").pack(),
        NetworkTextCb(action=NetworkTextAction.REMOVE, network_id=view.id, locale="").pack(),
        NetworkTextCb(action=NetworkTextAction.KEEP, network_id=view.id, locale="uk").pack(),
        f"nt:menu:{2**64}:uk:0",  # an id no database column holds
        "nt:nonsense:1:uk:0",
    ):
        await host.press_data(data)
        assert host.last_answer["text"] == stale, data
    await host.press_data(NetworkTextCb(action=NetworkTextAction.MENU, network_id=999_999).pack())
    assert host.last_answer["text"] == t.gettext("I couldn't find that. It may have been removed.")
    # A Keep button from an older question does not act on another language's.
    await host.press_data(
        NetworkTextCb(action=NetworkTextAction.LANGUAGE, network_id=view.id, locale="pl").pack()
    )
    await host.send("Sąsiedzi z Torstrand")
    await host.press_data(
        NetworkTextCb(action=NetworkTextAction.KEEP, network_id=view.id, locale="uk").pack()
    )
    assert host.last_answer["text"] == stale
    await host.send("Opis")
    assert await _texts(app, view.id) == {"pl": ("Sąsiedzi z Torstrand", "Opis")}


async def test_the_services_check_the_language_and_the_role(app, torstrand):
    view, host, olena, _kari = torstrand
    host_actor, olena_actor = await actor_of(app, host), await actor_of(app, olena)
    async with app.sessionmaker() as session:
        for locale in ("nb", "de", ""):  # Norwegian is the original's own language
            with pytest.raises(InvalidInput):
                await networks.set_network_text(session, host_actor, view.id, locale, name="Navn")
        with pytest.raises(PermissionDenied):
            await networks.set_network_text(session, olena_actor, view.id, "uk", name=UK_NAME)
        with pytest.raises(InvalidInput):
            await networks.set_network_text(
                session, host_actor, view.id, "uk", name="x", description="y" * 1001
            )
        found = await networks.set_network_text(
            session, host_actor, view.id, "uk", name=f"  {UK_NAME}\n ", description=" Опис "
        )
        assert found.translations == {"uk": (UK_NAME, "Опис")}
        # An archived network is the coordinators' alone.
        await networks.set_archived(session, Actor.operator(), view.id, True)
        with pytest.raises(NotFound):
            await networks.network_texts(session, host_actor, view.id)


async def test_the_network_list_is_one_query_whatever_the_translations(app, resident):
    operator = Actor.operator()
    olena = await resident("Olena", "Українська", "uk")
    reader = await actor_of(app, olena)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    async def listed() -> list[networks.NetworkView]:
        async with app.sessionmaker() as session:
            statements.clear()
            event.listen(app.engine.sync_engine, "before_cursor_execute", count)
            try:
                return await networks.list_networks(session, reader)
            finally:
                event.remove(app.engine.sync_engine, "before_cursor_execute", count)

    async with app.sessionmaker() as session:
        for n in range(3):
            made = await networks.create_network(session, operator, name=f"Nett {n}")
            await networks.set_network_text(session, operator, made.id, "uk", name=f"Мережа {n}")
    few = await listed()
    few_statements = len(statements)
    async with app.sessionmaker() as session:
        for n in range(3, 12):
            made = await networks.create_network(session, operator, name=f"Nett {n}")
            if n % 2:
                await networks.set_network_text(
                    session, operator, made.id, "uk", name=f"Мережа {n}", description="Опис"
                )
    many = await listed()
    assert len(statements) == few_statements
    assert [v.name for v in few] == ["Мережа 0", "Мережа 1", "Мережа 2"]
    names = {v.original_name: v.name for v in many}
    assert names["Nett 3"] == "Мережа 3" and names["Nett 4"] == "Nett 4"
    assert {v.original_name: v.description for v in many}["Nett 5"] == "Опис"


def test_the_digest_names_networks_in_each_readers_language(app):
    """The week is read once for every reader; each digest names the network in its own."""
    from types import SimpleNamespace

    now = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)
    week = digest.Week(
        "2026-W49",
        now,
        {1: "Småbarnsforeldre"},
        {},
        {},
        {1: (2, 0)},
        "Larvik",
        translated_names={1: {"uk": "Батьки малюків"}},
    )
    item = digest.WeekEvent(
        SimpleNamespace(  # type: ignore[arg-type]
            id=1,
            title="Babysang",
            starts_at=now + timedelta(days=1),
            network_id=1,
            no_norwegian_needed=False,
        ),
        {},
        0,
        0,
    )
    week.events[1] = [item]
    writer = digest.Writer(app.catalogs)
    for locale, name, other in (
        ("uk", "Батьки малюків", "Småbarnsforeldre"),
        ("nb", "Småbarnsforeldre", "Батьки малюків"),
    ):
        content = digest.gather(week, 7, [1], set(), set(), [], locale)
        text = writer.telegram(app.catalogs.translator(locale), week, content).text
        assert name in text and other not in text


def _network_file(tmp_path: Path, texts: str) -> Path:
    path = tmp_path / "networks.toml"
    path.write_text(
        '[[network]]\nslug = "smabarn"\nname = "Småbarnsforeldre"\nkind = "interest"\n'
        'description = "Treff for foreldre med små barn."\n' + texts,
        encoding="utf-8",
    )
    return path


UK_TEXTS = (
    '[network.texts.uk]\nname = "Батьки малюків"\n'
    'description = "Зустрічі для батьків малих дітей."\n'
    '[network.texts.en]\nname = "Parents of young children"\n'
)


def test_import_reads_the_texts_and_a_second_import_changes_nothing(cli, tmp_path):
    path = _network_file(tmp_path, UK_TEXTS)
    first = cli("network", "import", str(path))
    assert first.exit_code == 0, first.output
    assert "created 1, updated 0" in first.output
    assert "created 0, updated 0, unchanged 1" in cli("network", "import", str(path)).output
    listing = cli("network", "list").output
    assert "smabarn" in listing and "Småbarnsforeldre" in listing and "texts=en,uk" in listing
    # A changed version is an update; a language the file leaves out stays as it was.
    changed = _network_file(tmp_path, '[network.texts.uk]\nname = "Мами й тата малюків"\n')
    assert "created 0, updated 1" in cli("network", "import", str(changed)).output
    assert "texts=en,uk" in cli("network", "list").output


@pytest.mark.parametrize(
    ("texts", "problem"),
    [
        ('[network.texts.de]\nname = "Eltern"\n', 'network "smabarn", language "de": not a'),
        ('[network.texts.nb]\nname = "Foreldre"\n', 'network "smabarn", language "nb": not a'),
        (
            f'[network.texts.uk]\nname = "{"Ї" * 65}"\n',
            'network "smabarn", language "uk": the name is over 64 characters',
        ),
        ('[network.texts.uk]\nname = "  "\n', 'network "smabarn", language "uk": the name is'),
        ('[network.texts.uk]\ndescription = "Опис"\n', 'network "smabarn", language "uk": needs'),
    ],
)
def test_a_bad_language_or_name_in_the_file_is_one_clear_line(cli, tmp_path, texts, problem):
    result = cli("network", "import", str(_network_file(tmp_path, texts)))
    assert result.exit_code != 0
    assert problem in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "no networks yet" in cli("network", "list").output  # nothing was written


def test_the_example_file_gives_several_networks_in_many_languages():
    from bot.catalog_maintenance import PROJECT

    specs = networks.parse_network_file(
        (PROJECT / "examples" / "larvik.toml").read_text(encoding="utf-8")
    )
    translated = [s for s in specs if s.texts]
    assert len(translated) >= 4
    for spec in translated:
        if spec.kind.value == "interest":
            assert set(spec.texts) >= {"uk", "ar", "en", "pl", "so", "ti", "fa_AF", "lt"}
