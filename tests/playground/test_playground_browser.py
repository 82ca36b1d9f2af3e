"""The playground in a real browser: Debian's Chromium, driven by Playwright.

A Ukrainian newcomer onboards and joins a network by clicking, a host publishes an event, and
the newcomer's chat shows the notice in Ukrainian with a Ukrainian date. An SMS-only newcomer
onboards and joins by text in a phone-like thread that shows what each SMS costs, and the clock
control brings the weekly digest. Empty panes say how to begin in the persona's language, open
panes stay open, and Tigrinya and emoji show as glyphs, not boxes. Screenshots go to
test-artifacts/playground/ at the repository root.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_date

from bot.config import PROJECT_ROOT
from bot.playground.personas import HOST_ID, NEIGHBOUR_ID
from bot.playground.server import Playground, PlaygroundOptions
from bot.services import events, networks, preferences, residents
from db.models import utcnow

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "playground"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
KARI = 1001
OLENA = 1002
AHMED = 1003
OKSANA = 4002  # SMS only
HINT = "Type /start, or tap / for the menu."
SMS_HINT = "Send a text, such as HEI, to start."

# Draws each text on a canvas in the page's own font stack and returns, per text, a hash of
# its pixels, how many pixels have ink and how many have colour. Where no font has a glyph for a
# character the browser draws the font's .notdef box, the same box for every such character:
# so a character shows as a glyph when it is drawn unlike U+0378 (unassigned, never in a font)
# and unlike other characters of its script.
GLYPHS = """(texts) => {
  const family = getComputedStyle(document.body).fontFamily;
  return texts.map((text) => {
    const canvas = document.createElement("canvas");
    canvas.width = 96;
    canvas.height = 96;
    const ctx = canvas.getContext("2d");
    ctx.font = `48px ${family}`;
    ctx.textBaseline = "middle";
    ctx.fillStyle = "#000";
    ctx.fillText(text, 16, 48);
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let hash = 2166136261, ink = 0, colour = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a) ink += 1;
      if (a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 60) colour += 1;
      for (const v of [r, g, b, a]) hash = Math.imul(hash ^ v, 16777619) >>> 0;
    }
    return { text, hash, ink, colour };
  });
}"""
NOTDEF = "\u0378"

pytestmark = [
    pytest.mark.slow,  # a real Chromium
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no /usr/bin/chromium: `apt-get install chromium` (Debian) to run the browser test",
    ),
]
async_api = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed: pip install -e '.[test]'"
)


@pytest.fixture
async def playground(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Playground]:
    path = tmp_path / "playground.db"
    shutil.copy(sqlite_template, path)
    instance = Playground(PlaygroundOptions(db=path, port=0, handle_signals=False))
    try:
        await instance.start()
        yield instance
    finally:
        await instance.stop()


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[Any]:
    async with async_api.async_playwright() as driver:
        context = await driver.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh user data dir
            executable_path=str(CHROMIUM),
            args=FLAGS,
            headless=True,
            viewport={"width": 1400, "height": 900},
            locale="en-GB",
            timezone_id="Europe/Oslo",  # message times as the clock control shows them
        )
        try:
            page = context.pages[0] if context.pages else await context.new_page()
            # Generous: with a test worker per core beside it, Chromium and the playground's
            # server share two cores with another test; these waits are for things to appear,
            # not a measure of speed.
            page.set_default_timeout(60_000)
            async_api.expect.set_options(timeout=30_000)
            yield page
        finally:
            await context.close()


class Shots:
    """Numbered screenshots in tmp_path, copied to test-artifacts/playground/."""

    def __init__(self, page: Any, tmp_path: Path, story: str) -> None:
        self.page, self.dir, self.story, self.count = page, tmp_path / "screenshots", story, 0
        self.dir.mkdir()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob(f"{story}-*.png"):
            old.unlink()

    async def take(self, name: str) -> None:
        self.count += 1
        path = self.dir / f"{self.story}-{self.count:02d}-{name}.png"
        await self.page.screenshot(path=str(path))
        shutil.copy(path, ARTIFACTS / path.name)


async def publish_as_host(playground: Playground, title: str) -> datetime:
    """The host publishes an event through the same service the bot's host flow calls."""
    app = playground.bot_app
    zone = app.catalogs.zone
    starts = datetime.combine(
        (utcnow().astimezone(zone) + timedelta(days=10)).date(), time(18, 0), tzinfo=zone
    )
    async with app.sessionmaker() as session:
        host = await residents.identify(session, HOST_ID, app.settings.coordinator_ids)
        torstrand = await networks.find_by_slug(session, host, "torstrand")
        draft = events.EventDraft(
            network_id=torstrand.id,
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place="Torstrand skole",
            no_norwegian_needed=True,
        )
        await events.publish(session, host, app.catalogs, draft)
    return starts


async def test_a_ukrainian_newcomer_sees_an_event_in_ukrainian(
    playground: Playground, page: Any, tmp_path: Path
):
    expect = async_api.expect
    uk = playground.bot_app.catalogs.translator("uk")
    shots = Shots(page, tmp_path, "ukrainian")
    await page.goto(playground.url)
    await page.locator("body[data-ready]").wait_for()
    await page.locator(f'button.persona[data-persona="{HOST_ID}"]').click()
    await page.locator(f'button.persona[data-persona="{OLENA}"]').click()
    olena = page.locator(f'.pane[data-persona="{OLENA}"]')

    async def press(label: str) -> None:
        await olena.locator(".inline-btn", has_text=label).last.click()

    await olena.locator("input.entry").fill("/start")
    await olena.locator("input.entry").press("Enter")
    await expect(olena.locator(".msg.from-bot").last).to_contain_text("Оберіть мову")
    await shots.take("language-choice")
    await press("Українська")
    accept = uk.gettext("✅ I understand, let's go")
    await expect(olena.locator(".inline-btn", has_text=accept)).to_be_visible()
    await shots.take("privacy-notice")
    await press(accept)
    await expect(olena.locator(".messages")).to_contain_text(uk.gettext("You're all set! 🎉"))

    # The command menu is the translated one the bot registered for this chat.
    await olena.locator(".menu-button").click()
    await expect(olena.locator(".menu")).to_contain_text(uk.gettext("Upcoming events"))
    await shots.take("command-menu")
    await olena.locator(".menu-button").click()

    # Join Torstrand by clicking through the networks list (it has pages).
    await press(uk.gettext("🏘 Networks"))
    torstrand = olena.locator(".inline-btn").filter(has_text=re.compile(r"^\s*Torstrand\s*$"))
    following = olena.locator(".inline-btn", has_text=uk.gettext("Next ›"))
    # The list replaces the menu in place: wait for it, and after each "Next ›" for the page
    # to change, so that a slow edit is never pressed past (a busy CI machine did).
    await expect(torstrand.or_(following).first).to_be_visible()
    listing = olena.locator(".msg.from-bot").last
    for _ in range(5):
        if await torstrand.count():
            break
        before = await listing.inner_text()
        await following.last.click()
        await expect(listing).not_to_have_text(before)
    await torstrand.last.click()
    await press(uk.gettext("➕ Join"))
    await expect(olena.locator(".inline-btn", has_text=uk.gettext("Leave"))).to_be_visible()
    await shots.take("joined-torstrand")

    # The playground gave her no quiet hours once she onboarded, so the notice comes at once
    # whatever the time of day (the outbox would otherwise hold it until 08:00 in Oslo).
    async with playground.bot_app.sessionmaker() as session:
        actor = await residents.identify(session, OLENA, frozenset())
        assert not (await preferences.get(session, actor)).quiet

    title = "Kaffe og vafler i Torstrand"
    starts = await publish_as_host(playground, title)
    month = format_date(starts.date(), "MMMM", locale="uk")  # genitive, e.g. "грудня"
    notice = olena.locator(".msg.from-bot", has_text=title)
    await expect(notice).to_be_visible()
    await expect(notice).to_contain_text(f"{starts.day} {month}")
    headline = uk.gettext("🗓 New event in {network}", network="Torstrand")
    await expect(notice).to_contain_text(headline)
    assert format_date(starts.date(), "MMMM", locale="nb") not in await notice.inner_text()
    await notice.scroll_into_view_if_needed()
    await shots.take("event-notice-in-ukrainian")
    # Her answer comes back as Telegram's toast (answerCallbackQuery).
    await notice.locator(".inline-btn", has_text=uk.gettext("✅ Coming")).click()
    await expect(olena.locator(".toast").last).to_contain_text(uk.gettext("Great, see you there!"))
    await shots.take("rsvp-toast")


async def test_right_to_left_text_and_no_markup_injection(
    playground: Playground, page: Any, tmp_path: Path
):
    expect = async_api.expect
    shots = Shots(page, tmp_path, "arabic")
    await page.goto(playground.url)
    await page.locator("body[data-ready]").wait_for()
    await page.locator(f'button.persona[data-persona="{AHMED}"]').click()
    ahmed = page.locator(f'.pane[data-persona="{AHMED}"]')
    entry = ahmed.locator("input.entry")
    await entry.fill("/start")
    await entry.press("Enter")
    await ahmed.locator(".inline-btn", has_text="العربية").click()
    ar = playground.bot_app.catalogs.translator("ar")
    accept = ar.gettext("✅ I understand, let's go")
    await expect(ahmed.locator(".inline-btn", has_text=accept)).to_be_visible()
    # dir="auto" on every message: Arabic runs right to left, as in Telegram.
    await expect(ahmed.locator('.msg.from-bot .text[dir="auto"]:dir(rtl)').last).to_contain_text(
        ar.gettext("Your privacy")
    )
    # What a person types is shown as text, never as markup.
    await entry.fill('<img src=x onerror="document.title=1"><b>hei</b>')
    await entry.press("Enter")
    await expect(ahmed.locator(".msg.from-me").last).to_contain_text("<img src=x")
    assert await ahmed.locator(".messages img, .from-me b").count() == 0
    await shots.take("right-to-left")


async def test_an_sms_newcomer_and_the_clock(playground: Playground, page: Any, tmp_path: Path):
    expect = async_api.expect
    catalogs = playground.bot_app.catalogs
    shots = Shots(page, tmp_path, "sms-and-clock")
    await page.goto(playground.url)
    await page.locator("body[data-ready]").wait_for()
    await page.locator(f'#sms-personas button.persona[data-persona="{OKSANA}"]').click()
    phone = page.locator(f'.pane.phone[data-persona="{OKSANA}"]')
    entry = phone.locator("input.entry")

    async def text(message: str, answer: str) -> None:
        before = await phone.locator(".sms.from-bot").count()
        await entry.fill(message)
        await entry.press("Enter")
        await expect(phone.locator(".sms.from-me").last).to_have_text(re.compile(message))
        await expect(phone.locator(".sms.from-bot")).to_have_count(before + 1)
        await expect(phone.locator(".sms.from-bot").last).to_contain_text(answer)

    await text("Hei", "3 Українська")
    # Under each SMS from the bot: what it costs. Cyrillic needs UCS-2.
    await expect(phone.locator(".sms.from-bot .cost").last).to_contain_text(
        re.compile(r"^\d SMS · UCS-2")
    )
    await shots.take("sms-language-menu")
    await text("3", "СТОП")
    await text("1", "СПІЛЬНОТИ")
    await text("ПРИЄДНАТИСЯ Torstrand", "Torstrand")
    await shots.take("sms-joined-torstrand")

    # The clock: on to just after the next weekly digest; Ingrid's digest arrives.
    await page.locator(f'#personas button.persona[data-persona="{NEIGHBOUR_ID}"]').click()
    ingrid = page.locator(f'.pane[data-persona="{NEIGHBOUR_ID}"]')
    await expect(ingrid.locator(".messages")).to_contain_text("Dugnad i Torstrandparken")
    await expect(page.locator("#outbox")).to_contain_text("Telegram:")
    await page.locator(".clock-step", has_text="next weekly digest").click()
    await expect(page.locator("#clock-ran")).to_contain_text("digest round")
    await expect(page.locator("#clock-now")).to_contain_text("(+")
    title = catalogs.translator("nb").gettext("📰 Your week in the neighbourhood")
    digest = ingrid.locator(".msg.from-bot", has_text=title)
    await expect(digest).to_be_visible()
    await digest.scroll_into_view_if_needed()
    await expect(page.locator("#outbox")).to_contain_text("sent")
    await shots.take("weekly-digest")
    await page.locator(".clock-step", has_text="+1 day").click()
    await expect(page.locator("#clock-ran")).to_contain_text(re.compile("nothing due|queued"))
    await shots.take("a-day-later")


def _script_fonts() -> bool:
    """Whether fontconfig (what Chromium draws with) has an Ethiopic and a colour emoji font."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:  # no fontconfig: Chromium draws boxes for these
        return False
    found = subprocess.run(
        [fc_list, ":", "family"], capture_output=True, text=True, check=False, timeout=30
    ).stdout.lower()
    return "ethiopic" in found and "emoji" in found


async def test_empty_panes_say_how_to_begin_panes_stay_open_and_every_script_shows(
    playground: Playground, page: Any, tmp_path: Path
):
    expect = async_api.expect
    catalogs = playground.bot_app.catalogs
    shots = Shots(page, tmp_path, "hints-and-scripts")
    await page.goto(playground.url)
    await page.locator("body[data-ready]").wait_for()

    # Olena's chat is empty: it says how to begin, in Ukrainian, from the bot's catalogs.
    olena = page.locator(f'.pane[data-persona="{OLENA}"]')
    uk_hint = catalogs.translator("uk").gettext(HINT)
    await expect(olena.locator(".empty-hint")).to_have_text(uk_hint)
    await expect(olena.locator(".empty-hint")).to_have_attribute("lang", "uk")

    # Open panes stay open: Kari, Ahmed and a new Tigrinya persona join Olena and Hilde, and
    # the row scrolls sideways instead of closing the oldest.
    await page.locator(f'button.persona[data-persona="{KARI}"]').click()
    await page.locator(f'button.persona[data-persona="{AHMED}"]').click()
    kari = page.locator(f'.pane[data-persona="{KARI}"]')
    await expect(kari.locator(".empty-hint")).to_have_text(catalogs.translator("nb").gettext(HINT))
    ahmed = page.locator(f'.pane[data-persona="{AHMED}"]')
    ar_hint = ahmed.locator(".empty-hint")
    await expect(ar_hint).to_have_text(catalogs.translator("ar").gettext(HINT))
    await expect(ar_hint).to_have_attribute("dir", "rtl")
    await expect(ahmed.locator(".empty-hint:dir(rtl)")).to_have_count(1)
    form = page.locator("#add-persona")
    await form.locator('input[name="name"]').fill("ተስፋይ")
    await form.locator('input[name="language_code"]').fill("ti")
    await form.locator('button[type="submit"]').click()
    tesfay = page.locator(".pane", has=page.locator(".name", has_text="ተስፋይ"))
    ti = catalogs.translator("ti")
    await expect(tesfay.locator(".empty-hint")).to_have_text(ti.gettext(HINT))
    await expect(tesfay.locator(".empty-hint")).to_be_in_viewport()
    await expect(page.locator(".pane")).to_have_count(5)
    await expect(olena).to_be_attached()
    assert await page.locator("#panes").evaluate("(n) => n.scrollWidth > n.clientWidth")
    await shots.take("five-panes-with-hints")
    await olena.scroll_into_view_if_needed()
    await expect(olena.locator(".empty-hint")).to_be_in_viewport()

    # An SMS persona's empty thread says to text the bot.
    await page.locator(f'#sms-personas button.persona[data-persona="{OKSANA}"]').click()
    phone = page.locator(f'.pane.phone[data-persona="{OKSANA}"]')
    sms_hint = catalogs.translator("uk").gettext(SMS_HINT)
    await expect(phone.locator(".empty-hint")).to_have_text(sms_hint)
    await expect(page.locator(".pane")).to_have_count(6)

    # Tigrinya and emoji are glyphs, not boxes: each Ethiopic letter is drawn unlike the
    # .notdef box and unlike the others, and emoji in colour. A machine with Chromium but not
    # the fonts (a developer's) is told what to install; CI installs them (.ci/run).
    if not _script_fonts():
        pytest.skip(
            "no Ethiopic or colour emoji font: `apt-get install fonts-noto-core "
            "fonts-noto-color-emoji` to check that every script shows"
        )
    ethiopic = list("ሰላምትግርኛ")
    others = ["Ж", "ع", "ب", "ø"]
    coloured = ["🎉", "✅", "👋"]  # 📰 is grey, even in colour
    emoji = [*coloured, "📰"]
    drawn = await page.evaluate(GLYPHS, [NOTDEF, *ethiopic, *others, *emoji])
    notdef, letters = drawn[0], drawn[1:]
    assert notdef["ink"] > 0, "the .notdef box has ink"
    boxes = [d["text"] for d in letters if d["hash"] == notdef["hash"] or not d["ink"]]
    assert boxes == [], f"drawn as boxes (no font has them): {boxes}"
    ethiopic_drawn = {d["hash"] for d in letters if d["text"] in ethiopic}
    assert len(ethiopic_drawn) == len(ethiopic), "Ethiopic letters drawn alike: boxes"
    grey = [d["text"] for d in letters if d["text"] in coloured and d["colour"] < 50]
    assert grey == [], f"emoji without colour (no colour emoji font): {grey}"

    # The bot's own Tigrinya and emoji, on screen for the screenshot.
    await tesfay.locator("input.entry").fill("/start")
    await tesfay.locator("input.entry").press("Enter")
    await tesfay.locator(".inline-btn", has_text="ትግርኛ").click()
    accept = ti.gettext("✅ I understand, let's go")
    await expect(tesfay.locator(".inline-btn", has_text=accept)).to_be_visible()
    await expect(tesfay.locator(".empty-hint")).to_have_count(0)
    await tesfay.scroll_into_view_if_needed()
    await shots.take("tigrinya-and-emoji")
