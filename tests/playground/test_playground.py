"""The playground through its JSON API: the real bot behind it, the embedded Bot API server in
front, and nothing in between that answers for the bot."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.clock import Clock
from bot.fake_bot_api import RateLimit
from bot.i18n import Catalogs
from bot.playground.clock import next_slot
from bot.playground.personas import COORDINATOR_ID, HOST_ID, NEIGHBOUR_ID
from bot.playground.server import Playground, PlaygroundOptions
from bot.services import preferences, residents
from bot.services.actors import Actor
from bot.sms_segments import count
from db.models import DigestRun, Event, Resident, utcnow
from db.session import session_now
from tests.support.playground import Client, with_text
from tests.support.polls import png_size
from tests.support.processes import RealProcess

OLENA = 1002
BJORG, OKSANA = 4001, 4002


def last_text(chat: dict[str, Any]) -> str:
    bot = [m for m in chat["messages"] if m["from_bot"]]
    return bot[-1]["text"] if bot else ""


@pytest.fixture
def playground_db(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "playground.db"
    shutil.copy(sqlite_template, path)
    return path


@pytest.fixture
async def playground(playground_db: Path) -> AsyncIterator[Playground]:
    instance = Playground(PlaygroundOptions(db=playground_db, port=0, handle_signals=False))
    try:
        await instance.start()
        yield instance
    finally:
        await instance.stop()


@pytest.fixture
async def client(playground: Playground) -> AsyncIterator[Client]:
    async with aiohttp.ClientSession() as http:
        yield Client(playground.url, http)


@pytest.fixture
def catalogs(playground: Playground) -> Catalogs:
    return playground.bot_app.catalogs


async def onboard(client: Client, catalogs: Catalogs, persona: int, language: str, locale: str):
    t = catalogs.translator(locale)
    await client.post(f"/api/personas/{persona}/messages", {"text": "/start"})
    await client.until(persona, with_text("Choose your language"))
    await client.press(persona, language)
    accept = t.gettext("✅ I understand, let's go")
    await client.until(
        persona, lambda chat: accept in json.dumps(chat["messages"][-1], ensure_ascii=False)
    )
    await client.press(persona, accept)
    return await client.until(persona, with_text(t.gettext("You're all set! 🎉")))


async def test_the_page_and_the_seeded_state(client: Client, playground: Playground):
    async with client.http.get(playground.url) as reply:
        assert reply.status == 200
        page = await reply.text()
        assert "/static/app.js" in page
        assert "default-src 'self'" in reply.headers["Content-Security-Policy"]
    for asset in ("app.js", "style.css"):
        async with client.http.get(f"{playground.url}static/{asset}") as reply:
            assert reply.status == 200
    state = await client.get("/api/state")
    labels = [p["label"] for p in state["personas"]]
    assert labels[:3] == ["Kari (nb, senior)", "Olena (uk, newcomer)", "Ahmed (ar, parent)"]
    assert {"host", "coordinator"} <= {p["role"] for p in state["personas"]}
    # The seed went through the services: the host heard of the events and the help requests
    # through the outbox worker, as members do.
    host = await client.until(HOST_ID, lambda chat: len(chat["messages"]) >= 5 and chat)
    assert host["commands"], "the bot registered its command menu"


async def test_a_persona_onboards_and_gets_a_translated_menu(
    client: Client, playground: Playground, catalogs: Catalogs
):
    uk = catalogs.translator("uk")
    await onboard(client, catalogs, OLENA, "Українська", "uk")
    chat = await client.chat(OLENA)
    described = {c["command"]: c["description"] for c in chat["commands"]}
    assert described["events"] == uk.gettext("Upcoming events")
    # What the persona typed is in the history too, and the language prompt was edited into
    # the privacy notice in place.
    assert chat["messages"][0] == {**chat["messages"][0], "text": "/start", "from_bot": False}
    # The playground gives personas no quiet hours once they have onboarded.
    sessionmaker = playground.bot_app.sessionmaker

    async def quiet() -> bool:
        async with sessionmaker() as session:
            actor = await residents.identify(session, OLENA, frozenset())
            return not (await preferences.get(session, actor)).quiet

    for _ in range(50):
        if await quiet():
            break
        await asyncio.sleep(0.1)
    assert await quiet()


async def test_button_presses_edit_messages_in_place(client: Client, catalogs: Catalogs):
    nb = catalogs.translator("nb")
    await onboard(client, catalogs, 1001, "Norsk (bokmål)", "nb")
    menu = (await client.chat(1001))["messages"][-1]
    await client.press(1001, nb.gettext("🏘 Networks"))

    def edited(chat: dict[str, Any]) -> Any:
        same = [m for m in chat["messages"] if m["id"] == menu["id"]]
        return same and same[0]["previous"][-1:] == [menu["text"]] and same[0]

    message = await client.until(1001, edited)
    assert message["previous"][-1] == menu["text"]
    assert "Hedrum" in json.dumps(message["inline_keyboard"], ensure_ascii=False)


async def test_documents_can_be_downloaded(client: Client, catalogs: Catalogs):
    nb = catalogs.translator("nb")
    await client.until(HOST_ID, with_text("Dugnad i Torstrandparken"))
    await client.press(HOST_ID, nb.gettext("📅 Add to calendar"))
    chat = await client.until(
        HOST_ID, lambda chat: [m for m in chat["messages"] if m.get("document")]
    )
    document = chat[-1]["document"]
    assert document["file_name"].endswith(".ics")
    async with client.http.get(client.base + document["url"]) as reply:
        assert reply.status == 200
        assert reply.headers["Content-Disposition"].startswith("attachment;")
        assert reply.content_type == "application/octet-stream"
        assert (await reply.read()).startswith(b"BEGIN:VCALENDAR")
    await client.post(f"/api/personas/{HOST_ID}/messages", {"text": "/mydata"})
    files = await client.until(
        HOST_ID,
        lambda chat: [
            m
            for m in chat["messages"]
            if (m.get("document") or {}).get("file_name", "").endswith(".json")
        ],
    )
    async with client.http.get(client.base + files[-1]["document"]["url"]) as reply:
        data = json.loads(await reply.read())
    assert "Hilde" in json.dumps(data, ensure_ascii=False)


async def test_answers_to_button_presses_show_as_toasts(client: Client, catalogs: Catalogs):
    nb = catalogs.translator("nb")
    await client.until(HOST_ID, with_text("Dugnad i Torstrandparken"))
    await client.press(HOST_ID, nb.gettext("✅ Coming"))
    toasts = await client.until(HOST_ID, lambda chat: chat["toasts"])
    assert toasts[-1]["text"] == nb.gettext("Great, see you there!")
    assert toasts[-1]["show_alert"] is False


async def test_personas_can_be_added(client: Client):
    created = await client.post(
        "/api/personas", {"name": " Tesfay ", "language_code": "ti"}, status=201
    )
    assert created["label"] == "Tesfay (ti, guest)"
    await client.post(f"/api/personas/{created['id']}/messages", {"text": "/start"})
    await client.until(created["id"], with_text("Choose your language"))


HINT = "Type /start, or tap / for the menu."
SMS_HINT = "Send a text, such as HEI, to start."


async def test_each_persona_comes_with_a_hint_in_its_language(client: Client, catalogs: Catalogs):
    """An empty pane says how to begin, in the language the bot speaks to the persona before
    they choose one: from the bot's catalogs, right to left where that language is."""
    state = await client.get("/api/state")
    hints = {p["id"]: p["hint"] for p in state["personas"] + state["sms"]}
    for persona, locale, direction in (
        (1001, "nb", "ltr"),
        (OLENA, "uk", "ltr"),
        (1003, "ar", "rtl"),
    ):
        text = catalogs.translator(locale).gettext(HINT)
        assert hints[persona] == {"text": text, "lang": locale, "dir": direction}
    assert len({hints[p]["text"] for p in (1001, OLENA, 1003)}) == 3, "each in its own language"
    # An SMS persona has no menu: the hint says to text the bot, in the language they will pick.
    sms_hint = catalogs.translator("uk").gettext(SMS_HINT)
    assert hints[OKSANA] == {"text": sms_hint, "lang": "uk", "dir": "ltr"}
    # Every shipped language has both hints translated.
    for t in catalogs.each():
        if t.locale != "en":
            assert t.gettext(HINT) != HINT, t.locale
            assert t.gettext(SMS_HINT) != SMS_HINT, t.locale

    # An added persona's hint comes with it: the app's "fa" is Dari, right to left; a language
    # the bot does not ship gets the default locale's, as the bot would answer them.
    added = {}
    for name, code, phone in (
        ("Zahra", "fa", None),
        ("Tesfay", "ti", None),
        ("Hans", "de", None),
        ("Sahra", "so", "40000011"),
    ):
        body = {"name": name, "language_code": code} | ({"phone": phone} if phone else {})
        added[code] = (await client.post("/api/personas", body, status=201))["hint"]
    fa_af, ti = catalogs.translator("fa_AF"), catalogs.translator("ti")
    assert added["fa"] == {"text": fa_af.gettext(HINT), "lang": "fa-AF", "dir": "rtl"}
    assert added["ti"] == {"text": ti.gettext(HINT), "lang": "ti", "dir": "ltr"}
    default = catalogs.default_locale
    assert added["de"] == {
        "text": catalogs.translator(default).gettext(HINT),
        "lang": default,
        "dir": "ltr",
    }
    so = catalogs.translator("so").gettext(SMS_HINT)
    assert added["so"] == {"text": so, "lang": "so", "dir": "ltr"}
    state = await client.get("/api/state")
    assert {p["name"]: p["hint"] for p in state["personas"]}["Zahra"] == added["fa"]


async def test_the_api_refuses_what_a_page_would_not_send(client: Client, playground: Playground):
    for body in ({"name": "", "language_code": "nb"}, {"name": "A", "language_code": "<b>"}):
        await client.post("/api/personas", body, status=400)
    await client.post("/api/personas/424242/messages", {"text": "hei"}, status=404)
    await client.post(f"/api/personas/{OLENA}/messages", {"text": "  "}, status=400)
    await client.post(f"/api/personas/{OLENA}/messages", {"text": "x" * 4097}, status=400)
    await client.post(
        f"/api/personas/{HOST_ID}/press", {"message_id": 1, "callback_data": "made:up"}, 400
    )
    async with client.http.post(
        f"{client.base}/api/personas/{OLENA}/messages",
        data="text=hei",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ) as reply:
        assert reply.status == 415
    async with client.http.get(
        f"{client.base}/api/state", headers={"Host": "evil.example:80"}
    ) as reply:
        assert reply.status == 403
    async with client.http.get(f"{client.base}/api/personas/{HOST_ID}/documents/999") as reply:
        assert reply.status == 404


async def settled(playground: Playground, client: Client, timeout: float = 60) -> None:
    """Until the playground has sent everything it had to: no digest round is under way (the
    catch-up runs at start-up, so one is due for a while after each weekly slot) and nothing
    that is due waits in the outbox, seen twice a second apart."""
    deadline = time.monotonic() + timeout
    quiet_since: float | None = None
    while True:
        async with playground.bot_app.sessionmaker() as session:
            open_rounds = await session.scalar(
                select(func.count()).select_from(DigestRun).where(DigestRun.finished_at.is_(None))
            )
        outbox = (await client.get("/api/state"))["deliveries"]
        due = sum(channel["pending"] - channel["later"] for channel in outbox.values())
        if open_rounds or due:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= 1:
            return
        assert time.monotonic() < deadline, f"still sending: {open_rounds} rounds, {outbox}"
        await asyncio.sleep(0.2)


async def test_a_kept_database_is_only_topped_up(playground_db: Path):
    options = PlaygroundOptions(db=playground_db, port=0, handle_signals=False)
    first = Playground(options)
    await first.start()
    try:
        async with aiohttp.ClientSession() as http:
            client = Client(first.url, http)
            await client.until(HOST_ID, lambda chat: len(chat["messages"]) >= 5)
            await client.post("/api/personas", {"name": "Bo", "language_code": "en"}, 201)
            await client.post(
                "/api/personas", {"name": "Sol", "language_code": "so", "phone": "40000009"}, 201
            )
            # What the first run had to send is sent, so that what the second sends is new.
            await settled(first, client)
    finally:
        await first.stop()
    second = Playground(options)
    await second.start()
    try:
        async with aiohttp.ClientSession() as http:
            client = Client(second.url, http)
            state = await client.get("/api/state")
            assert "Bo (en, guest)" in [p["label"] for p in state["personas"]]
            assert "Sol (so, SMS only, +47 4000 0009)" in [p["label"] for p in state["sms"]]
            await asyncio.sleep(1.5)  # the worker would have sent any new notices by now
            assert not (await client.chat(HOST_ID))["messages"], "nothing was published twice"
    finally:
        await second.stop()


async def test_the_rate_limit_switch_gives_429_with_retry_after(playground_db: Path):
    options = PlaygroundOptions(
        db=playground_db, port=0, handle_signals=False, rate_limit=RateLimit(total=1)
    )
    async with aiohttp.ClientSession() as http:
        instance = Playground(options)
        await instance.start()
        try:
            client = Client(instance.url, http)
            assert (await client.get("/api/state"))["rate_limit"]["total"] == 1
            # The seed's notices go to the host and the neighbour at once: one a second in all
            # is too fast, and the worker is told to wait, then delivers them all the same.
            await client.until(HOST_ID, lambda chat: len(chat["messages"]) >= 2, timeout=20)
            refused = [
                c for c in instance.server.calls if not c.ok and "retry after" in (c.error or "")
            ]
            assert refused, "the worker was told to slow down"
        finally:
            await instance.stop()


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_the_command_starts_and_ctrl_c_stops_it(tmp_path: Path):
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    process = RealProcess.naboskap(
        "playground", "--port", "0", "--db", str(tmp_path / "p.db"), env=env, cwd=tmp_path
    )
    try:
        assert "long polling as @" in process.ready()
        line = process.wait_for_line("open http://127.0.0.1:", stream="stdout")
        url = line.split("open ", 1)[1].split()[0]

        async def state() -> Any:
            async with aiohttp.ClientSession() as http, http.get(url + "api/state") as reply:
                return await reply.json()

        assert asyncio.run(asyncio.wait_for(state(), 60))["personas"]
        code, stderr = process.stop(signal.SIGINT)
        assert code == 0, stderr
        assert "Traceback" not in stderr
    finally:
        process.kill()


# ---- SMS personas -----------------------------------------------------------------------------


async def test_an_sms_persona_onboards_by_sms_and_joins_a_network(
    client: Client, playground: Playground
):
    state = await client.get("/api/state")
    labels = [p["label"] for p in state["sms"]]
    assert labels[:2] == [
        "Bjørg (nb, SMS only, +47 4000 0001)",
        "Oksana (uk, SMS only, +47 4000 0002)",
    ]
    assert not {p["id"] for p in state["sms"]} & {p["id"] for p in state["personas"]}
    menu = await client.text(OKSANA, "Hei")
    assert "3 Українська" in menu["text"]
    assert (menu["segments"], menu["encoding"]) == (count(menu["text"]).segments, "ucs2")
    privacy = await client.text(OKSANA, "3")
    assert "Larvik kommune" in privacy["text"] and "СТОП" in privacy["text"]
    welcome = await client.text(OKSANA, "1")
    assert "СПІЛЬНОТИ" in welcome["text"]
    joined = await client.text(OKSANA, "ПРИЄДНАТИСЯ Torstrand")
    assert "Torstrand" in joined["text"]
    assert 1 <= joined["segments"] <= 2 and joined["units"] == count(joined["text"]).units
    thread = await client.sms(OKSANA)
    # Both ways, in order: each of her texts followed by the bot's answer.
    assert [m["from_bot"] for m in thread] == [False, True] * 4
    assert thread[0]["text"] == "Hei" and "segments" not in thread[0]
    # The language menu names every language; after it, Norwegian fits the GSM alphabet.
    assert (await client.text(BJORG, "Hei"))["encoding"] == "ucs2"
    assert (await client.text(BJORG, "1"))["encoding"] == "gsm7"
    state = await client.get("/api/state")
    assert state["deliveries"]["sms"]["sent"] >= 6
    assert {p["id"]: p["messages"] for p in state["sms"]}[OKSANA] == 8

    # She is a resident by her number only, and the playground gave her no quiet hours.
    async def resident() -> tuple[Resident, bool]:
        async with playground.bot_app.sessionmaker() as session:
            found = await session.scalar(select(Resident).where(Resident.phone == "+4740000002"))
            assert found is not None
            actor = Actor(found.id, None, found.locale, False, onboarded=True)
            return found, (await preferences.get(session, actor)).quiet

    for _ in range(50):
        found, quiet = await resident()
        if not quiet:
            break
        await asyncio.sleep(0.1)
    assert not quiet
    assert found.telegram_id is None and found.locale == "uk"


async def test_sms_personas_can_be_added_and_the_api_checks_them(client: Client):
    created = await client.post(
        "/api/personas",
        {"name": "Per", "language_code": "nb", "phone": "4000 0003"},
        status=201,
    )
    assert created["label"] == "Per (nb, SMS only, +47 4000 0003)"
    assert created["phone"] == "+4740000003"
    state = await client.get("/api/state")
    assert created["id"] in [p["id"] for p in state["sms"]]
    assert created["id"] not in [p["id"] for p in state["personas"]]
    menu = await client.text(created["id"], "Hei")
    assert "1 Norsk" in menu["text"]
    for body in (
        {"name": "X", "language_code": "nb", "phone": "12"},
        {"name": "Y", "language_code": "nb", "phone": "+4740000001"},  # Bjørg's
    ):
        await client.post("/api/personas", body, status=400)
    await client.post(f"/api/personas/{BJORG}/sms", {"text": " "}, status=400)
    await client.post(f"/api/personas/{BJORG}/messages", {"text": "hei"}, status=404)
    await client.post(f"/api/personas/{OLENA}/sms", {"text": "hei"}, status=404)


# ---- the clock --------------------------------------------------------------------------------


async def test_the_clock_moves_to_the_next_weekly_digest(client: Client, catalogs: Catalogs):
    nb = catalogs.translator("nb")
    # The seed's notices are out first (the digest does not repeat them).
    await client.until(NEIGHBOUR_ID, with_text("Dugnad i Torstrandparken"))
    clock = (await client.get("/api/state"))["clock"]
    assert clock["offset_seconds"] == 0
    slot = datetime.fromisoformat(clock["next_digest"])
    moved = await client.post("/api/clock", {"step": "digest"}, status=200)
    now = datetime.fromisoformat(moved["clock"]["now"])
    assert slot < now < slot + timedelta(minutes=5)
    assert moved["ran"]["digests"] >= 1
    title = nb.gettext("📰 Your week in the neighbourhood")
    for persona in (HOST_ID, NEIGHBOUR_ID):
        digest = await client.until(persona, with_text(title))
        assert digest["date"] >= int(slot.timestamp())  # sent on the moved clock
    state = await client.get("/api/state")
    assert state["clock"]["offset_seconds"] > 0
    assert state["deliveries"]["telegram"]["sent"] >= 2
    # Once a week: moving on a little sends no second digest.
    again = await client.post("/api/clock", {"step": "hour"}, status=200)
    assert again["ran"]["digests"] is None


async def test_a_day_later_comes_the_reminder(
    client: Client, playground: Playground, catalogs: Catalogs
):
    nb = catalogs.translator("nb")
    await client.until(HOST_ID, with_text("Dugnad i Torstrandparken"))
    await client.press(HOST_ID, nb.gettext("✅ Coming"))
    await client.until(HOST_ID, lambda chat: chat["toasts"])
    async with playground.bot_app.sessionmaker() as session:
        event = await session.scalar(select(Event).where(Event.title.contains("Dugnad")))
        assert event is not None
    # To a day and six hours before it starts: no reminder yet...
    now = datetime.fromisoformat((await client.get("/api/state"))["clock"]["now"])
    wait = (event.starts_at - now - timedelta(hours=30)).total_seconds()
    moved = await client.post("/api/clock", {"seconds": wait}, status=200)
    assert moved["ran"]["reminders"] == 0
    # ...and "+1 day" brings it.
    moved = await client.post("/api/clock", {"step": "day"}, status=200)
    assert moved["ran"]["reminders"] == 1
    reminder = await client.until(
        HOST_ID, with_text(nb.gettext("⏰ Reminder: you're going to this"))
    )
    assert "Dugnad i Torstrandparken" in reminder["text"]


async def test_the_clock_only_moves_forward_and_only_for_this_playground(
    client: Client, playground: Playground
):
    for body in ({"step": "week"}, {"seconds": -60}, {"seconds": 0}, {"seconds": "soon"}, {}):
        await client.post("/api/clock", body, status=400)
    await client.post("/api/clock", {"step": "hour"}, status=200)
    assert playground.time.offset >= timedelta(hours=1)
    async with playground.bot_app.sessionmaker() as session:
        assert session_now(session) - datetime.now(UTC) >= timedelta(minutes=59)
    # Nothing else in the process moved: a new core, and the columns' default, keep real time.
    assert Clock().offset == timedelta(0)
    assert abs(utcnow() - datetime.now(UTC)) < timedelta(seconds=5)


def test_the_next_digest_slot_keeps_its_local_time_across_dst():
    zone = ZoneInfo("Europe/Oslo")
    sunday_six = time_of_day(18, 0)
    before = datetime(2026, 10, 18, 15, 59, tzinfo=UTC)  # Sunday 17:59 in Oslo (summer time)
    assert next_slot(before, zone, 6, sunday_six) == datetime(2026, 10, 18, 16, 0, tzinfo=UTC)
    at = datetime(2026, 10, 18, 16, 0, tzinfo=UTC)  # the slot itself: the next is a week on,
    # after the change to winter time, still at 18:00 in Oslo
    assert next_slot(at, zone, 6, sunday_six) == datetime(2026, 10, 25, 17, 0, tzinfo=UTC)
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert next_slot(monday, zone, 6, sunday_six) == datetime(2026, 12, 6, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), RateLimit(per_chat=1, total=30)),
        (("--rate-limit", "2", "--rate-limit-total", "50"), RateLimit(per_chat=2, total=50)),
        (("--no-rate-limit",), RateLimit.off()),
    ],
)
def test_the_playground_holds_the_bot_to_telegrams_limits_unless_told(
    args: tuple[str, ...], expected: RateLimit, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    from click.testing import CliRunner

    from bot.cli import main
    from bot.playground import server

    seen: list[PlaygroundOptions] = []

    class Stopped(Playground):
        def __init__(self, options: PlaygroundOptions) -> None:
            seen.append(options)

        async def start(self) -> str:
            raise KeyboardInterrupt  # as Ctrl-C would: the command ends quietly

        async def stop(self) -> None:
            return None

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(server, "Playground", Stopped)
    result = CliRunner().invoke(main, ["playground", "--port", "0", *args])
    assert result.exit_code == 0, result.output
    assert seen[0].rate_limit == expected


# ---- what issue 13 (Reach) brought, as a visitor meets it -------------------------------------


async def test_a_newcomer_meets_translated_content(client: Client, catalogs: Catalogs):
    """Olena (uk): Sentrum's hosts wrote Ukrainian; Torstrand's description and Ingrid's help
    requests come from the playground's pretend translator, marked as machine-translated."""
    from bot.services import help as helping
    from db.models import HelpCategory

    uk = catalogs.translator("uk")
    await onboard(client, catalogs, OLENA, "Українська", "uk")
    mark = uk.gettext("🤖 Machine-translated from {language}.", language=uk.language_name("nb"))
    await client.post(f"/api/personas/{OLENA}/messages", {"text": "/start join-torstrand"})
    card = await client.until(OLENA, with_text("Сусіди на Торстранді"))
    assert mark in card["text"]
    await client.press(OLENA, uk.gettext("🔤 Show original"))
    await client.until(OLENA, with_text("Naboer på Torstrand"))

    await client.post(f"/api/personas/{OLENA}/messages", {"text": "/start join-sentrum"})
    human = await client.until(OLENA, with_text("від площі Торгет"))
    assert "Центр Ларвіка" in human["text"] and "🤖" not in human["text"]

    # She offers to run errands; Ingrid's seeded request reaches her list in Ukrainian.
    await client.post(f"/api/personas/{OLENA}/messages", {"text": "/offer"})
    await client.until(OLENA, with_text(uk.gettext("In which network?")))
    await client.press(OLENA, "Torstrand")
    errands = helping.category_label(uk, HelpCategory.ERRANDS)
    await client.until(OLENA, lambda chat: errands in json.dumps(chat, ensure_ascii=False))
    await client.press(OLENA, errands)
    await client.until(OLENA, lambda chat: "✓ " + errands in json.dumps(chat, ensure_ascii=False))
    await client.post(f"/api/personas/{OLENA}/messages", {"text": "/requests"})
    listed = await client.until(OLENA, with_text("Чи може хтось занести пакети"))
    assert "🤖" in listed["text"]


async def test_an_sms_newcomer_pages_with_more_and_gets_the_week(
    client: Client, catalogs: Catalogs
):
    from bot.sms_keywords import Command, shown

    uk = catalogs.translator("uk")
    for text in ("Hei", "3", "1", "ПРИЄДНАТИСЯ Torstrand"):
        await client.text(OKSANA, text)
    more = uk.gettext("Reply {more} for the rest.", more=shown(Command.MORE, "uk"))
    first = await client.text(OKSANA, shown(Command.NETWORKS, "uk"))
    assert first["text"].endswith(more) and first["segments"] <= 2
    second = await client.text(OKSANA, shown(Command.MORE, "uk"))
    assert second["text"] != first["text"] and second["segments"] <= 2
    # The weekly digest, by SMS: the week in two segments at most, ending with what to send.
    moved = await client.post("/api/clock", {"step": "digest"}, status=200)
    assert moved["ran"]["digests"] >= 1
    head = uk.gettext("Naboskap this week:")
    tail = uk.gettext("Send {events} for more.", events=shown(Command.EVENTS, "uk"))
    deadline = time.monotonic() + 20
    while True:
        digest = next((m for m in await client.sms(OKSANA) if head in m["text"]), None)
        if digest is not None:
            break
        assert time.monotonic() < deadline, "no digest by SMS"
        await client.get("/api/wait?since=0&timeout=1")
    assert digest["text"].endswith(tail) and digest["segments"] <= 2
    assert len(digest["text"]) > len(head) + len(tail) + 10  # the week itself, not a header


async def test_one_of_each_way_to_take_part(
    client: Client, catalogs: Catalogs, playground: Playground
):
    """Issue 15's tour: Olena answers Torstrand's poll in Ukrainian, Bjørg supports Ingrid's
    idea by SMS, Ahmed signs up for the dugnad in Arabic, and the host sees the results."""
    from db.models import IdeaSupport, PollBallot, VolunteerSignup

    uk, ar, nb = (catalogs.translator(locale) for locale in ("uk", "ar", "nb"))
    ahmed = 1003

    # Olena reads the host's own Ukrainian and answers from the poll's card.
    await onboard(client, catalogs, OLENA, "Українська", "uk")
    await client.post(f"/api/personas/{OLENA}/messages", {"text": "/start join-torstrand"})
    await client.until(OLENA, with_text("Сусіди на Торстранді"))
    await client.post(f"/api/personas/{OLENA}/messages", {"text": "/polls"})
    await client.until(OLENA, with_text("Чого вам найбільше хочеться в парку Торстранд"))
    await client.press(OLENA, "Чого вам найбільше")
    await client.until(
        OLENA, with_text(uk.gettext("Choose one. You can change your answer until it closes."))
    )
    await client.press(OLENA, "Лавки вздовж стежки")
    await client.until(
        OLENA, lambda chat: "✅ Лавки вздовж стежки" in json.dumps(chat, ensure_ascii=False)
    )

    # Bjørg, by SMS only: she joins Torstrand and supports the idea by its number.
    await client.text(BJORG, "Hei")
    await client.text(BJORG, "1")
    await client.text(BJORG, "1")
    await client.text(BJORG, "BLI MED Torstrand")
    listed = await client.text(BJORG, "IDE")
    assert "1. Benker langs Torstrandgata" in listed["text"] and listed["segments"] <= 2
    thanks = await client.text(BJORG, "1")
    assert "2" in thanks["text"] and thanks["encoding"] == "gsm7"

    # Ahmed signs up for the dugnad's first shift and lets others see his first name.
    await onboard(client, catalogs, ahmed, "العربية", "ar")
    await client.post(f"/api/personas/{ahmed}/messages", {"text": "/start join-torstrand"})
    await client.until(ahmed, with_text("Torstrand"))
    await client.post(f"/api/personas/{ahmed}/messages", {"text": "/dugnad"})
    await client.until(ahmed, lambda chat: "Vårdugnad" in json.dumps(chat, ensure_ascii=False))
    await client.press(ahmed, "Vårdugnad")
    ask = ar.gettext("🙋 Ask for help")

    def shifts_shown(chat: dict[str, Any]) -> bool:
        last = [m for m in chat["messages"] if m["from_bot"]][-1]
        labels = [b["text"] for row in last.get("inline_keyboard") or [] for b in row]
        return any(label.startswith("🙋") and label != ask for label in labels)

    await client.until(ahmed, shifts_shown)
    await client.press(ahmed, "🙋")
    yes = ar.gettext("Yes, show my first name")
    await client.until(ahmed, lambda chat: yes in json.dumps(chat, ensure_ascii=False))
    await client.press(ahmed, yes)
    await client.until(ahmed, lambda chat: "↩️" in json.dumps(chat, ensure_ascii=False))

    async with playground.bot_app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(PollBallot)) == 1
        assert await session.scalar(select(func.count()).select_from(IdeaSupport)) == 2
        signup = await session.scalar(select(VolunteerSignup))
        assert signup is not None and signup.show_name

    # The host sees the poll's results, with the chart, and closes it.
    await client.post(f"/api/personas/{HOST_ID}/messages", {"text": "/polls"})
    header = nb.gettext("📊 Open polls")
    await client.until(
        HOST_ID,
        lambda chat: chat["messages"][-1]["from_bot"] and header in chat["messages"][-1]["text"],
    )
    await client.press(HOST_ID, "Hva ønsker du deg mest")
    await client.until(
        HOST_ID, lambda chat: nb.gettext("📈 Results") in json.dumps(chat, ensure_ascii=False)
    )
    await client.press(HOST_ID, nb.gettext("📈 Results"))
    chart = await client.until(
        HOST_ID, lambda chat: next((m for m in chat["messages"] if m.get("photo")), None)
    )
    assert "Benker langs stien" in chart["text"]
    async with client.http.get(client.base + chart["photo"]["url"]) as response:
        assert response.status == 200 and response.content_type == "image/png"
        assert (await response.read()).startswith(b"\x89PNG")


async def test_the_coordinator_opens_the_insight_menu(client: Client, catalogs: Catalogs):
    """Marius, the coordinator, gets the figures of all networks as charts: Torstrand's poll,
    published by the seed this week, as a chart; the members, a handful, as "too few"."""
    nb = catalogs.translator("nb")
    marius = COORDINATOR_ID
    await client.post(f"/api/personas/{marius}/messages", {"text": "/coordinate"})
    panel = nb.gettext("Create networks, appoint hosts and see whom the networks reach.")
    await client.until(marius, with_text(panel))
    await client.press(marius, nb.gettext("📈 Insight"))
    await client.until(marius, with_text(nb.gettext("All networks")))
    await client.press(marius, nb.gettext("📊 Polls"))
    chart = await client.until(
        marius, lambda chat: next((m for m in chat["messages"] if m.get("photo")), None)
    )
    assert chart["text"].startswith(nb.gettext("Polls and answers"))
    async with client.http.get(client.base + chart["photo"]["url"]) as response:
        assert response.status == 200 and response.content_type == "image/png"
        assert png_size(await response.read()) == (1000, 600)
    await client.press(marius, nb.gettext("👥 Members over time"))
    too_few = nb.gettext(
        "Too few to show yet: groups of fewer than {n} people are not shown, so that no "
        "one can be picked out.",
        n=5,
    )
    await client.until(marius, with_text(too_few))
